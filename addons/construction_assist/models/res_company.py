from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_assist_max_labor_hours = fields.Float(
        "Most Labor Hours a Day",
        default=16.0,
        help="Hard limit: a worker's day above it is held for review, whatever the history.",
    )
    construction_assist_max_equipment_hours = fields.Float(
        "Most Equipment Hours a Day",
        default=24.0,
        help="Hard limit: a machine's day above it is held for review, whatever the history.",
    )
    construction_assist_material_tolerance = fields.Float(
        "Material over Estimate (%)",
        default=10.0,
        help="Material consumed on a project beyond its estimated quantity by more than "
        "this share is held for review.",
    )
    construction_assist_pace_tolerance = fields.Float(
        "Budget Pace Tolerance (%)",
        default=25.0,
        help="Cost booked on a cost code whose share of its approved budget runs ahead of "
        "the share of the project's schedule gone by (start to end date) by more points "
        "than this is held for review; without a schedule, cost beyond the budget by more "
        "than this share.",
    )
