from . import (
    test_accrual,
    test_change_order,
    test_commitment,
    test_compliance,
    test_end_to_end,
    test_pay_application,
    test_portal,
    test_stored_materials,
)
