from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_subcontract_retainage_percent = fields.Float(
        "Default Subcontract Retainage (%)",
        digits=(5, 2),
        default=10.0,
        help="Retainage a new subcontract withholds from each pay application.",
    )
    construction_retainage_payable_account_id = fields.Many2one(
        "account.account",
        "Retainage Payable Account",
        check_company=True,
        help="Liability credited with the retainage withheld on subcontractor bills, "
        "debited when it is released.",
    )
    construction_back_charge_account_id = fields.Many2one(
        "account.account",
        "Back Charge Account",
        check_company=True,
        help="Account credited with back charges deducted from subcontractor bills.",
    )

    def _construction_retainage_account(self):
        self.ensure_one()
        if not self.construction_retainage_payable_account_id:
            raise UserError(
                self.env._(
                    "Set the Retainage Payable Account of %(company)s in the Construction "
                    "settings (Subcontracts) first.",
                    company=self.name,
                )
            )
        return self.construction_retainage_payable_account_id

    def _construction_back_charge_account(self):
        self.ensure_one()
        if not self.construction_back_charge_account_id:
            raise UserError(
                self.env._(
                    "Set the Back Charge Account of %(company)s in the Construction "
                    "settings (Subcontracts) first.",
                    company=self.name,
                )
            )
        return self.construction_back_charge_account_id
