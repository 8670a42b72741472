from odoo import models
from odoo.addons.construction_sync.models.construction_sync_event_type import (
    SyncHandler,
    handler_field,
)

# Field uploads are applied by the field API when received; their events
# keep the trail, and a replay only points at what they produced.
HANDLERS = {
    "photo_captured": SyncHandler(
        "Photo upload (applied on receipt)",
        "construction.sync.event",
        "_apply_recorded",
        (),
        {
            "*": ("image", "state", "source_system_id"),
            "filename": ("name",),
            "site_id": ("site_id",),
            "stage": ("stage_id",),
            "category": ("category_id",),
            "tags": ("tag_ids",),
            "note": ("note",),
            "captured_at": ("captured_at",),
            "latitude": ("latitude",),
            "longitude": ("longitude",),
        },
    ),
    "defect_detected": SyncHandler(
        "Field observation (applied on receipt)",
        "construction.sync.event",
        "_apply_recorded",
        (),
        {
            "*": ("source", "source_system_id"),
            "site_id": ("site_id",),
            "category": ("category_id",),
            "detections": ("category_id", "annotation_ids", "confidence", "detected_label"),
            "severity": ("severity",),
            "notes": ("notes",),
            "latitude": ("latitude",),
            "longitude": ("longitude",),
            "quantity": ("quantity",),
            "unit": ("quantity", "uom_id"),
            "photo_client_uuids": ("photo_ids",),
        },
    ),
    # Platforms that speak their own dialect (connector layer): applied by
    # queue jobs, with the rights of a field reviewer who files evidence.
    "site_upsert": SyncHandler(
        "Site from a platform's project",
        "construction.site",
        "_sync_apply_upsert",
        ("construction_sync.group_construction_sync_reviewer",),
        {
            "name": ("name",),
            "street": ("street",),
            "street2": ("street2",),
            "city": ("city",),
            "zip": ("zip",),
            "state": ("state_id", "country_id"),
            "country": ("country_id",),
            "latitude": ("latitude",),
            "longitude": ("longitude",),
            "boundary": ("boundary_geojson",),
            "active": ("active",),
        },
    ),
    "photo_published": SyncHandler(
        "Photo published by a platform (downloaded)",
        "construction.photo",
        "_sync_apply_published",
        ("construction_sync.group_construction_sync_reviewer",),
        {
            "*": ("image", "state", "source_system_id"),
            "site_external_id": ("site_id",),
            "captured_at": ("captured_at",),
            "latitude": ("latitude",),
            "longitude": ("longitude",),
            "note": ("note",),
            "tags": ("tag_ids",),
        },
    ),
    "daily_log_reported": SyncHandler(
        "Daily report into the project's daily log",
        "construction.daily.log",
        "_sync_apply_reported",
        ("construction_sync.group_construction_sync_reviewer",),
        {
            "*": ("source_system_id", "site_id"),
            "project": ("project_id",),
            "date": ("date",),
            "weather": ("weather", "temperature_high", "temperature_low", "precipitation"),
            "crews": ("crew_ids",),
            "equipment": ("equipment_ids",),
            "deliveries": ("deliveries",),
            "delays": ("delays",),
            "safety": ("safety_notes",),
            "notes": ("notes",),
            "photos": ("photo_ids",),
        },
    ),
}


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"
    _sync_handlers = HANDLERS

    handler = handler_field(HANDLERS)
