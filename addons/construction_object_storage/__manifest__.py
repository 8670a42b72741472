{
    "name": "Construction Object Storage",
    "summary": "Photos and attachments on S3-compatible object storage (OCA fs_attachment), "
    "the filestore until it is configured",
    "version": "18.0.1.0.0",
    "category": "Construction",
    "website": "https://github.com/construction-sync-suite/construction-sync-suite",
    "author": "Construction Sync Suite",
    "maintainers": ["construction-sync-suite"],
    # LGPL-3 like the suite; fs_attachment and fs_storage it installs are AGPL-3 / LGPL-3
    # (LGPL-3 code may be combined with AGPL-3 code): only this module depends on them.
    "license": "LGPL-3",
    "development_status": "Alpha",
    "external_dependencies": {"python": ["s3fs"]},
    "depends": ["construction_field_evidence", "fs_attachment"],
    "data": ["data/fs_storage.xml"],
}
