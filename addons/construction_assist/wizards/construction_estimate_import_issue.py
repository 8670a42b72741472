from odoo import fields, models
from odoo.exceptions import UserError


class ConstructionEstimateImportIssue(models.TransientModel):
    _inherit = "construction.estimate.import.issue"

    assist_decision_id = fields.Many2one("construction.assist.decision", "Suggestions")
    assist_written = fields.Char("Written As")
    assist_code_1_id = fields.Many2one(related="assist_decision_id.code_1_id")
    assist_confidence_1 = fields.Float(related="assist_decision_id.confidence_1")
    assist_code_2_id = fields.Many2one(related="assist_decision_id.code_2_id")
    assist_code_3_id = fields.Many2one(related="assist_decision_id.code_3_id")

    def action_assist_accept(self):
        """Accept suggestion ``assist_rank`` (from the button's context):
        the text written in the file becomes a cost code value map of the
        profile's system (never one every system shares), so this import and
        the next resolve it; the preview is made again. The estimator's
        click is the decision: the map is written for them."""
        self.ensure_one()
        decision = self.assist_decision_id
        code = decision[f"code_{self.env.context.get('assist_rank', 1)}_id"]
        if not code or not self.assist_written:
            raise UserError(
                self.env._("A row without a cost code is given one in the file, not mapped.")
            )
        system = self.wizard_id.profile_id.system_id
        if not system:
            raise UserError(
                self.env._(
                    "The import profile has no external system to map %(value)r for: choose "
                    "the code in the file, or give the profile its system.",
                    value=self.assist_written,
                )
            )
        self.env["construction.sync.value.map"].sudo().create(
            {
                "system_id": system.id,
                "kind": "cost_code",
                "external_value": self.assist_written,
                "internal_reference": f"construction.cost.code,{code.id}",
            }
        )
        decision._decide(code == decision.code_1_id, code)
        return self.wizard_id.action_preview()
