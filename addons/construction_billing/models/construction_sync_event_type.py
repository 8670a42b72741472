from odoo import api, fields, models
from odoo.addons.construction_sync.models.construction_sync_event_type import SyncHandler

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

    handler = fields.Selection(
        selection_add=[(key, handler.label) for key, handler in HANDLERS.items()],
        ondelete=dict.fromkeys(HANDLERS, "set null"),
    )

    @api.model
    def _handlers(self):
        return super()._handlers() | HANDLERS
