from odoo import Command

from .common import BillingCase


class TestPayApplicationSheet(BillingCase):
    """A pay application is computed and read for print in a number of
    queries that does not grow with its schedule of values (the bench's
    2,000-line application depends on it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.codes = cls.create_codes(*(f"33 41 {index:02d}" for index in range(1, 41)))
        cls.product = cls.env.ref("construction_billing.product_contract_work")

    def contract(self, size):
        contract = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "construction_project_id": self.project.id,
                "retainage_percent": 10,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": code.display_name,
                            "construction_cost_code_id": code.id,
                            "construction_original_value": 1000.0 + index,
                            "price_unit": 1000.0 + index,
                            "tax_id": [Command.clear()],
                        }
                    )
                    for index, code in enumerate(self.codes[:size])
                ],
            }
        )
        contract.action_confirm()
        self.env["construction.billing.progress"].create(
            [
                {
                    "sale_line_id": line.id,
                    "date": "2026-03-15",
                    "basis": "percent",
                    "percent": 40,
                    "state": "approved",
                }
                for line in contract.order_line
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        return contract

    def queries(self, size):
        """Queries to create the application of a ``size``-line contract,
        and to read its continuation sheet for print; the sheet."""
        contract = self.contract(size)
        before = self.env.cr.sql_log_count
        application = (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": contract.id, "period_to": "2026-03-31"})
        )
        self.env.flush_all()
        computed = self.env.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        rows, totals = application._report_sheet()
        read = self.env.cr.sql_log_count - before
        return computed, read, application, rows, totals

    def test_the_sheet_is_computed_and_read_in_queries_that_do_not_grow_with_its_lines(self):
        self.queries(2)  # what a first application reads once (caches, references)
        small = self.queries(4)
        large = self.queries(40)
        self.assertEqual(large[:2], small[:2], "(compute, read) queries, 4 lines and 40")
        _computed, _read, application, rows, totals = large
        self.assertEqual(len(application.line_ids), 40)
        self.assertEqual(
            rows[1],
            (
                2,
                application.line_ids[1].name,
                "1,001.00",
                "0.00",
                "400.40",
                "0.00",
                "400.40",
                "40.00%",
                "600.60",
                "40.04",
            ),
        )
        # 40 lines of 1,000 + index: 40,780 scheduled, 40 % of it completed.
        self.assertEqual(
            totals,
            [
                "40,780.00",
                "0.00",
                "16,312.00",
                "0.00",
                "16,312.00",
                "40.00%",
                "24,468.00",
                "1,631.20",
            ],
        )
        self.assertEqual(
            (application.completed_and_stored, application.retainage_total), (16312.0, 1631.2)
        )

    def test_the_print_dates_the_contract_on_the_readers_day(self):
        """A contract signed on the evening of March 1st in New York is
        stored on March 2nd in UTC: its reader in New York prints March
        1st, in the language's format like the period's end."""
        contract = self.contract(2)
        contract.date_order = "2026-03-02 01:30:00"
        self.pm.tz = "America/New_York"
        application = (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": contract.id, "period_to": "2026-03-31"})
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.pm)
            ._render_qweb_html(
                "construction_billing.action_report_pay_application", application.ids
            )[0]
            .decode()
        )
        self.assertIn('class="o_pay_application_contract_date">03/01/2026<', html)
        self.assertIn("Period To <span>03/31/2026</span>", html)
