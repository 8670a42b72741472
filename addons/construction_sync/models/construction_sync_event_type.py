from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..lib import schema as schema_lib

MODES = [("realtime", "Real-time"), ("batch", "Batch")]


class ConstructionSyncEventType(models.Model):
    _name = "construction.sync.event.type"
    _description = "Sync Event Type"
    _inherit = ["mail.thread", "construction.sync.cached.mixin"]
    _order = "direction, code"
    _rec_name = "code"

    code = fields.Char(
        required=True,
        tracking=True,
        help="Name of the event in payloads, e.g. labor.approved.",
    )
    name = fields.Char(required=True, translate=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="inbound",
        help="Inbound events come from external systems into Odoo; outbound "
        "events are sent by Odoo to the systems subscribed to them.",
    )
    payload_schema = fields.Text(
        required=True,
        default='{"type": "object"}',
        tracking=True,
        help="JSON Schema (draft 2020-12) every payload of this type must match.",
    )
    handler_model = fields.Char(
        help="Model whose handler method applies an inbound event of this type.",
    )
    handler_method = fields.Char(
        help="Method of the handler model called with the event; it returns "
        "the records the event produced.",
    )
    target_model_id = fields.Many2one(
        "ir.model",
        ondelete="cascade",
        help="Model of the object this event creates or changes: ownership "
        "rules on it are enforced.",
    )
    default_mode = fields.Selection(
        MODES,
        required=True,
        default="realtime",
        tracking=True,
        help="Real-time events are queued at once; batch ones wait for the "
        "scheduled drain. A system may override this.",
    )
    channel = fields.Char(
        default="root.construction_inbound",
        help="queue_job channel that applies events of this type.",
    )
    active = fields.Boolean(default=True)
    description = fields.Text()

    _sql_constraints = [
        ("code_uniq", "unique (code)", "An event type code must be unique."),
    ]

    @api.constrains("payload_schema")
    def _check_payload_schema(self):
        for event_type in self:
            try:
                schema_lib.check_schema(event_type.payload_schema)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "The payload schema of %(type)s is not a valid JSON Schema: %(reason)s",
                        type=event_type.code,
                        reason=error,
                    )
                ) from error

    @api.constrains("handler_model", "handler_method", "direction")
    def _check_handler(self):
        for event_type in self.filtered(lambda t: t.direction == "inbound"):
            model = self.env.get(event_type.handler_model or "")
            if model is None or not callable(getattr(model, event_type.handler_method or "", None)):
                raise ValidationError(
                    self.env._(
                        "Inbound event type %(type)s needs a handler: a model and one of "
                        "its methods (got %(model)s.%(method)s).",
                        type=event_type.code,
                        model=event_type.handler_model,
                        method=event_type.handler_method,
                    )
                )

    @api.model
    @tools.ormcache("code")
    def _inbound_id(self, code):
        """Id of the active inbound type ``code`` (0 if none): read on every
        received event, so cached until an event type changes."""
        return self.search([("code", "=", code), ("direction", "=", "inbound")], limit=1).id

    def _validator(self):
        self.ensure_one()
        return schema_lib.validator_for(self.payload_schema)

    def _mode_for(self, system):
        self.ensure_one()
        override = system.mode_ids.filtered(lambda mode: mode.event_type_id == self)
        return override[:1].mode or self.default_mode
