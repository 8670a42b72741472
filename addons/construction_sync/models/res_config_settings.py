from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_cost_code_plan_id = fields.Many2one(
        "account.analytic.plan",
        string="Cost Codes Plan",
        default=lambda self: self.env["construction.cost.code"]._cost_code_plan(),
        readonly=True,
    )
    construction_cost_code_applicability = fields.Selection(
        related="construction_cost_code_plan_id.default_applicability",
        readonly=False,
        string="Cost Code on Entries",
    )
