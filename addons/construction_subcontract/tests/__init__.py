from . import (
    test_accrual,
    test_commitment,
    test_compliance,
    test_end_to_end,
    test_pay_application,
    test_portal,
)
