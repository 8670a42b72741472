from odoo import fields, models

REPAIR_TASK_GROUPINGS = [
    ("defect", "One task per defect"),
    ("area", "One task per area"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_repair_task_grouping = fields.Selection(
        REPAIR_TASK_GROUPINGS,
        string="Repair Tasks",
        default="defect",
        required=True,
        help="How confirmed defects become repair tasks on their project: a task for "
        "each defect, or one task for the defects of each area of a site (defects "
        "outside every area share one task per site).",
    )
