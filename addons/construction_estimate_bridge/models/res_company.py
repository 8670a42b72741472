from odoo import fields, models

BUDGET_CHECKS = [
    ("none", "No check"),
    ("approval", "Require a project controller's approval"),
    ("block", "Block"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_budget_check = fields.Selection(
        BUDGET_CHECKS,
        string="Budget Check on Purchases",
        default="block",
        required=True,
        help="What happens when a confirmed purchase order would exceed the remaining "
        "budget of a project's cost code.",
    )
