from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_retention_account_id = fields.Many2one(
        related="company_id.construction_retention_account_id", readonly=False
    )
    construction_wip_overbilled_account_id = fields.Many2one(
        related="company_id.construction_wip_overbilled_account_id", readonly=False
    )
    construction_wip_underbilled_account_id = fields.Many2one(
        related="company_id.construction_wip_underbilled_account_id", readonly=False
    )
