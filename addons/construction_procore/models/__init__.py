from . import construction_sync_system
from . import construction_sync_adapter_procore
from . import construction_sync_event_type
from . import construction_procore_match
from . import construction_change_order
from . import construction_cost_code
from . import purchase_order
from . import purchase_order_line
