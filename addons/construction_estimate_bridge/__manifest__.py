{
    "name": "Construction Estimate Bridge",
    "summary": "Estimates become budgets per cost code; budgets drive purchasing; "
    "committed, actual and remaining cost at a glance",
    "version": "18.0.1.1.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_field_evidence", "hr_timesheet", "account", "purchase"],
    "external_dependencies": {"python": ["openpyxl"]},
    "data": [
        "security/ir.model.access.csv",
        "security/construction_estimate_bridge_rules.xml",
        "data/construction_estimate_bridge_data.xml",
        "data/construction_sync_event_type_data.xml",
        "views/construction_estimate_views.xml",
        "views/construction_budget_views.xml",
        "views/construction_change_order_views.xml",
        "views/construction_estimate_import_profile_views.xml",
        "views/res_config_settings_views.xml",
        "views/purchase_order_views.xml",
        "views/construction_defect_views.xml",
        "wizards/construction_estimate_import_wizard_views.xml",
        "wizards/construction_budget_rfq_wizard_views.xml",
        "wizards/construction_defect_pricing_wizard_views.xml",
        "views/construction_estimate_bridge_menus.xml",
    ],
    "demo": [
        "demo/construction_estimate_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "construction_estimate_bridge/static/src/tours/*.js",
        ],
    },
}
