from odoo import fields, models


class ConstructionDailyLogCrew(models.Model):
    """A crew on site that day: its trade, its company (ours or a
    subcontractor) and its headcount and hours."""

    _name = "construction.daily.log.crew"
    _description = "Daily Log Crew"
    _order = "log_id, sequence, id"

    log_id = fields.Many2one(
        "construction.daily.log", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="log_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    trade = fields.Char(required=True, help="e.g. Carpenters, Laborers, Electricians")
    company_name = fields.Char("Crew Company", help="Our own crew or a subcontractor's.")
    headcount = fields.Integer(required=True, default=1)
    hours = fields.Float(digits=(8, 2), help="Hours the crew worked, all workers together.")

    _sql_constraints = [
        ("headcount_positive", "check (headcount >= 0)", "A headcount is not negative."),
        ("hours_positive", "check (hours >= 0)", "Hours are not negative."),
    ]
