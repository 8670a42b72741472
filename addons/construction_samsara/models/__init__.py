from . import construction_equipment_assignment
from . import construction_samsara_asset
from . import construction_sync_system
from . import maintenance_equipment
from . import construction_sync_adapter_samsara
from . import construction_sync_event_type
