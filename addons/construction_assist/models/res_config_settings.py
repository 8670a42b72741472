from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_assist_max_labor_hours = fields.Float(
        related="company_id.construction_assist_max_labor_hours", readonly=False
    )
    construction_assist_max_equipment_hours = fields.Float(
        related="company_id.construction_assist_max_equipment_hours", readonly=False
    )
    construction_assist_material_tolerance = fields.Float(
        related="company_id.construction_assist_material_tolerance", readonly=False
    )
    construction_assist_pace_tolerance = fields.Float(
        related="company_id.construction_assist_pace_tolerance", readonly=False
    )
