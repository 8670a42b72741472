from . import test_anomaly_checks
from . import test_cost_code_suggestions
from . import test_triage
from . import test_defect_pricing_suggestions
