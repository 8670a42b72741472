from . import construction_cost_code
from . import construction_sync_system
from . import res_config_settings
