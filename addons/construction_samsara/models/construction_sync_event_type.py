from odoo import models
from odoo.addons.construction_sync.models.construction_sync_event_type import (
    SyncHandler,
    handler_field,
)

HANDLERS = {
    # Readings that did not become cost wait for a person; usage of a day
    # with no project becomes an equipment.usage.recorded event on replay.
    "samsara_usage_anomaly": SyncHandler(
        "Telematics usage to review",
        "construction.samsara.asset",
        "_sync_apply_usage_anomaly",
        ("construction_sync.group_construction_sync_controller",),
        {},
    ),
}


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"
    _sync_handlers = HANDLERS

    handler = handler_field(HANDLERS)
