{
    "name": "Construction Procore Connector",
    "summary": "Procore both ways: timecard entries into timesheets and approved change "
    "orders into budgets (webhooks fetched in jobs, scheduled pulls); cost codes "
    "pushed to Procore projects",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_estimate_bridge"],
    "data": [
        "security/ir.model.access.csv",
        "security/construction_procore_rules.xml",
        "data/construction_sync_event_type_data.xml",
        "data/queue_job_data.xml",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "views/construction_procore_match_views.xml",
        "views/construction_sync_system_views.xml",
        "views/construction_procore_menus.xml",
    ],
}
