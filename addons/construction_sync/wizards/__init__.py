from . import construction_sync_backfill
from . import construction_legal_hold_wizard
