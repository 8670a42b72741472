from odoo import fields, models


class ConstructionLegalHoldWizard(models.TransientModel):
    """Asks a Sync Manager why a project goes on legal hold."""

    _name = "construction.legal.hold.wizard"
    _description = "Place a Project on Legal Hold"

    project_id = fields.Many2one("project.project", required=True, ondelete="cascade")
    reason = fields.Text(
        required=True, help="Why the project's records must be kept: the case, claim or audit."
    )

    def action_place(self):
        self.ensure_one()
        self.project_id._construction_place_legal_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
