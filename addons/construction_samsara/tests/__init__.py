from . import test_equipment_assignment
from . import test_samsara_event_type
from . import test_samsara_pull
from . import test_samsara_webhook
