from odoo import models
from odoo.addons.construction_sync.models.construction_sync_event_type import (
    SyncHandler,
    handler_field,
)

HANDLERS = {
    # A field platform's progress is a proposal: a project controller
    # approves it before any pay application bills it.
    "billing_progress_reported": SyncHandler(
        "Field progress proposed for billing",
        "construction.billing.progress",
        "_sync_apply_progress_reported",
        ("construction_sync.group_construction_sync_estimator",),
        {
            "*": ("sale_line_id", "date", "basis", "amount", "stored_amount", "source"),
            "notes": ("note",),
        },
    ),
}


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"
    _sync_handlers = HANDLERS

    handler = handler_field(HANDLERS)
