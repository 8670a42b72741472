from odoo import Command
from odoo.exceptions import UserError
from odoo.tests.common import new_test_user

from .common import EstimateBridgeCase


class TestSeparationOfDuties(EstimateBridgeCase):
    """Nobody approves what they proposed (a change order, a budget, a
    budget overrun), and above the company's limit an administrator approves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.construction_approval_limit = 0
        cls.budget = cls.budgeted_estimate().budget_id
        cls.controller = cls.users["controller"]
        cls.second_controller = new_test_user(
            cls.env,
            login="sod_second_controller",
            groups="construction_sync.group_construction_sync_controller,"
            "purchase.group_purchase_user",
        )

    def change_order(self, user, amount=900):
        return (
            self.env["construction.change.order"]
            .with_user(user)
            .create(
                {
                    "title": "Extra patching",
                    "budget_id": self.budget.id,
                    "reason": "Base failure at the entrance.",
                    "line_ids": [
                        Command.create(
                            {"cost_code_id": self.code_paving.id, "amount_delta": amount}
                        )
                    ],
                }
            )
        )

    def test_a_controller_cannot_approve_their_own_change_order(self):
        order = self.change_order(self.controller)
        order.action_submit()
        with self.assertRaisesRegex(UserError, "You proposed change order .*another person"):
            order.action_approve()
        self.assertEqual(order.state, "submitted")
        self.assertAlmostEqual(self.budget.approved_changes, 0)
        order.with_user(self.second_controller).action_approve()
        self.assertEqual(order.approved_by_id, self.second_controller)
        self.assertAlmostEqual(self.budget.approved_changes, 900)

    def test_who_submits_an_estimators_change_order_does_not_approve_it(self):
        order = self.change_order(self.users["estimator"])
        order.with_user(self.controller).action_submit()
        self.assertEqual(order.submitted_by_id, self.controller)
        with self.assertRaisesRegex(UserError, "another person"):
            order.with_user(self.controller).action_approve()
        order.with_user(self.second_controller).action_approve()
        self.assertEqual(order.state, "approved")

    def test_who_resets_a_budget_proposes_it_again(self):
        budget = self.budget.with_user(self.controller)
        budget.action_approve()
        budget.action_reset_to_draft()
        self.assertEqual(budget.proposed_by_id, self.controller)
        with self.assertRaisesRegex(UserError, "another person"):
            budget.action_approve()
        self.assertEqual(budget.state, "draft")
        self.budget.with_user(self.second_controller).action_approve()
        self.assertEqual(self.budget.state, "approved")

    def test_above_the_limit_an_administrator_approves(self):
        self.company.construction_approval_limit = 500
        order = self.change_order(self.users["estimator"], amount=-800)
        order.with_user(self.users["estimator"]).action_submit()
        with self.assertRaisesRegex(UserError, "above the .*500.* Construction Administrator"):
            order.with_user(self.controller).action_approve()
        order.with_user(self.users["administrator"]).action_approve()
        self.assertEqual(order.approved_by_id, self.users["administrator"])
        # below the limit a project controller is enough
        small = self.change_order(self.users["estimator"], amount=300)
        small.with_user(self.controller).action_approve()
        self.assertEqual(small.state, "approved")
        # the budget of 10,600 is above it too
        self.budget.action_reset_to_draft()
        with self.assertRaisesRegex(UserError, "Construction Administrator"):
            self.budget.with_user(self.controller).action_approve()

    def test_the_buyer_of_an_order_cannot_approve_its_overrun(self):
        self.budget.with_user(self.controller).action_approve()
        self.company.construction_budget_check = "approval"
        buyer = self.buyer_controller
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 120, 90, self.code_paving)
        order.with_user(buyer).user_id = buyer
        with self.assertRaisesRegex(UserError, "You proposed the budget overrun"):
            order.with_user(buyer).action_construction_approve_overrun()
        self.assertFalse(order.construction_budget_approver_id)
        # 20 t at 90 beyond the budget: above a limit of 1,000 only an administrator
        self.company.construction_approval_limit = 1000
        with self.assertRaisesRegex(UserError, "1,800.00.*Construction Administrator"):
            order.with_user(self.second_controller).action_construction_approve_overrun()
        self.company.construction_approval_limit = 2000
        order.with_user(self.second_controller).action_construction_approve_overrun()
        self.assertEqual(order.construction_budget_approver_id, self.second_controller)
        order.with_user(buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
