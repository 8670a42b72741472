{
    "name": "Construction Procore Subcontracts",
    "summary": "Procore work order contracts become subcontracts: schedule of values, "
    "retainage, changes followed in place",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_procore", "construction_subcontract"],
    "auto_install": True,
}
