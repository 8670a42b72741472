from . import test_access
from . import test_cost_code
from . import test_cost_code_analytic
from . import test_sync_system
from . import test_sync_signature
from . import test_sync_outbound_http
