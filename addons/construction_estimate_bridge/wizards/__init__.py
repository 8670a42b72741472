from . import construction_estimate_import_issue
from . import construction_estimate_import_change
from . import construction_estimate_import_wizard
from . import construction_budget_rfq_wizard_line
from . import construction_budget_rfq_wizard
from . import construction_defect_pricing_wizard
