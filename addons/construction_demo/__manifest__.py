{
    "name": "Construction Demo Story",
    "summary": "A paving contractor's months with the suite, loaded through its own "
    "paths: estimates, budgets, field history, events in every state, share links",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["construction_estimate_bridge", "construction_field_evidence", "queue_job"],
    "external_dependencies": {"python": ["Pillow"]},
}
