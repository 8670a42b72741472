from odoo import Command
from odoo.exceptions import UserError

from .common import EstimateBridgeCase


class TestChangeOrder(EstimateBridgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.budget = cls.budgeted_estimate().budget_id
        cls.order = cls.env["construction.change.order"].create(
            {
                "title": "Extra patching under the old seal coat",
                "budget_id": cls.budget.id,
                "source": "field",
                "reason": "Crew found base failure at the entrance.",
                "line_ids": [
                    Command.create(
                        {
                            "cost_code_id": cls.code_paving.id,
                            "quantity_delta": 10,
                            "amount_delta": 900,
                        }
                    ),
                    Command.create(
                        {
                            "cost_code_id": cls.code_seal.id,
                            "quantity_delta": 500,
                            "amount_delta": 150,
                        }
                    ),
                    Command.create({"cost_code_id": cls.code_striping.id, "amount_delta": -200}),
                ],
            }
        )

    def test_numbered_and_totalled(self):
        self.assertTrue(self.order.name.startswith("CO/"))
        self.assertAlmostEqual(self.order.amount_total, 850)

    def test_approval_revises_the_budget_and_leaves_a_trail(self):
        self.order.action_submit()
        self.order.with_user(self.users["controller"]).action_approve()
        self.assertEqual(self.order.state, "approved")
        self.assertEqual(self.order.approved_by_id, self.users["controller"])
        paving = self.budget_line(self.budget, self.code_paving)
        self.assertAlmostEqual(paving.approved_changes, 900)
        self.assertAlmostEqual(paving.revised, 9900)
        self.assertAlmostEqual(paving.revised_quantity, 110)
        seal = self.budget_line(self.budget, self.code_seal)
        self.assertAlmostEqual((seal.original, seal.revised), (0, 150))
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_striping).revised, 800)
        self.assertAlmostEqual(self.budget.revised, 10600 + 850)
        trail = self.budget.message_ids.filtered(lambda m: self.order.name in m.body)
        self.assertEqual(len(trail), 1)
        self.assertIn("32 12 16 Asphalt Paving:", trail.body)
        self.assertRegex(trail.body, r"9,000\.00 → \S*9,900\.00")
        with self.assertRaises(UserError):
            self.order.action_approve()

    def test_estimator_may_propose_but_not_approve(self):
        estimator = self.users["estimator"]
        proposed = self.order.with_user(estimator).copy({"title": "Client asks for more stalls"})
        self.assertEqual(proposed.state, "draft")
        with self.assertRaisesRegex(UserError, "project controller"):
            proposed.with_user(estimator).action_approve()
        self.assertAlmostEqual(self.budget.approved_changes, 0)

    def test_rejected_order_leaves_the_budget_alone(self):
        self.order.with_user(self.users["controller"]).action_reject()
        self.assertEqual(self.order.state, "rejected")
        self.assertAlmostEqual(self.budget.revised, 10600)
