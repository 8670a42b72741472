from . import (
    account_payment_register,
    construction_subcontract_wizard,
    construction_subcontract_wizard_line,
)
