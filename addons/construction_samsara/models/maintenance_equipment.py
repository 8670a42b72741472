from odoo import fields, models


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    construction_assignment_ids = fields.One2many(
        "construction.equipment.assignment", "equipment_id", "Project Assignments"
    )
    construction_project_id = fields.Many2one(
        "project.project",
        "Default Project",
        check_company=True,
        help="Project its telematics hours are booked on when no assignment covers the day.",
    )
    construction_cost_code_id = fields.Many2one(
        "construction.cost.code",
        "Default Cost Code",
        check_company=True,
        help="Cost code of those hours when no assignment covers the day.",
    )
