from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PDF, SubcontractCase


@tagged("post_install", "-at_install")
class TestCompliance(SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.subcontract_from_budget(8000)
        cls.order.user_id = cls.buyer_controller
        cls.daily_log(cls.today)

    def approved(self, done, period_end=None):
        application = self.PayApp.create(
            {"order_id": self.order.id, "period_end": period_end or self.today}
        )
        application.line_ids.completed_quantity = done
        application.with_user(self.buyer_controller).action_approve()
        return self.post(application.move_id)

    def test_a_bill_without_valid_insurance_cannot_be_paid(self):
        bill = self.approved(2000)
        with self.refused(UserError, "no certificate of insurance valid on"):
            self.pay(bill)
        self.assertEqual(bill.payment_state, "not_paid")
        expired = self.insurance(expiry=self.today - timedelta(days=1))
        with self.refused(UserError, "Test Paving Subs Inc has no certificate"):
            self.pay(bill)
        expired.date_expiry = self.today + timedelta(days=90)
        self.pay(bill)
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_a_certificate_valid_today_is_not_valid_for_a_later_payment_date(self):
        self.insurance(expiry=self.today + timedelta(days=5))
        bill = self.approved(2000)
        with self.refused(UserError, "no certificate of insurance"):
            self.pay(bill, on_date=self.today + timedelta(days=6))
        self.pay(bill, on_date=self.today + timedelta(days=5))

    def test_the_next_bill_waits_for_the_unconditional_waiver_of_the_previous_payment(self):
        self.insurance()
        first = self.approved(2000)
        self.pay(first)
        later = self.today + timedelta(days=31)
        self.daily_log(later)
        second = self.approved(4000, period_end=later)
        previous = first.construction_subcontract_application_id
        self.waiver(self.order, "conditional", application=previous)
        with self.refused(UserError, "unconditional lien waiver of the previous payment"):
            self.pay(second)
        self.waiver(self.order, "unconditional", application=previous)
        self.pay(second)
        self.assertIn(second.payment_state, ("paid", "in_payment"))

    def test_a_subcontract_that_requires_nothing_pays_freely(self):
        self.order.write(
            {"construction_requires_insurance": False, "construction_requires_lien_waivers": False}
        )
        self.pay(self.approved(2000))

    def test_ordinary_vendor_bills_are_not_held(self):
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 10, 90, self.code_paving)
        order.button_confirm()
        self.pay(self.bill(order, 10))

    def test_the_buyer_gets_an_activity_thirty_days_before_a_certificate_expires(self):
        soon = self.insurance(expiry=self.today + timedelta(days=30))
        later = self.insurance(expiry=self.today + timedelta(days=31))
        Document = self.env["construction.subcontract.document"]
        Document._cron_expiring_certificates()
        self.assertEqual(soon.activity_ids.user_id, self.buyer_controller)
        self.assertIn("expires", soon.activity_ids.summary)
        self.assertFalse(later.activity_ids)
        Document._cron_expiring_certificates()
        self.assertEqual(len(soon.activity_ids), 1, "one reminder per expiry date")
        soon.date_expiry = self.today + timedelta(days=20)
        Document._cron_expiring_certificates()
        self.assertEqual(len(soon.activity_ids), 2, "a new expiry date is a new reminder")

    def test_documents_say_what_they_are(self):
        with self.refused(ValidationError, "has an expiry date"):
            self.Document.create(
                {"name": "COI", "partner_id": self.subcontractor.id, "attachment": PDF}
            )
        with self.refused(ValidationError, "conditional"):
            self.Document.create(
                {
                    "name": "Waiver",
                    "kind": "lien_waiver",
                    "partner_id": self.subcontractor.id,
                    "attachment": PDF,
                }
            )

    def test_retainage_is_released_only_at_completion_against_the_final_waiver(self):
        self.insurance()
        first = self.approved(8000)
        self.pay(first)
        self.assertAlmostEqual(self.order.construction_retainage_held, 800)
        release = self.order.with_user(self.buyer_controller)
        with self.refused(UserError, "final unconditional lien waiver"):
            release.action_construction_release_retainage()
        self.waiver(self.order, "conditional", "final")
        with self.refused(UserError, "final unconditional lien waiver"):
            release.action_construction_release_retainage()
        self.waiver(self.order, "unconditional", "final")
        bill = release.action_construction_release_retainage()
        self.assertEqual(bill.construction_retainage_order_id, self.order)
        self.assertAlmostEqual(bill.amount_total, 800)
        self.assertEqual(bill.invoice_line_ids.account_id, self.retainage_account)
        self.assertAlmostEqual(self.order.construction_retainage_held, 0)
        self.post(bill)
        self.pay(bill)
        retained = self.env["account.move.line"].search(
            [("account_id", "=", self.retainage_account.id), ("parent_state", "=", "posted")]
        )
        self.assertAlmostEqual(sum(retained.mapped("balance")), 0)
        with self.refused(UserError, "already released"):
            release.action_construction_release_retainage()

    def test_retainage_is_not_released_before_completion(self):
        self.insurance()
        self.approved(6000)
        self.waiver(self.order, "unconditional", "final")
        with self.refused(UserError, "is not complete"):
            self.order.with_user(self.buyer_controller).action_construction_release_retainage()
