from odoo import api, fields, models
from odoo.exceptions import UserError

RELEASE_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
]


class ConstructionRetainageRelease(models.Model):
    """The retainage a client held on a contract, released at substantial
    completion: prepared by the project manager, approved by a project
    controller who did not prepare it, which drafts its invoice."""

    _name = "construction.retainage.release"
    _description = "Construction Retainage Release"
    _inherit = ["construction.billing.contract.mixin", "mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False)
    amount = fields.Monetary(
        readonly=True, help="Retainage held by the last approved pay application, less releases."
    )
    state = fields.Selection(RELEASE_STATES, default="draft", required=True, tracking=True)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)

    @api.model_create_multi
    def create(self, vals_list):
        releases = super().create(vals_list)
        for release in releases:
            contract = release.contract_id
            contract._check_contract()
            release.write(
                {
                    "amount": release._held(),
                    "name": f"{contract.name}/R{len(contract.retainage_release_ids)}",
                }
            )
        return releases

    def _held(self):
        """What the last approved pay application holds, less the other releases."""
        self.ensure_one()
        contract = self.contract_id
        last = contract.pay_application_ids.filtered(lambda app: app.state == "approved").sorted(
            "number"
        )[-1:]
        released = sum((contract.retainage_release_ids - self).mapped("amount"))
        return last.retainage_total - released

    def action_approve(self):
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller may approve a release."))
        for release in self:
            contract = release.contract_id
            if release.state != "draft":
                raise UserError(self.env._("Only a draft release can be approved."))
            if release.prepared_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "A release is approved by someone other than the person who prepared it."
                    )
                )
            if contract.pay_application_ids.filtered(lambda app: app.state != "approved"):
                raise UserError(
                    self.env._(
                        "%(contract)s has an open pay application: finish it before releasing "
                        "the retainage.",
                        contract=contract.name,
                    )
                )
            amount = release._held()
            if contract.currency_id.compare_amounts(amount, 0) <= 0:
                raise UserError(
                    self.env._("%(contract)s holds no retainage.", contract=contract.name)
                )
            release.write(
                {"amount": amount, "state": "approved", "approved_by_id": self.env.user.id}
            )
            release.invoice_id = release._create_invoice()

    def _create_invoice(self):
        self.ensure_one()
        account = self.company_id._construction_retention_account()
        return self.contract_id._construction_invoice(
            self.name,
            [
                {
                    "name": self.env._(
                        "Retainage released (%(contract)s)", contract=self.contract_id.name
                    ),
                    "account_id": account.id,
                    "price_unit": self.amount,
                }
            ],
        )
