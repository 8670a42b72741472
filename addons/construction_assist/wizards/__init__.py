from . import construction_assist_triage
from . import construction_estimate_import_issue
from . import construction_estimate_import_wizard
from . import construction_defect_pricing_wizard
