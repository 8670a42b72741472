{
    "name": "Construction Estimate Bridge",
    "summary": "Estimates become budgets per cost code; budgets drive purchasing; "
    "committed, actual and remaining cost at a glance",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_field_evidence", "hr_timesheet", "account", "purchase"],
    "data": [
        "views/construction_estimate_bridge_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "construction_estimate_bridge/static/src/tours/*.js",
        ],
    },
}
