from odoo import fields, models


class ConstructionEquipmentRate(models.Model):
    _name = "construction.equipment.rate"
    _description = "Equipment Hourly Rate"
    _order = "equipment_id, date_from desc"
    _rec_name = "date_from"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "maintenance.equipment", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="equipment_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date("Effective From", required=True)
    hourly_rate = fields.Monetary(required=True, help="Job cost of one hour of use.")

    _sql_constraints = [
        (
            "date_uniq",
            "unique (equipment_id, date_from)",
            "An equipment has one rate per effective date.",
        ),
        ("rate_positive", "check (hourly_rate >= 0)", "An hourly rate cannot be negative."),
    ]
