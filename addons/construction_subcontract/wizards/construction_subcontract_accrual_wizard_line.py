from odoo import fields, models


class ConstructionSubcontractAccrualWizardLine(models.TransientModel):
    _name = "construction.subcontract.accrual.wizard.line"
    _inherit = ["analytic.mixin"]
    _description = "Proposed Accrual"

    wizard_id = fields.Many2one(
        "construction.subcontract.accrual.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    name = fields.Char("Source", required=True)
    account_id = fields.Many2one("account.account", "Expense Account", required=True)
    amount = fields.Monetary(required=True)
