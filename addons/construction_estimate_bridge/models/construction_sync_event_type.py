from odoo import models
from odoo.addons.construction_sync.models.construction_sync_event_type import (
    SyncHandler,
    handler_field,
)

HANDLERS = {
    "estimate_approved": SyncHandler(
        "Estimate import and approval",
        "construction.estimate",
        "_sync_apply_estimate_approved",
        # the award makes the job: project, tasks, analytic account, budget
        (
            "construction_sync.group_construction_sync_controller",
            "project.group_project_manager",
        ),
        {
            "*": ("state", "system_id"),
            "project": ("project_id",),
            "external_ref": ("external_ref",),
            "revision": ("revision",),
            "name": ("name",),
            "lines": ("line_ids",),
        },
    ),
    "supplier_confirmation": SyncHandler(
        "Supplier confirmation of a purchase order",
        "purchase.order",
        "_sync_apply_supplier_confirmation",
        ("purchase.group_purchase_user",),
        {"lines": ("order_line",)},
    ),
}


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"
    _sync_handlers = HANDLERS

    handler = handler_field(HANDLERS)
