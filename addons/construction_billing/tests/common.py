import os
import shutil
import subprocess
import tempfile

from odoo.addons.construction_estimate_bridge.tests.common import (
    BASE_ROWS,
    EstimateBridgeCase,
    to_csv,
)
from odoo.tests.common import new_test_user


class BillingCase(EstimateBridgeCase):
    """The estimate of the bridge's tests (9,000 paving, 1,000 striping, 600
    traffic control) approved, the company's markups, a field platform that
    reports completed tasks, a second controller, the client's portal user
    and an accountant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["construction.billing.markup"].create(
            [
                {"cost_type": "material", "percent": 10},
                {"cost_type": "subcontract", "percent": 5},
                {"cost_type": "labor", "percent": 20},
            ]
        )
        cls.pm = cls.users["estimator"]
        cls.controller = cls.users["controller"]
        cls.controller_2 = new_test_user(
            cls.env,
            login="billing_controller_2",
            groups="construction_sync.group_construction_sync_controller",
        )
        cls.accountant = new_test_user(
            cls.env, login="billing_accountant", groups="account.group_account_invoice"
        )
        cls.client = new_test_user(
            cls.env,
            login="billing_client",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Owner LLC"})
        cls.other_client = new_test_user(
            cls.env,
            login="billing_other_client",
            groups="base.group_portal",
            partner_id=cls.other_customer.id,
        )
        cls.company.construction_retention_account_id = cls.env["account.account"].create(
            {"code": "121900", "name": "Retention Receivable", "account_type": "asset_current"}
        )
        cls.code_paving.cost_type = "material"
        cls.code_striping.cost_type = "subcontract"
        cls.code_traffic.cost_type = "labor"
        cls.code_seal.cost_type = "labor"

    @classmethod
    def approved_estimate(cls):
        estimate = cls.import_estimate(to_csv(BASE_ROWS))
        estimate.action_approve()
        return estimate

    @classmethod
    def make_contract(cls, estimate=None):
        """The contract of the estimate, the traffic control line with a
        markup of its own (25 %): 750 + 9,900 + 1,050 = 11,700."""
        estimate = estimate or cls.approved_estimate()
        traffic = estimate.line_ids.filtered(lambda line: line.cost_code_id == cls.code_traffic)
        traffic.write({"billing_markup_set": True, "billing_markup_percent": 25})
        action = estimate.with_user(cls.pm).action_create_contract()
        contract = cls.env["sale.order"].browse(action["res_id"])
        contract.write(
            {
                "retainage_percent": 10,
                "retainage_stored_percent": 5,
                "retainage_reduced_percent": 5,
                "retainage_reduce_after": 50,
            }
        )
        contract.action_confirm()
        return contract

    def schedule_line(self, contract, cost_code):
        return contract.order_line.filtered(
            lambda line: line.construction_cost_code_id == cost_code
        )

    def progress(self, line, date, user=None, **vals):
        return (
            self.env["construction.billing.progress"]
            .with_user(user or self.pm)
            .create(dict({"sale_line_id": line.id, "date": date}, **vals))
        )

    def pdf_pages(self, records, report="construction_billing.action_report_pay_application"):
        """The text of each page of the records' PDF, as pdftotext lays it out."""
        self.assertTrue(shutil.which("pdftotext"), "pdftotext is not installed: run bin/setup")
        # Without the report's web font (which wkhtmltopdf draws as outlines,
        # leaving no text to read back), as when the styles cannot be fetched:
        # the figures stay in their table cells, in their columns.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        report = self.env.ref(report)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, records.ids
        )
        self.assertEqual((kind, pdf[:5]), ("pdf", b"%PDF-"))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "report.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            text = subprocess.run(
                ["pdftotext", "-layout", path, "-"],
                check=True,
                timeout=120,
                capture_output=True,
                text=True,
            ).stdout
        return [page for page in text.split("\f") if page.strip()]
