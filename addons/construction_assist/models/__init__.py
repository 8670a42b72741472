from . import construction_assist_decision
from . import construction_assist_model
from . import construction_sync_event
from . import res_company
from . import res_config_settings
