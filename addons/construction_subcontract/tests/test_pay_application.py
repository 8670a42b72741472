from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestPayApplication(SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.subcontract_from_budget(8000)
        cls.sov_line = cls.order.order_line

    def application(self, done, period_end=None):
        """The project manager's application with ``done`` to date on the paving line."""
        application = self.PayApp.with_user(self.buyer_controller).create(
            {"order_id": self.order.id, "period_end": period_end or self.today}
        )
        application.line_ids.completed_quantity = done
        return application

    def test_the_project_manager_enters_progress_and_the_summary_follows_the_shared_arithmetic(
        self,
    ):
        application = self.application(2000)
        self.assertEqual(application.source, "manual")
        self.assertEqual(application.number, 1)
        line = application.line_ids
        self.assertEqual((line.previous_quantity, line.this_period_quantity), (0, 2000))
        self.assertAlmostEqual(line.percent_complete, 25)
        self.assertAlmostEqual(application.contract_sum, 8000)
        self.assertAlmostEqual(application.completed_to_date, 2000)
        self.assertAlmostEqual(application.retainage_total, 200)
        self.assertAlmostEqual(application.earned_less_retainage, 1800)
        self.assertAlmostEqual(application.current_payment_due, 1800)
        self.assertAlmostEqual(application.balance_to_finish, 6200)

    def test_approval_needs_field_evidence_of_the_period(self):
        application = self.application(2000)
        with self.refused(UserError, "No photo or daily log"):
            application.with_user(self.buyer_controller).action_approve()
        self.daily_log(self.today)
        self.assertEqual(len(application.evidence_daily_log_ids), 1)
        application.with_user(self.buyer_controller).action_approve()
        self.assertEqual(application.state, "approved")
        self.assertEqual(application.approved_by_id, self.buyer_controller)

    def test_only_a_project_controller_approves(self):
        application = self.application(2000)
        self.daily_log(self.today)
        with self.refused(UserError, "Only a project controller approves"):
            application.with_user(self.users["estimator"]).action_approve()
        self.assertEqual(application.state, "draft")

    def test_approval_drafts_the_bill_with_retainage_withheld_and_budget_follows_posting(self):
        self.daily_log(self.today)
        application = self.application(2000)
        application.with_user(self.buyer_controller).action_approve()
        bill = application.move_id
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.partner_id, self.subcontractor)
        self.assertEqual(bill.construction_subcontract_application_id, application)
        work = bill.invoice_line_ids.filtered("purchase_line_id")
        self.assertEqual((work.quantity, work.price_subtotal), (2000, 2000))
        retainage = bill.invoice_line_ids - work
        self.assertEqual(retainage.account_id, self.retainage_account)
        self.assertAlmostEqual(retainage.price_subtotal, -200)
        self.assertAlmostEqual(bill.amount_total, 1800)
        # A draft bill is no cost yet: still committed.
        self.assert_figures(self.paving, 8000, 0)
        self.post(bill)
        self.assert_figures(self.paving, 6000, 2000)
        self.assertAlmostEqual(self.order.construction_retainage_held, 200)
        self.assertAlmostEqual(
            sum(
                self.env["account.move.line"]
                .search([("account_id", "=", self.retainage_account.id)])
                .mapped("balance")
            ),
            -200,
        )

    def test_the_second_application_bills_only_the_period_and_deducts_agreed_back_charges(self):
        self.daily_log(self.today)
        first = self.application(2000)
        first.with_user(self.buyer_controller).action_approve()
        self.post(first.move_id)
        charge = self.BackCharge.with_user(self.buyer_controller).create(
            {"order_id": self.order.id, "name": "Clean-up of spilled tack coat", "amount": 300}
        )
        draft_charge = self.BackCharge.create(
            {"order_id": self.order.id, "name": "Disputed damage", "amount": 900}
        )
        charge.action_agree()
        later = self.today + timedelta(days=31)
        self.daily_log(later - timedelta(days=3))
        second = self.application(4800, period_end=later)
        self.assertEqual(second.number, 2)
        self.assertEqual(second.period_start, self.today + timedelta(days=1))
        self.assertEqual(second.line_ids.previous_quantity, 2000)
        self.assertAlmostEqual(second.this_period_amount, 2800)
        self.assertAlmostEqual(second.retainage_total, 480)
        self.assertAlmostEqual(second.retainage_this_period, 280)
        self.assertAlmostEqual(second.previous_certificates, 1800)
        self.assertAlmostEqual(second.current_payment_due, 2520)
        self.assertAlmostEqual(second.back_charge_total, 300)
        self.assertAlmostEqual(second.amount_payable, 2220)
        second.with_user(self.buyer_controller).action_approve()
        self.assertEqual((charge.state, charge.pay_application_id), ("deducted", second))
        self.assertEqual(draft_charge.state, "draft", "a charge not agreed is not deducted")
        self.assertAlmostEqual(second.move_id.amount_total, 2220)
        deducted = second.move_id.invoice_line_ids.filtered(
            lambda line: line.account_id == self.back_charge_account
        )
        self.assertAlmostEqual(deducted.price_subtotal, -300)
        self.post(second.move_id)
        self.assert_figures(self.paving, 3200, 4800)
        with self.refused(UserError, "already deducted"):
            charge.amount = 10

    def test_an_approved_application_cannot_change(self):
        self.daily_log(self.today)
        application = self.application(2000)
        application.with_user(self.buyer_controller).action_approve()
        with self.refused(UserError, "can no longer change"):
            application.line_ids.completed_quantity = 3000
        with self.refused(UserError, "can no longer change"):
            application._record_progress({self.sov_line: 3000}, origin="test")
        with self.refused(UserError, "can no longer change"):
            application.period_end = self.today + timedelta(days=5)
        self.assertEqual(application.line_ids.completed_quantity, 2000)

    def test_progress_beyond_the_subcontract_or_below_the_approved_is_refused(self):
        self.daily_log(self.today)
        with self.refused(ValidationError, "more than the 8000"):
            self.application(8000.5)
        first = self.application(2000)
        first.with_user(self.buyer_controller).action_approve()
        with self.refused(ValidationError, "less than the 2000"):
            self.application(1500)

    def test_one_open_application_per_subcontract(self):
        self.application(1000)
        with self.refused(UserError, "already has an open pay application"):
            self.application(1500)

    def test_approval_publishes_the_application_and_the_commitment(self):
        self.daily_log(self.today)
        application = self.application(2000)
        application.with_user(self.buyer_controller).action_approve()
        (approved,) = self.deliveries("subcontract.pay_application.approved")
        self.assertEqual(approved["name"], application.name)
        self.assertEqual(approved["amount_payable"], 1800.0)
        self.assertEqual(approved["retainage_this_period"], 200.0)
        self.assertEqual(approved["bill"], application.move_id.id)
        commitment = self.deliveries("commitment.changed")[-1]
        self.assertEqual(commitment["lines"][0]["committed"], 8000.0, "the bill is a draft")
        self.assertEqual(commitment["retainage_held"], 200.0)

    def test_field_confirmation_feeds_the_open_application_instead_of_receipts(self):
        self.env["construction.sync.binding"].create(
            {
                "system_id": self.field_system.id,
                "res_model": "purchase.order.line",
                "res_id": self.sov_line.id,
                "external_id": "SUB-PAVE-1",
            }
        )
        event = self.confirm_work(
            "pave-1", "2026-03-12T16:00:00+00:00", purchase_line="SUB-PAVE-1", percent_complete=30
        )
        self.assertEqual(event.state, "done", event.error_message)
        application = self.order.construction_pay_application_ids
        self.assertEqual((application.source, application.state), ("field", "draft"))
        self.assertEqual(application.line_ids.completed_quantity, 2400)
        self.assertEqual(self.sov_line.qty_received, 0, "nothing is received before approval")
        again = self.confirm_work(
            "pave-2", "2026-03-13T16:00:00+00:00", purchase_line="SUB-PAVE-1", quantity=2600
        )
        self.assertEqual(again.state, "done", again.error_message)
        self.assertEqual(self.order.construction_pay_application_ids, application)
        self.assertEqual(application.line_ids.completed_quantity, 2600)
        self.assert_figures(self.paving, 8000, 0)
