"""The WIP schedule against a hand-computed example.

Contract 11,700 (the estimate's 10,600 of cost with markups); budget 10,600,
which stays the forecast at completion (no cost code runs over).

March: cost to date 2,650 = 25 % → earned 11,700 x 25 % = 2,925; billed
(pay application 1, completed and stored) 4,635 → over billed 1,710.
April: cost to date 7,420 = 70 % → earned 8,190; billed (pay application 2)
4,635 + 990 = 5,625 → under billed 2,565.
"""

from datetime import date

from odoo.exceptions import UserError

from .common import BillingCase


class TestWip(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        estimate = cls.approved_estimate()
        estimate.action_create_budget()
        cls.contract = cls.make_contract(estimate)
        cls.traffic, cls.paving, cls.striping = cls.contract.order_line
        Account = cls.env["account.account"]
        cls.company.construction_wip_overbilled_account_id = Account.create(
            {"code": "229100", "name": "Billings in excess", "account_type": "liability_current"}
        )
        cls.company.construction_wip_underbilled_account_id = Account.create(
            {"code": "129100", "name": "Revenue in excess", "account_type": "asset_current"}
        )
        cls.revenue = cls.env.ref(
            "construction_billing.product_contract_work"
        ).product_tmpl_id._get_product_accounts()["income"]
        cls.Wip = cls.env["construction.wip.line"].with_user(cls.controller)

    def cost(self, day, amount):
        column = self.plan._column_name()
        self.env["account.analytic.line"].create(
            {
                "name": "Asphalt",
                "date": day,
                "account_id": self.project_account.id,
                column: self.code_paving.analytic_account_id.id,
                "amount": -amount,
            }
        )

    @staticmethod
    def entry(wip):
        return {(item.account_id.code, item.debit, item.credit) for item in wip.entry_id.line_ids}

    def bill(self, period_to, *progress):
        for line, day, percent, stored in progress:
            item = self.progress(line, day, basis="percent", percent=percent, stored_amount=stored)
            item.with_user(self.controller).action_approve()
        application = (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": self.contract.id, "period_to": period_to})
        )
        application.with_user(self.controller).action_certify()
        application.sudo()._client_approve("Owner")
        return application

    def test_over_billed_in_march_and_under_billed_in_april_with_entries_a_person_posts(self):
        self.cost("2026-03-10", 2650)
        self.bill(
            "2026-03-31",
            (self.paving, "2026-03-20", 40, 0),
            (self.traffic, "2026-03-20", 50, 0),
            (self.striping, "2026-03-25", 0, 300),
        )
        self.cost("2026-04-10", 4770)
        self.bill("2026-04-30", (self.paving, "2026-04-20", 10, 0))

        march = self.Wip._generate(date(2026, 3, 31), self.contract)
        april = self.Wip._generate(date(2026, 4, 30), self.contract)
        columns = (
            "contract_sum",
            "estimated_cost",
            "cost_to_date",
            "percent_complete",
            "earned_revenue",
            "billed_to_date",
            "over_under",
        )
        self.assertEqual(
            [tuple(wip[column] for column in columns) for wip in march | april],
            [
                (11700.0, 10600.0, 2650.0, 25.0, 2925.0, 4635.0, 1710.0),
                (11700.0, 10600.0, 7420.0, 70.0, 8190.0, 5625.0, -2565.0),
            ],
        )

        (march | april).action_propose_entries()
        over, under = (
            self.company.construction_wip_overbilled_account_id,
            (self.company.construction_wip_underbilled_account_id),
        )
        self.assertEqual(
            self.entry(march),
            {(self.revenue.code, 1710.0, 0.0), (over.code, 0.0, 1710.0)},
        )
        self.assertEqual(
            self.entry(april),
            {(under.code, 2565.0, 0.0), (self.revenue.code, 0.0, 2565.0)},
        )
        self.assertEqual((march.entry_state, march.entry_id.date), ("draft", date(2026, 3, 31)))
        self.assertEqual(april.entry_state, "draft", "proposed, never posted by the system")
        self.accountant.groups_id |= self.env.ref("account.group_account_manager")
        march.entry_id.with_user(self.accountant).action_post()
        self.assertEqual(march.entry_state, "posted")
        with self.assertRaisesRegex(UserError, "proposed entries already"):
            self.Wip._generate(date(2026, 3, 31), self.contract)

        pages = self.pdf_pages(march | april, "construction_billing.action_report_wip")
        rows = [line.split() for line in pages[0].splitlines() if line.strip().startswith("2026-")]
        self.assertEqual(
            [row[-7:] for row in rows],
            [
                [
                    "11,700.00",
                    "10,600.00",
                    "2,650.00",
                    "25.00%",
                    "2,925.00",
                    "4,635.00",
                    "1,710.00",
                ],
                [
                    "11,700.00",
                    "10,600.00",
                    "7,420.00",
                    "70.00%",
                    "8,190.00",
                    "5,625.00",
                    "-2,565.00",
                ],
            ],
        )
