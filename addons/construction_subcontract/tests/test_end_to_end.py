"""A subcontract from its budget line to the release of its retainage, with
the budget's committed, actual and remaining cost checked at every step."""

import re
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestSubcontractEndToEnd(HttpCase, SubcontractCase):
    def approve(self, application):
        application.with_user(self.buyer_controller).action_approve()
        return application.move_id

    def test_budget_line_to_retainage_release_keeps_the_budget_right_at_every_step(self):
        today = self.today
        paving, traffic = self.paving, self.traffic
        self.assert_figures(paving, 0, 0)

        # Budget line -> subcontract of 8,000 with 10 % retainage.
        order = self.subcontract_from_budget(8000)
        line = order.order_line
        self.assert_figures(paving, 8000, 0)
        self.env["construction.sync.binding"].create(
            {
                "system_id": self.field_system.id,
                "res_model": "purchase.order.line",
                "res_id": line.id,
                "external_id": "SUB-PAVE-1",
            }
        )
        expired = self.insurance(expiry=today - timedelta(days=1))

        # Period 1 from the field platform: 25 % done.
        event = self.confirm_work(
            "pave-1", "2026-03-12T16:00:00+00:00", purchase_line="SUB-PAVE-1", percent_complete=25
        )
        self.assertEqual(event.state, "done", event.error_message)
        first = order.construction_pay_application_ids
        self.assertEqual((first.source, first.line_ids.completed_quantity), ("field", 2000))
        self.assert_figures(paving, 8000, 0)
        self.daily_log(today)
        first_bill = self.approve(first)
        self.assertAlmostEqual(first_bill.amount_total, 1800)  # 2,000 less 200 retainage
        self.assert_figures(paving, 8000, 0)  # a draft bill is no cost yet
        self.post(first_bill)
        self.assert_figures(paving, 6000, 2000)

        # A payment blocked by an expired certificate, then allowed.
        with self.refused(UserError, "no certificate of insurance valid"):
            self.pay(first_bill)
        expired.date_expiry = today + timedelta(days=365)
        self.pay(first_bill)
        self.assertIn(first_bill.payment_state, ("paid", "in_payment"))
        self.assert_figures(paving, 6000, 2000)

        # The contractor cleans up after the subcontractor (300 on traffic
        # control) and back charges it; the subcontractor agrees.
        cleanup = self.make_po(
            self.vendor_striping, self.product_striping, 600, 0.5, self.code_traffic
        )
        cleanup.button_confirm()
        self.bill(cleanup, 600)
        self.assert_figures(traffic, 0, 300)
        charge = self.BackCharge.with_user(self.buyer_controller).create(
            {
                "order_id": order.id,
                "name": "Clean-up of tack coat on the sidewalk",
                "amount": 300,
                "cost_code_id": self.code_traffic.id,
            }
        )
        charge.action_agree()

        # Period 2 on the portal: 75 % done.
        later = today + timedelta(days=31)
        self.authenticate("subk_portal", "subk_portal")
        page = self.url_open(f"/my/subcontracts/{order.id}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        response = self.url_open(
            f"/my/subcontracts/{order.id}/pay-application",
            data={"csrf_token": token, f"done_{line.id}": "6000", "period_end": str(later)},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, response.text)
        second = order.construction_pay_application_ids - first
        self.assertEqual((second.source, second.state), ("portal", "submitted"))
        self.assert_figures(paving, 6000, 2000)
        self.daily_log(later - timedelta(days=2))
        second_bill = self.approve(second)
        # 4,000 of work, 400 retainage withheld, 300 back charge deducted.
        self.assertAlmostEqual(second.previous_certificates, 1800)
        self.assertAlmostEqual(second.current_payment_due, 3600)
        self.assertAlmostEqual(second_bill.amount_total, 3300)
        self.post(second_bill)
        self.assert_figures(paving, 2000, 6000)
        self.assert_figures(traffic, 0, 0)  # the back charge recovered the clean-up

        # The next payment waits for the unconditional waiver of the first.
        with self.refused(UserError, "waiver of the previous payment"):
            self.pay(second_bill)
        self.waiver(order, "unconditional", application=first)
        self.pay(second_bill)

        # Final: the project manager enters 100 %.
        final_day = today + timedelta(days=62)
        final = self.PayApp.with_user(self.buyer_controller).create(
            {"order_id": order.id, "period_end": final_day}
        )
        final.line_ids.percent_complete = 100
        self.daily_log(final_day)
        final_bill = self.post(self.approve(final))
        self.assertAlmostEqual(final_bill.amount_total, 1800)  # 2,000 less 200
        self.assert_figures(paving, 0, 8000)
        self.waiver(order, "unconditional", application=second)
        self.pay(final_bill)
        self.assertAlmostEqual(order.construction_retainage_held, 800)

        # Retainage released after the final unconditional waiver.
        with self.refused(UserError, "final unconditional lien waiver"):
            order.with_user(self.buyer_controller).action_construction_release_retainage()
        self.waiver(order, "unconditional", "final")
        release = order.with_user(self.buyer_controller).action_construction_release_retainage()
        self.assertAlmostEqual(release.amount_total, 800)
        self.post(release)
        self.pay(release)
        self.assert_figures(paving, 0, 8000)
        self.assertAlmostEqual(paving.remaining, 1000)
        retained = self.env["account.move.line"].search(
            [("account_id", "=", self.retainage_account.id), ("parent_state", "=", "posted")]
        )
        self.assertAlmostEqual(sum(retained.mapped("balance")), 0)
        bills = first_bill | second_bill | final_bill | release
        self.assertAlmostEqual(sum(bills.mapped("amount_total")), 8000 - 300)
        self.assertTrue(all(bill.payment_state in ("paid", "in_payment") for bill in bills))
        self.assertEqual(len(self.deliveries("subcontract.pay_application.approved")), 3)
