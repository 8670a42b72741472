from odoo import api, fields, models
from odoo.exceptions import UserError


class ConstructionReviewWizard(models.TransientModel):
    _name = "construction.review.wizard"
    _description = "Review Decision"

    photo_ids = fields.Many2many("construction.photo", string="Photos")
    defect_ids = fields.Many2many("construction.defect", string="Defects")
    decision = fields.Selection(
        [("reject", "Reject"), ("correct", "Correct the category and confirm")],
        required=True,
        default="reject",
    )
    reason = fields.Text(help="Why the evidence is rejected; kept on the record.")
    category_id = fields.Many2one("construction.defect.category", string="Right Category")

    @api.model
    def _open_for(self, records, decision=None):
        field = "photo_ids" if records._name == "construction.photo" else "defect_ids"
        context = {f"default_{field}": records.ids}
        if decision:
            context["default_decision"] = decision
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Review"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_apply(self):
        self.ensure_one()
        if self.decision == "reject":
            if self.photo_ids:
                self.photo_ids.action_reject(self.reason)
            if self.defect_ids:
                self.defect_ids.action_reject(self.reason)
        else:
            if self.photo_ids:
                raise UserError(self.env._("Only defects have a category to correct."))
            if not self.category_id:
                raise UserError(self.env._("Choose the right category."))
            self.defect_ids.action_correct_category(self.category_id)
        return {"type": "ir.actions.act_window_close"}
