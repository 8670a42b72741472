from odoo import api, fields, models
from odoo.addons.construction_sync.lib.reference import value_key
from odoo.exceptions import ValidationError

from ..exceptions import EvidenceValidationError


class ConstructionPhotoStage(models.Model):
    _name = "construction.photo.stage"
    _description = "Photo Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable value field platforms send, e.g. before, during, after.",
    )
    sequence = fields.Integer(default=10)
    approved = fields.Boolean(
        default=True,
        help="Only approved, active stages are accepted on photos.",
    )
    active = fields.Boolean(default=True)
    description = fields.Text()

    _sql_constraints = [
        ("code_uniq", "unique (code)", "A photo stage code must be unique."),
    ]

    @api.model
    def _resolve(self, value):
        """The approved, active stage whose code or name is ``value``
        (case-insensitive); raises ``unknown_stage`` otherwise."""
        stage = self._construction_sync_match(value, None)[:1]
        if not stage:
            approved = ", ".join(self.search([("approved", "=", True)]).mapped("code"))
            raise EvidenceValidationError(
                "unknown_stage",
                self.env._(
                    "Photo stage %(stage)r is not an approved stage. Use one of: %(stages)s.",
                    stage=value or "",
                    stages=approved,
                ),
            )
        return stage

    @api.model
    def _construction_sync_match(self, reference, _company):
        """Natural key for the sync resolver: the code or name of an
        approved stage, blanks around it and case ignored; compared, never
        used as a search pattern."""
        wanted = value_key(reference)
        if not wanted:
            return self.browse()
        return self.search([("approved", "=", True)]).filtered(
            lambda stage: wanted in (value_key(stage.code), value_key(stage.name))
        )

    @api.constrains("code")
    def _check_code(self):
        for stage in self:
            if not stage.code.replace("_", "").isalnum() or stage.code != stage.code.lower():
                raise ValidationError(
                    self.env._(
                        "Stage code %(code)r may only hold lowercase letters, digits and '_'.",
                        code=stage.code,
                    )
                )
