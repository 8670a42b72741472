{
    "name": "Construction Samsara",
    "summary": "Engine hours from Samsara telematics become job cost per project and "
    "cost code; Samsara webhooks verified by their signature",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_sync", "maintenance"],
    "data": [
        "security/ir.model.access.csv",
        "security/construction_samsara_rules.xml",
        "data/construction_sync_event_type_data.xml",
        "views/construction_equipment_assignment_views.xml",
        "views/construction_samsara_asset_views.xml",
        "views/maintenance_equipment_views.xml",
        "views/construction_sync_system_views.xml",
        "views/construction_samsara_menus.xml",
    ],
}
