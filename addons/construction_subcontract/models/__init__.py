from . import (
    account_move,
    construction_change_order,
    construction_subcontract_record_mixin,
    construction_subcontract_back_charge,
    construction_subcontract_document,
    construction_subcontract_pay_application,
    construction_subcontract_pay_application_line,
    purchase_order,
    purchase_order_line,
    res_company,
    res_config_settings,
)
