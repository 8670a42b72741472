from . import test_access
from . import test_budget
from . import test_change_order
from . import test_construction_app_ui
from . import test_estimate_import
from . import test_estimate_import_tour
from . import test_estimate_revision
from . import test_procurement
