{
    "name": "Construction Sync",
    "summary": "Canonical cost codes and the synchronization hub between "
    "field platforms, estimating tools and Odoo",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "depends": ["mail", "analytic", "uom", "project", "queue_job"],
    "data": [
        "security/construction_sync_security.xml",
        "security/ir.model.access.csv",
        "security/construction_sync_rules.xml",
        "data/construction_cost_code_data.xml",
        "views/construction_cost_code_views.xml",
        "views/construction_sync_system_views.xml",
        "views/res_config_settings_views.xml",
        "views/construction_sync_menus.xml",
    ],
    "demo": [
        "demo/construction_cost_code_demo.xml",
        "demo/construction_sync_system_demo.xml",
    ],
}
