from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_budget_check = fields.Selection(
        related="company_id.construction_budget_check", readonly=False
    )
    construction_award_budget = fields.Selection(
        related="company_id.construction_award_budget", readonly=False
    )
    construction_approval_limit = fields.Monetary(
        related="company_id.construction_approval_limit", readonly=False
    )
