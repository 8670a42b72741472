from odoo import fields, models

from .construction_sync_event_type import MODES


class ConstructionSyncSystemMode(models.Model):
    _name = "construction.sync.system.mode"
    _description = "Processing Mode of an Event Type for a System"

    system_id = fields.Many2one("construction.sync.system", required=True, ondelete="cascade")
    event_type_id = fields.Many2one(
        "construction.sync.event.type",
        required=True,
        ondelete="cascade",
        domain=[("direction", "=", "inbound")],
    )
    mode = fields.Selection(MODES, required=True, default="batch")

    _sql_constraints = [
        (
            "system_type_uniq",
            "unique (system_id, event_type_id)",
            "An event type has one processing mode per system.",
        ),
    ]
