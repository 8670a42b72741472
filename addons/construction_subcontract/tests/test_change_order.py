"""Subcontract change orders: approved by another person than the one who
proposed it, they add to the subcontract's schedule of values, traced to
the change order, and the budget's committed cost follows."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import SubcontractCase


class TestSubcontractChangeOrder(SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.construction_approval_limit = 0
        cls.ChangeOrder = cls.env["construction.change.order"]

    def change_order(self, order, *lines, user=None):
        """A change order of ``order`` proposed by ``user`` (the buyer-controller)."""
        return self.ChangeOrder.with_user(user or self.buyer_controller).create(
            {
                "title": "Subcontract change",
                "budget_id": self.budget.id,
                "reason": "Base failure found under the old asphalt.",
                "subcontract_id": order.id,
                "line_ids": [
                    Command.create(
                        {"cost_code_id": code.id, "amount_delta": amount, "description": text}
                    )
                    for code, amount, text in lines
                ],
            }
        )

    def test_an_approved_change_order_adds_to_the_schedule_of_values_and_committed_follows(self):
        order = self.subcontract_from_budget(8000)
        revised = self.paving.revised
        self.assert_figures(self.paving, 8000, 0)
        change = self.change_order(order, (self.code_paving, 1200, "Extra base repair"))
        change.action_submit()

        # who proposed it cannot approve it: nothing changes
        with self.refused(UserError, "another person must approve it"):
            change.with_user(self.buyer_controller).action_approve()
        self.assertEqual(order.amount_untaxed, 8000)
        self.assert_figures(self.paving, 8000, 0)

        change.with_user(self.users["controller"]).action_approve()
        self.assertEqual(change.state, "approved")
        added = order.order_line.filtered("construction_change_order_id")
        self.assertEqual(added.construction_change_order_id, change)
        self.assertEqual(added.price_subtotal, 1200)
        self.assertIn("Extra base repair", added.name)
        self.assertEqual(order.amount_untaxed, 9200)
        self.assertEqual(self.paving.revised, revised + 1200)
        self.assert_figures(self.paving, 9200, 0)
        published = self.deliveries("commitment.changed")[-1]
        self.assertEqual(
            sorted((line["scheduled_value"], line["change_order"]) for line in published["lines"]),
            [(1200.0, change.name), (8000.0, None)],
        )

        # the next pay application shows the change apart from the original sum
        application = self.PayApp.create({"order_id": order.id})
        self.assertEqual(
            (
                application.original_contract_sum,
                application.net_change_orders,
                application.contract_sum,
            ),
            (8000, 1200, 9200),
        )
        self.assertEqual(len(application.line_ids), 2, "a line per schedule line")

        # a deductive change order takes from the subcontract sum, and joins
        # the open pay application
        deduction = self.change_order(order, (self.code_paving, -500, "Skip the curb ramp"))
        deduction.action_submit()
        deduction.with_user(self.users["controller"]).action_approve()
        self.assertEqual(order.amount_untaxed, 8700)
        self.assertEqual(len(application.line_ids), 3)
        self.assertEqual((application.net_change_orders, application.contract_sum), (700, 8700))
        self.assert_figures(self.paving, 8700, 0)
        self.assertEqual(len(order.order_line.filtered("construction_change_order_id")), 2)

        # the change order keeps the subcontract it changed
        with self.refused(UserError, "keeps the subcontract it changed"):
            change.with_user(self.users["controller"]).subcontract_id = False

    def test_a_subcontract_change_order_is_for_a_confirmed_subcontract_of_its_project(self):
        order = self.subcontract_from_budget(8000)
        other_project = self.env["project.project"].create({"name": "Other yard"})
        elsewhere = self.env["purchase.order"].create(
            {
                "partner_id": self.subcontractor.id,
                "construction_subcontract": True,
                "project_id": other_project.id,
            }
        )
        with self.refused(ValidationError, "a subcontract of its own project"):
            self.change_order(elsewhere, (self.code_paving, 300, "Wrong job"))
        order.button_cancel()
        order.button_draft()
        change = self.change_order(order, (self.code_paving, 300, "Patch"))
        with self.refused(UserError, "Confirm subcontract"):
            change.with_user(self.users["controller"]).action_approve()
        self.assertEqual(change.state, "draft")
        self.assertEqual(order.amount_untaxed, 8000)

    def test_a_subcontractor_can_neither_read_nor_change_a_change_order(self):
        order = self.subcontract_from_budget(8000)
        change = self.change_order(order, (self.code_paving, 1200, "Extra base repair"))
        change.action_submit()
        change.with_user(self.users["controller"]).action_approve()
        with self.assertRaises(AccessError):
            change.with_user(self.sub_user).read(["title"])
        with self.assertRaises(AccessError):
            change.with_user(self.sub_user).write({"title": "Free money"})
        line = order.order_line.filtered("construction_change_order_id")
        with self.assertRaises(AccessError):
            line.with_user(self.sub_user).check_access("write")
        self.assertEqual(order.amount_untaxed, 9200)
