from odoo import api, fields, models
from odoo.addons.construction_sync.models.construction_cost_code import COST_TYPES


class ConstructionBillingMarkup(models.Model):
    """A company's markup on cost when an estimate becomes a contract: per
    cost type; a line's own markup (on the estimate line) overrides it."""

    _name = "construction.billing.markup"
    _description = "Construction Billing Markup Rule"
    _order = "company_id, cost_type"
    _rec_name = "cost_type"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    cost_type = fields.Selection(COST_TYPES, required=True)
    percent = fields.Float("Markup %", digits=(16, 4), required=True)

    _sql_constraints = [
        (
            "cost_type_uniq",
            "unique (company_id, cost_type)",
            "A company has one markup per cost type.",
        ),
    ]

    @api.model
    def _percents(self, company):
        """``{cost type: markup percent}`` of ``company``."""
        rules = self.search([("company_id", "=", company.id)])
        return {rule.cost_type: rule.percent for rule in rules}
