from odoo import fields, models


class ConstructionBillingContractMixin(models.AbstractModel):
    """A document billed on a prime contract (a pay application, a
    retainage release): its contract, the project, client, company and
    currency it takes from the contract, who prepared it and the invoice it
    drafts."""

    _name = "construction.billing.contract.mixin"
    _description = "Construction Billing Contract Mixin"

    contract_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        check_company=True,
        domain="[('construction_project_id', '!=', False)]",
    )
    project_id = fields.Many2one(
        related="contract_id.construction_project_id", store=True, index=True
    )
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    prepared_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, default=lambda self: self.env.user
    )
    invoice_id = fields.Many2one("account.move", readonly=True, copy=False, check_company=True)

    def action_view_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.invoice_id.id,
            "view_mode": "form",
        }
