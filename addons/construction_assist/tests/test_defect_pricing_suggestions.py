from odoo import Command
from odoo.tests import tagged

from .common import AssistCase


@tagged("post_install", "-at_install")
class TestDefectPricingSuggestions(AssistCase):
    def test_a_category_without_cost_code_gets_one_only_when_a_person_accepts(self):
        square_meter = self.env.ref("uom.product_uom_square_meter", raise_if_not_found=False)
        square_meter = square_meter or self.env.ref("uom.uom_square_meter")
        paint = self.env["product.product"].create(
            {
                "name": "Wall paint",
                "type": "service",
                "uom_id": square_meter.id,
                "uom_po_id": square_meter.id,
                "standard_price": 6.0,
            }
        )
        category = self.env["construction.defect.category"].create(
            {
                "name": "Peeling paint on walls",
                "code": "peeling_paint",
                "product_id": paint.id,
                "company_id": self.company.id,
            }
        )
        site = self.env["construction.site"].create(
            {"name": "Block B", "project_id": self.project.id}
        )
        defect = self.env["construction.defect"].create(
            {
                "site_id": site.id,
                "category_id": category.id,
                "quantity": 12,
                "uom_id": square_meter.id,
            }
        )
        defect.action_confirm()
        estimate = self.env["construction.estimate"].create(
            {"name": "Repairs", "project_id": self.project.id, "company_id": self.company.id}
        )
        self.Model._train(self.company)
        controller = self.users["controller"]
        wizard = (
            self.env["construction.defect.pricing.wizard"]
            .with_user(controller)
            .create({"estimate_id": estimate.id, "defect_ids": [Command.set(defect.ids)]})
        )
        self.assertTrue(wizard.assist_uncoded)
        wizard.action_assist_suggest()
        suggestion = wizard.assist_decision_ids
        self.assertEqual(suggestion.code_1_id, self.codes["09 91 91"])
        self.assertFalse(category.cost_code_id, "suggested, not written")
        suggestion.with_user(controller).with_context(assist_rank=1).action_accept()
        self.assertEqual(category.cost_code_id, self.codes["09 91 91"])
        self.assertEqual((suggestion.state, suggestion.decided_by_id), ("accepted", controller))
        wizard.action_price()
        self.assertEqual(estimate.line_ids.cost_code_id, self.codes["09 91 91"])
