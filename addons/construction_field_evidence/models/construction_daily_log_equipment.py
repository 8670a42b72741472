from odoo import fields, models


class ConstructionDailyLogEquipment(models.Model):
    """Equipment on site that day, as the field reported it."""

    _name = "construction.daily.log.equipment"
    _description = "Daily Log Equipment"
    _order = "log_id, sequence, id"

    log_id = fields.Many2one(
        "construction.daily.log", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="log_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char("Equipment", required=True)
    quantity = fields.Integer(default=1)
    hours = fields.Float(digits=(8, 2), help="Hours it ran.")
    status = fields.Char(help="e.g. Working, Idle, Down")

    _sql_constraints = [
        ("quantity_positive", "check (quantity >= 0)", "A quantity is not negative."),
        ("hours_positive", "check (hours >= 0)", "Hours are not negative."),
    ]
