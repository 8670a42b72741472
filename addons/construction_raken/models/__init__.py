from . import construction_sync_system
from . import construction_sync_adapter_raken
