from . import test_procore_webhook
from . import test_procore_pull
from . import test_procore_push
