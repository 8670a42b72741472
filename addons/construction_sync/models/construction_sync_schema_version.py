import json
import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import schema as schema_lib

VERSION_STATES = [
    ("proposed", "Proposed"),
    ("current", "Current"),
    ("deprecated", "Deprecated"),
    ("retired", "Retired"),
    ("rejected", "Rejected"),
]

# Days a replaced version is still accepted, with Deprecation and Sunset headers.
DEFAULT_SUNSET_DAYS = 90


class ConstructionSyncSchemaVersion(models.Model):
    """A version of an event type's payload schema. A changed schema is a
    new version, proposed by a Sync Manager and approved by another person
    (four eyes) before it applies; the version it replaces is still accepted
    until its sunset, with ``Deprecation`` and ``Sunset`` headers, then
    refused with ``schema_version_retired``."""

    _name = "construction.sync.schema.version"
    _description = "Event Type Schema Version"
    _inherit = ["mail.thread", "construction.sync.cached.mixin"]
    _order = "event_type_id, version desc"
    _rec_name = "version"

    event_type_id = fields.Many2one(
        "construction.sync.event.type", required=True, ondelete="cascade", index=True
    )
    code = fields.Char(related="event_type_id.code")
    version = fields.Integer(required=True, readonly=True, default=0)
    payload_schema = fields.Text(required=True, tracking=True)
    state = fields.Selection(
        VERSION_STATES, default="proposed", required=True, readonly=True, tracking=True
    )
    reason = fields.Text(help="What changes and why, for the approver.")
    proposed_by_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user, tracking=True
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    approved_at = fields.Datetime(readonly=True)
    deprecated_at = fields.Datetime(readonly=True, tracking=True)
    sunset_at = fields.Datetime(
        readonly=True,
        tracking=True,
        help="From then on events of this version are refused (schema_version_retired).",
    )

    _sql_constraints = [
        (
            "version_uniq",
            "unique (event_type_id, version)",
            "A version number is unique per event type.",
        ),
    ]

    @api.depends("event_type_id.code", "version")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.event_type_id.code} v{record.version}"

    @api.constrains("payload_schema")
    def _check_payload_schema(self):
        for record in self:
            try:
                schema_lib.check_schema(record.payload_schema)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "%(version)s is not a valid JSON Schema: %(reason)s",
                        version=record.display_name,
                        reason=error,
                    )
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        """Number each new version after the latest of its event type. The
        first proposal of a type also keeps the schema in force before it as
        the current version (numbered as the type's), so that it can be
        deprecated like any other."""
        baselines, next_version = [], {}
        for vals in vals_list:
            type_id = vals["event_type_id"]
            if type_id not in next_version:
                latest = self.search(
                    [("event_type_id", "=", type_id)], order="version desc", limit=1
                )
                if latest:
                    next_version[type_id] = latest.version + 1
                else:
                    event_type = self.env["construction.sync.event.type"].browse(type_id)
                    baselines.append(
                        {
                            "event_type_id": type_id,
                            "version": event_type.schema_version,
                            "payload_schema": event_type.payload_schema,
                            "state": "current",
                            "proposed_by_id": False,
                        }
                    )
                    next_version[type_id] = event_type.schema_version + 1
            if not vals.get("version"):
                vals["version"] = next_version[type_id]
                next_version[type_id] += 1
        return super().create(baselines + vals_list)[len(baselines) :]

    def write(self, vals):
        if "payload_schema" in vals and any(record.state != "proposed" for record in self):
            raise UserError(
                self.env._("An approved schema never changes: propose a new version instead.")
            )
        return super().write(vals)

    def action_approve(self):
        """The second person's approval: the version becomes current, the
        event type validates with it, and the one it replaces is deprecated
        until its sunset."""
        for record in self:
            if record.state != "proposed":
                raise UserError(self.env._("Only a proposed version can be approved."))
            if record.proposed_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "You proposed %(version)s, so another person must approve it.",
                        version=record.display_name,
                    )
                )
            record._apply()

    def _apply(self):
        self.ensure_one()
        now = fields.Datetime.now()
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("construction_sync.schema_sunset_days", DEFAULT_SUNSET_DAYS)
        )
        replaced = self.search(
            [("event_type_id", "=", self.event_type_id.id), ("state", "=", "current")]
        )
        replaced.write(
            {"state": "deprecated", "deprecated_at": now, "sunset_at": now + timedelta(days=days)}
        )
        self.write({"state": "current", "approved_by_id": self.env.user.id, "approved_at": now})
        self.event_type_id.with_context(construction_schema_version=self.id).write(
            {"payload_schema": self.payload_schema, "schema_version": self.version}
        )

    def action_reject(self):
        if any(record.state != "proposed" for record in self):
            raise UserError(self.env._("Only a proposed version can be rejected."))
        self.state = "rejected"

    @api.model
    def _cron_retire(self):
        """Deprecated versions past their sunset are retired."""
        self.search(
            [("state", "=", "deprecated"), ("sunset_at", "<=", fields.Datetime.now())]
        ).write({"state": "retired"})

    def _sunset_passed(self):
        self.ensure_one()
        return self.state == "retired" or (
            self.state == "deprecated" and self.sunset_at <= fields.Datetime.now()
        )

    @api.model
    def _openapi_schemas(self):
        """``{name: schema}`` of every approved version of every event type,
        for the served OpenAPI document: ``EventPayload_<code>_v<n>``, marked
        deprecated with its sunset once replaced."""
        schemas = {}
        for record in self.search([("state", "in", ("current", "deprecated", "retired"))]):
            schema = dict(
                json.loads(record.payload_schema),
                title=record.display_name,
                description=record.event_type_id.description or record.event_type_id.name,
            )
            if record.state != "current":
                schema.update(deprecated=True, **{"x-sunset": f"{record.sunset_at.isoformat()}Z"})
            name = re.sub(r"\W", "_", record.event_type_id.code)
            schemas[f"EventPayload_{name}_v{record.version}"] = schema
        return schemas
