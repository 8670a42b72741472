from . import test_procore_subcontract
