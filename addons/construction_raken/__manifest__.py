{
    "name": "Construction Raken Connector",
    "summary": "Raken's approved time cards into timesheets and its daily reports into "
    "daily logs with their photos, by scheduled pulls",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_field_evidence"],
}
