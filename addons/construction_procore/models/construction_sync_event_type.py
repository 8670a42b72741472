from odoo import models
from odoo.addons.construction_sync.models.construction_sync_event_type import (
    SyncHandler,
    handler_field,
)

HANDLERS = {
    # Engine bookkeeping: the fetched events are applied by their own
    # handlers, with their own grants and rights.
    "procore_notification": SyncHandler(
        "Procore notification fetched",
        "construction.sync.adapter.procore",
        "_sync_apply_notification",
        (),
        {},
    ),
    "change_order_approved": SyncHandler(
        "Approved change order into the budget",
        "construction.change.order",
        "_sync_apply_change_order_approved",
        ("construction_sync.group_construction_sync_controller", "purchase.group_purchase_user"),
        {},
    ),
    "commitment_upsert": SyncHandler(
        "Commitment into a purchase order",
        "purchase.order",
        "_sync_apply_commitment",
        ("purchase.group_purchase_user",),
        {"lines": ("order_line",)},
    ),
}


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"
    _sync_handlers = HANDLERS

    handler = handler_field(HANDLERS)
