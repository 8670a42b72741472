from . import construction_sync_event_type
from . import purchase_order
from . import construction_change_order
