from odoo import fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_retention_account_id = fields.Many2one(
        "account.account",
        string="Retention Receivable Account",
        check_company=True,
        help="Where invoices of pay applications put the retainage the client holds back, "
        "and where its release takes it from.",
    )

    construction_wip_overbilled_account_id = fields.Many2one(
        "account.account",
        string="Billings in Excess of Revenue",
        check_company=True,
        help="Liability the month-end WIP entries credit when a contract is over billed.",
    )
    construction_wip_underbilled_account_id = fields.Many2one(
        "account.account",
        string="Revenue in Excess of Billings",
        check_company=True,
        help="Asset the month-end WIP entries debit when a contract is under billed.",
    )

    def _construction_retention_account(self):
        self.ensure_one()
        if not self.construction_retention_account_id:
            raise UserError(
                self.env._(
                    "Set the retention receivable account of %(company)s first "
                    "(Construction settings of the company).",
                    company=self.name,
                )
            )
        return self.construction_retention_account_id
