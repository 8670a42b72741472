from odoo import models
from odoo.exceptions import UserError


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        """Refuse to pay a subcontract bill while its compliance is missing."""
        reasons = self.line_ids.move_id._construction_payment_blockers(self.payment_date)
        if reasons:
            raise UserError(self.env._("These bills cannot be paid yet:\n%s", "\n".join(reasons)))
        return super()._create_payments()
