from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_budget_check = fields.Selection(
        related="company_id.construction_budget_check", readonly=False
    )
