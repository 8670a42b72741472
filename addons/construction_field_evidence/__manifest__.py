{
    "name": "Construction Field Evidence",
    "summary": "Sites, photos, defects and AI detections from field platforms, "
    "reviewed and shared with clients",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_sync", "portal"],
    "data": [
        "views/construction_field_evidence_menus.xml",
    ],
}
