"""Materials presently stored (AIA G703 column F) on subcontractor pay
applications: billed with their own retainage through the shared pay
application arithmetic, then taken back as the work installs them."""

from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestStoredMaterials(SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.subcontract_from_budget(8000)
        cls.sov_line = cls.order.order_line

    def application(self, done, stored, period_end):
        application = self.PayApp.with_user(self.buyer_controller).create(
            {"order_id": self.order.id, "period_end": period_end}
        )
        application._record_progress({self.sov_line: done}, "test", stored={self.sov_line: stored})
        return application

    def approve(self, application):
        self.daily_log(application.period_end)
        application.with_user(self.buyer_controller).action_approve()
        return application.move_id

    def test_stored_materials_are_billed_with_their_retainage_then_installed(self):
        first = self.application(2000, 1500, self.today)
        first.stored_retainage_percent = 5
        line = first.line_ids
        self.assertEqual(line.stored_amount, 1500)
        self.assertAlmostEqual(first.completed_to_date, 3500, msg="completed and stored")
        # 10 % of the work, 5 % of the stored materials
        self.assertAlmostEqual(first.retainage_total, 200 + 75)
        self.assertAlmostEqual(first.current_payment_due, 3500 - 275)
        self.assertAlmostEqual(first.stored_this_period, 1500)

        bill = self.approve(first)
        work = bill.invoice_line_ids.filtered("purchase_line_id")
        self.assertEqual((work.quantity, work.price_subtotal), (3500, 3500))
        self.assertAlmostEqual(bill.amount_total, 3225)
        self.post(bill)
        self.assert_figures(self.paving, 4500, 3500)

        # the stored materials are installed: no longer stored, now work
        second = self.application(5000, 0, self.today + timedelta(days=20))
        self.assertEqual(second.line_ids.previous_stored_amount, 1500)
        self.assertAlmostEqual(second.this_period_amount, 3000)
        self.assertAlmostEqual(second.stored_this_period, -1500)
        self.assertAlmostEqual(second.completed_to_date, 5000)
        self.assertAlmostEqual(second.retainage_total, 500)
        bill = self.approve(second)
        work = bill.invoice_line_ids.filtered("purchase_line_id")
        self.assertEqual(work.quantity, 1500, "3000 of work less the 1500 billed stored")
        self.assertAlmostEqual(bill.amount_total, 1500 - (500 - 275))
        self.post(bill)
        self.assert_figures(self.paving, 3000, 5000)

    def test_stored_materials_beyond_the_scheduled_value_or_negative_are_refused(self):
        application = self.application(6000, 0, self.today)
        with self.refused(ValidationError, "between 0 and the scheduled value"):
            application.line_ids.stored_amount = 2500
            application.line_ids.flush_recordset()
        with self.refused(ValidationError, "not negative"):
            application.line_ids.stored_amount = -10
            application.line_ids.flush_recordset()

    def test_an_approved_applications_stored_materials_never_change(self):
        application = self.application(2000, 500, self.today)
        self.approve(application)
        with self.refused(UserError, "can no longer change"):
            application.line_ids.stored_amount = 900
        self.assertEqual(application.line_ids.stored_amount, 500)

    def test_the_pdf_shows_the_stored_materials_and_their_retainage(self):
        application = self.application(2000, 1500, self.today)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "construction_subcontract.report_subcontract_pay_application", application.ids
            )[0]
            .decode()
        )
        self.assertIn("Materials Presently Stored", html)
        self.assertIn("1,500.00", html)
        self.assertIn("150.00", html, "10 % retainage on the stored materials")
        self.assertIn("3,500.00", html, "completed and stored to date")
