from odoo import fields, models


class ConstructionSubcontractWizardLine(models.TransientModel):
    _name = "construction.subcontract.wizard.line"
    _description = "Schedule of Values Line to Subcontract"

    wizard_id = fields.Many2one(
        "construction.subcontract.wizard", required=True, ondelete="cascade"
    )
    budget_line_id = fields.Many2one("construction.budget.line", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="budget_line_id.currency_id")
    name = fields.Char("Description", required=True)
    remaining = fields.Monetary(related="budget_line_id.remaining", string="Budget Remaining")
    amount = fields.Monetary("Scheduled Value")
