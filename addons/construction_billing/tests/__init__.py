from . import (
    test_billing_tours,
    test_contract,
    test_pay_application_end_to_end,
    test_pay_application_sheet,
    test_progress,
    test_progress_reported,
    test_wip,
)
