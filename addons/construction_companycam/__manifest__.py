{
    "name": "Construction CompanyCam Connector",
    "summary": "CompanyCam projects and photos into sites and the photo review queue: "
    "verified webhooks, paged pulls, backfills",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_field_evidence"],
    "data": [
        "security/ir.model.access.csv",
    ],
    "demo": [
        "demo/construction_companycam_demo.xml",
    ],
}
