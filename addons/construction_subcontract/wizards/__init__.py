from . import (
    account_payment_register,
    construction_subcontract_accrual_wizard,
    construction_subcontract_accrual_wizard_line,
    construction_subcontract_wizard,
    construction_subcontract_wizard_line,
)
