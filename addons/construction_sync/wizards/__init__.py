from . import construction_sync_backfill
