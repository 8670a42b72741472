from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestCommitment(SubcontractCase):
    def test_a_subcontract_from_a_budget_line_carries_its_schedule_of_values(self):
        self.assert_figures(self.paving, 0, 0)
        order = self.subcontract_from_budget(8000)
        self.assertTrue(order.construction_subcontract)
        self.assertEqual(order.project_id, self.project)
        self.assertEqual(order.construction_retainage_percent, 10.0)
        self.assertTrue(order.construction_requires_insurance)
        line = order.order_line
        self.assertEqual((line.product_qty, line.price_unit, line.price_subtotal), (8000, 1, 8000))
        self.assertEqual(line._construction_cost_code(), self.code_paving)
        self.assertEqual(
            line.analytic_distribution,
            {f"{self.project_account.id},{self.code_paving.analytic_account_id.id}": 100},
        )
        self.assert_figures(self.paving, 8000, 0)

    def test_the_wizard_proposes_what_is_left_of_the_budget(self):
        wizard = (
            self.env["construction.subcontract.wizard"]
            .with_user(self.buyer_controller)
            .with_context(active_model="construction.budget.line", active_ids=self.paving.ids)
            .create({"partner_id": self.subcontractor.id})
        )
        self.assertEqual(wizard.line_ids.amount, 9000)
        self.assertEqual(wizard.line_ids.name, self.code_paving.display_name)

    def test_a_draft_subcontract_commits_nothing_and_a_cancelled_one_frees_it(self):
        order = self.subcontract_from_budget(8000)
        self.assert_figures(self.paving, 8000, 0)
        order.button_cancel()
        self.assert_figures(self.paving, 0, 0)

    def test_a_subcontract_over_the_budget_is_refused_like_any_purchase(self):
        with self.refused(UserError, "exceeds the remaining budget"):
            self.subcontract_from_budget(9500)
        self.assert_figures(self.paving, 0, 0)

    def test_a_subcontract_by_hand_needs_a_project_and_a_sane_retainage(self):
        order = self.make_po(self.subcontractor, self.product_striping, 100, 5, self.code_striping)
        with self.refused(ValidationError, "needs a project"):
            order.construction_subcontract = True
        with self.refused(ValidationError, "between 0 and 100"):
            order.write(
                {
                    "construction_subcontract": True,
                    "project_id": self.project.id,
                    "construction_retainage_percent": 120,
                }
            )

    def test_confirming_and_cancelling_publish_the_commitment(self):
        order = self.subcontract_from_budget(8000)
        confirmed = self.deliveries("commitment.changed")
        self.assertEqual(len(confirmed), 1)
        self.assertEqual(confirmed[0]["order"], order.name)
        self.assertEqual(confirmed[0]["state"], "purchase")
        self.assertEqual(confirmed[0]["vendor"], "Test Paving Subs Inc")
        self.assertEqual(
            confirmed[0]["lines"],
            [
                {
                    "id": order.order_line.id,
                    "description": self.code_paving.display_name,
                    "cost_code": self.code_paving.code,
                    "change_order": None,
                    "scheduled_value": 8000.0,
                    "billed": 0.0,
                    "committed": 8000.0,
                }
            ],
        )
        order.button_cancel()
        cancelled = self.deliveries("commitment.changed")[-1]
        self.assertEqual((cancelled["state"], cancelled["lines"][0]["committed"]), ("cancel", 0))

    def test_an_ordinary_purchase_publishes_no_commitment(self):
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 10, 90, self.code_paving)
        order.button_confirm()
        self.assertEqual(self.deliveries("commitment.changed"), [])
