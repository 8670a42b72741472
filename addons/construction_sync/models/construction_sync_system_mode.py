from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.problem import ApiError
from .construction_sync_event_type import MODES


class ConstructionSyncSystemMode(models.Model):
    """How a system's events of one type are handled: processed at once or
    in batches, and the schema version the system declares it sends."""

    _name = "construction.sync.system.mode"
    _inherit = ["construction.sync.cached.mixin"]
    _description = "Processing Mode of an Event Type for a System"

    system_id = fields.Many2one("construction.sync.system", required=True, ondelete="cascade")
    event_type_id = fields.Many2one(
        "construction.sync.event.type",
        required=True,
        ondelete="cascade",
        domain=[("direction", "=", "inbound")],
    )
    mode = fields.Selection(MODES, help="Empty: the event type's default mode.", default="batch")
    schema_version = fields.Integer(
        "Version Sent",
        help="The schema version the system declares it sends: an event without a version "
        "is read in it, an event naming another version is refused "
        "(schema_version_mismatch). Empty: the event names its version, else the current one.",
    )

    _sql_constraints = [
        (
            "system_type_uniq",
            "unique (system_id, event_type_id)",
            "An event type has one processing mode per system.",
        ),
    ]

    @api.constrains("schema_version", "event_type_id")
    def _check_schema_version(self):
        """Only a version events may be sent in can be declared: the current
        one, or an approved one before its sunset."""
        for record in self.filtered("schema_version"):
            event_type = record.event_type_id
            if record.schema_version == event_type.schema_version:
                continue
            try:
                event_type._version(record.schema_version)
            except ApiError as error:
                raise ValidationError(error.detail) from error
