from odoo import fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    construction_change_order_id = fields.Many2one(
        "construction.change.order",
        "Change Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The approved change order that added this line to the subcontract.",
    )

    def _construction_cost_code(self):
        """The cost code this line's analytic distribution carries (the first one)."""
        self.ensure_one()
        account_ids = [
            int(account_id)
            for key in (self.analytic_distribution or {})
            for account_id in key.split(",")
        ]
        return (
            self.env["construction.cost.code"]
            .sudo()
            .with_context(active_test=False)
            .search([("analytic_account_id", "in", account_ids)], limit=1)
        )

    def _construction_posted_amount(self):
        """Untaxed amount of this line on posted bills, less posted refunds."""
        self.ensure_one()
        quantity = self.env["construction.budget.line"]._posted_quantity(self)
        return self.currency_id.round(self.price_subtotal * quantity / (self.product_qty or 1.0))

    def _sync_confirm_work(self, event, quantity):
        """A subcontract's progress confirmed in the field feeds its open pay
        application (made for the period when there is none) instead of the
        received quantity: a person approves it before anything is billed."""
        if not self.order_id.construction_subcontract:
            return super()._sync_confirm_work(event, quantity)
        application = self.env["construction.subcontract.pay.application"]._open_application(
            self.order_id, source="field"
        )
        application._record_progress({self: quantity}, origin=event.system_id.name)
        return application
