from odoo import Command
from odoo.exceptions import UserError

from .common import EstimateBridgeCase


class TestProcurement(EstimateBridgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.budget = cls.budgeted_estimate().budget_id
        cls.budget.action_approve()

    def rfq_wizard(self, cost_codes):
        return self.open_rfq_wizard(
            self.budget.line_ids.filtered(lambda line: line.cost_code_id in cost_codes)
        )

    def test_rfqs_grouped_by_vendor_with_analytic_distribution(self):
        wizard = self.rfq_wizard(self.code_paving | self.code_striping)
        self.assertEqual(wizard.vendor_count, 2)
        action = wizard.action_create_rfqs()
        orders = self.env["purchase.order"].search(action["domain"])
        self.assertEqual(orders.partner_id, self.vendor_asphalt | self.vendor_striping)
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        asphalt = orders.filtered(lambda order: order.partner_id == self.vendor_asphalt)
        line = asphalt.order_line
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_id, self.product_asphalt)
        self.assertEqual((line.product_qty, line.price_unit), (100, 90))
        self.assertEqual(line.product_uom, self.uom_ton)
        # the buyer sees which estimate line each purchase line orders, and back
        paving = self.budget.estimate_id.line_ids.filtered(
            lambda estimate_line: estimate_line.external_line_id == "L1"
        )
        self.assertEqual(
            line.with_user(self.buyer_controller).construction_estimate_line_id, paving
        )
        self.assertEqual(paving.purchase_line_ids, line)
        # a buyer without a construction role still opens the order, without the link
        buyer = self.users["purchase"]
        arch = asphalt.with_user(buyer).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("construction_estimate_line_id", arch)
        self.assertEqual(
            asphalt.with_user(buyer).order_line.read(["product_qty"])[0]["product_qty"], 100
        )
        self.assertEqual(
            line.analytic_distribution,
            {f"{self.project_account.id},{self.code_paving.analytic_account_id.id}": 100},
        )
        striping = orders.filtered(lambda order: order.partner_id == self.vendor_striping)
        self.assertEqual(striping.order_line.product_uom, self.uom_foot)
        self.assertEqual(striping.order_line.product_qty, 2000)
        # confirming the RFQ as is stays within the budget and commits it
        asphalt.button_confirm()
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_paving).committed, 9000)
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_paving).remaining, 0)

    def test_lines_without_vendor_or_product_are_named(self):
        wizard = self.rfq_wizard(self.code_traffic)
        with self.assertRaisesRegex(UserError, "Traffic control"):
            wizard.action_create_rfqs()

    def test_budget_check_blocks_an_overrun(self):
        self.company.construction_budget_check = "block"
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 101, 90, self.code_paving)
        with self.assertRaisesRegex(UserError, r"(?s)exceeds the remaining budget.*9,090\.00"):
            order.button_confirm()
        self.assertEqual(order.state, "draft")
        within = self.make_po(self.vendor_asphalt, self.product_asphalt, 100, 90, self.code_paving)
        within.button_confirm()
        self.assertEqual(within.state, "purchase")

    def test_rfqs_are_refused_from_a_budget_not_approved(self):
        self.budget.action_reset_to_draft()
        wizard = self.rfq_wizard(self.code_paving)
        with self.assertRaisesRegex(UserError, r"Only approved budgets.*Parking lot.*\(draft\)"):
            wizard.action_create_rfqs()
        self.assertFalse(
            self.env["purchase.order"].search([("partner_id", "=", self.vendor_asphalt.id)])
        )
        self.budget.action_approve()
        self.budget.action_close()
        with self.assertRaisesRegex(UserError, r"\(closed\)"):
            self.rfq_wizard(self.code_paving).action_create_rfqs()

    def test_budget_check_counts_only_approved_budgets(self):
        self.company.construction_budget_check = "block"
        self.budget.action_reset_to_draft()
        # a draft budget is no limit yet: 101 t at 90 passes though it budgets 100 t
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 101, 90, self.code_paving)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")
        # once approved, the same order no longer fits what remains
        self.budget.action_approve()
        again = self.make_po(self.vendor_asphalt, self.product_asphalt, 1, 90, self.code_paving)
        with self.assertRaisesRegex(UserError, "exceeds the remaining budget"):
            again.button_confirm()

    def test_budget_check_can_require_a_controller_approval(self):
        self.company.construction_budget_check = "approval"
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 120, 90, self.code_paving)
        buyer = self.users["purchase"]
        with self.assertRaisesRegex(UserError, "project controller must approve"):
            order.with_user(buyer).button_confirm()
        with self.assertRaisesRegex(UserError, "Only a project controller"):
            order.with_user(buyer).action_construction_approve_overrun()
        order.with_user(self.users["administrator"]).action_construction_approve_overrun()
        self.assertEqual(order.construction_budget_approver_id, self.users["administrator"])
        order.with_user(buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertTrue(self.budget_line(self.budget, self.code_paving).over_budget)

    def test_budget_check_can_be_off(self):
        self.company.construction_budget_check = "none"
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 500, 90, self.code_paving)
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_orders_without_cost_code_are_not_checked(self):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor_asphalt.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_asphalt.id,
                            "product_qty": 1000,
                            "price_unit": 90,
                        },
                    )
                ],
            }
        )
        order.button_confirm()
        self.assertEqual(order.state, "purchase")

    def test_budget_check_setting_is_in_construction_settings(self):
        settings = self.env["res.config.settings"].create({"construction_budget_check": "approval"})
        settings.execute()
        self.assertEqual(self.company.construction_budget_check, "approval")

    def test_rfqs_order_only_what_is_not_ordered_yet(self):
        self.rfq_wizard(self.code_paving).action_create_rfqs()
        again = self.rfq_wizard(self.code_paving)
        proposal = again.line_ids
        self.assertEqual(
            (proposal.needed_quantity, proposal.ordered_quantity, proposal.quantity), (100, 100, 0)
        )
        with self.assertRaisesRegex(UserError, "already on purchase orders"):
            again.action_create_rfqs()

    def test_approved_change_order_adds_the_quantity_still_to_order(self):
        self.make_po(
            self.vendor_asphalt, self.product_asphalt, 60, 90, self.code_paving
        ).button_confirm()
        cancelled = self.make_po(
            self.vendor_asphalt, self.product_asphalt, 40, 90, self.code_paving
        )
        cancelled.button_cancel()
        order = self.env["construction.change.order"].create(
            {
                "title": "Thicker overlay at the entrance",
                "budget_id": self.budget.id,
                "reason": "Base failure found by the crew.",
                "line_ids": [
                    Command.create(
                        {
                            "cost_code_id": self.code_paving.id,
                            "quantity_delta": 10,
                            "amount_delta": 900,
                        }
                    )
                ],
            }
        )
        order.with_user(self.users["controller"]).action_approve()
        wizard = self.rfq_wizard(self.code_paving)
        proposal = wizard.line_ids
        self.assertEqual(proposal.estimate_line_id.external_line_id, "L1")
        # revised 110 t, 60 t on a confirmed order, the cancelled one does not count
        self.assertEqual(
            (proposal.needed_quantity, proposal.ordered_quantity, proposal.quantity), (110, 60, 50)
        )
        proposal.quantity = 45
        action = wizard.action_create_rfqs()
        rfq = self.env["purchase.order"].search(action["domain"])
        self.assertEqual(
            (rfq.order_line.product_qty, rfq.order_line.product_uom), (45, self.uom_ton)
        )
        self.assertEqual(self.rfq_wizard(self.code_paving).line_ids.quantity, 5)
