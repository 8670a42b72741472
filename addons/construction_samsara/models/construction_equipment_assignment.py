from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ConstructionEquipmentAssignment(models.Model):
    """Which project a piece of equipment works on, from one day to another:
    the hours its telematics report on a day are job cost of that project,
    on the assignment's cost code."""

    _name = "construction.equipment.assignment"
    _description = "Equipment Assignment"
    _order = "equipment_id, date_from desc"
    _check_company_auto = True

    equipment_id = fields.Many2one(
        "maintenance.equipment", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="equipment_id.company_id", store=True, index=True)
    project_id = fields.Many2one(
        "project.project", required=True, ondelete="restrict", index=True, check_company=True
    )
    cost_code_id = fields.Many2one(
        "construction.cost.code",
        required=True,
        ondelete="restrict",
        check_company=True,
        help="Cost code the equipment's hours are booked on.",
    )
    date_from = fields.Date("From", required=True, default=fields.Date.context_today)
    date_to = fields.Date("To", help="Last day on the project; empty while it stays there.")
    note = fields.Char()

    _sql_constraints = [
        (
            "dates_ordered",
            "check (date_to is null or date_to >= date_from)",
            "An assignment ends on or after the day it starts.",
        ),
    ]

    @api.depends("equipment_id", "project_id", "date_from", "date_to")
    def _compute_display_name(self):
        for assignment in self:
            period = (
                f"{assignment.date_from} to {assignment.date_to}"
                if assignment.date_to
                else self.env._("from %(day)s", day=assignment.date_from)
            )
            assignment.display_name = (
                f"{assignment.equipment_id.name} → {assignment.project_id.name} ({period})"
            )

    @api.constrains("equipment_id", "date_from", "date_to")
    def _check_overlap(self):
        """A piece of equipment works on one project a day."""
        for assignment in self:
            domain = [
                ("id", "!=", assignment.id),
                ("equipment_id", "=", assignment.equipment_id.id),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", assignment.date_from),
            ]
            if assignment.date_to:
                domain.append(("date_from", "<=", assignment.date_to))
            other = self.search(domain, limit=1)
            if other:
                raise ValidationError(
                    self.env._(
                        "%(equipment)s is already on %(project)s then (%(other)s): end that "
                        "assignment before this one starts.",
                        equipment=assignment.equipment_id.name,
                        project=other.project_id.name,
                        other=other.display_name,
                    )
                )

    @api.model
    def _on_days(self, pairs):
        """``{(equipment id, day): (project, cost code)}`` for the
        ``(equipment, day)`` pairs given: the equipment's assignment on that
        day, else its default project and cost code when it has both; pairs
        with neither are left out. One search for every pair."""
        pairs = list(pairs)
        if not pairs:
            return {}
        equipment = self.env["maintenance.equipment"].browse({eq.id for eq, _day in pairs})
        days = [day for _eq, day in pairs]
        assignments = self.search(
            [
                ("equipment_id", "in", equipment.ids),
                ("date_from", "<=", max(days)),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", min(days)),
            ]
        )
        found = {}
        for eq, day in pairs:
            match = assignments.filtered(
                lambda a, eq=eq, day=day: (
                    a.equipment_id == eq
                    and a.date_from <= day
                    and (not a.date_to or day <= a.date_to)
                )
            )[:1]
            if match:
                found[eq.id, day] = (match.project_id, match.cost_code_id)
            elif eq.construction_project_id and eq.construction_cost_code_id:
                found[eq.id, day] = (eq.construction_project_id, eq.construction_cost_code_id)
        return found
