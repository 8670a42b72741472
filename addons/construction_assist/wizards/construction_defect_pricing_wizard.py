from odoo import Command, fields, models
from odoo.exceptions import UserError


class ConstructionDefectPricingWizard(models.TransientModel):
    _inherit = "construction.defect.pricing.wizard"

    assist_decision_ids = fields.Many2many(
        "construction.assist.decision",
        "construction_assist_pricing_decision_rel",
        string="Suggested Cost Codes",
        readonly=True,
    )
    assist_uncoded = fields.Boolean(compute="_compute_assist_uncoded")

    def _compute_assist_uncoded(self):
        for wizard in self:
            wizard.assist_uncoded = bool(
                wizard.defect_ids.category_id.filtered(lambda category: not category.cost_code_id)
            )

    def action_assist_suggest(self):
        """Suggest a cost code for each category of the selection that has
        none (its lines would be priced without one); a person accepts."""
        self.ensure_one()
        categories = self.defect_ids.category_id.filtered(lambda c: not c.cost_code_id)
        if not categories:
            raise UserError(self.env._("Every category of these defects has its cost code."))
        company = self.estimate_id.company_id or self.env.company
        texts = [
            " ".join(filter(None, [category.name, category.product_id.name]))
            for category in categories
        ]
        found = self.env["construction.assist.model"]._suggest(
            company,
            [
                {"description": text, "product": category.product_id.name}
                for text, category in zip(texts, categories, strict=True)
            ],
        )
        Decision = self.env["construction.assist.decision"]
        decisions = Decision.browse()
        for category, text, suggestions in zip(categories, texts, found, strict=True):
            if suggestions:
                decision = Decision._record_suggestions(
                    company, "defect pricing", text, suggestions
                )
                decision.sudo().category_id = category
                decisions |= decision
        self.assist_decision_ids = [Command.set(decisions.ids)]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
