from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_subcontract_retainage_percent = fields.Float(
        related="company_id.construction_subcontract_retainage_percent", readonly=False
    )
    construction_retainage_payable_account_id = fields.Many2one(
        related="company_id.construction_retainage_payable_account_id", readonly=False
    )
    construction_back_charge_account_id = fields.Many2one(
        related="company_id.construction_back_charge_account_id", readonly=False
    )
