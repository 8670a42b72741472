from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class ConstructionSubcontractWizard(models.TransientModel):
    _name = "construction.subcontract.wizard"
    _description = "Subcontract from Budget Lines"

    partner_id = fields.Many2one(
        "res.partner", "Subcontractor", required=True, domain=[("is_company", "=", True)]
    )
    retainage_percent = fields.Float(
        "Retainage (%)",
        digits=(5, 2),
        default=lambda self: self.env.company.construction_subcontract_retainage_percent,
    )
    requires_insurance = fields.Boolean(default=True)
    requires_lien_waivers = fields.Boolean(default=True)
    line_ids = fields.One2many(
        "construction.subcontract.wizard.line", "wizard_id", "Schedule of Values"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "construction.budget.line":
            budget_lines = self.env["construction.budget.line"].browse(
                self.env.context.get("active_ids", [])
            )
            values["line_ids"] = [
                Command.create(
                    {
                        "budget_line_id": line.id,
                        "name": line.cost_code_id.display_name,
                        "amount": max(line.remaining, 0.0),
                    }
                )
                for line in budget_lines
            ]
        return values

    def action_create(self):
        """A draft subcontract whose schedule of values has one line per
        budget line, in currency units (quantity = value, unit price 1) so
        that progress bills to the cent."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.amount > 0)
        if not lines:
            raise UserError(self.env._("Give the schedule of values an amount."))
        projects = lines.budget_line_id.project_id
        if len(projects) != 1:
            raise UserError(self.env._("A subcontract is for the budget lines of one project."))
        Order = self.env["purchase.order"]
        order = Order.create(
            {
                "partner_id": self.partner_id.id,
                "company_id": lines.budget_line_id.company_id.id,
                "construction_subcontract": True,
                "project_id": projects.id,
                "construction_retainage_percent": self.retainage_percent,
                "construction_requires_insurance": self.requires_insurance,
                "construction_requires_lien_waivers": self.requires_lien_waivers,
                "order_line": [
                    Command.create(
                        Order._construction_schedule_line(
                            line.budget_line_id.project_id,
                            line.budget_line_id.cost_code_id,
                            line.name,
                            line.amount,
                        )
                    )
                    for line in lines
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "purchase.order",
            "res_id": order.id,
            "view_mode": "form",
        }
