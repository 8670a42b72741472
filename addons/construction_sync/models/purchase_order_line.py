from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import float_round


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    @api.model
    def _sync_apply_work_confirmed(self, event):
        """Handler of ``subcontract.work.confirmed``: the work confirmed to
        date becomes the received quantity of a manually received service
        line; when its product bills on received quantities, the buyer gets
        a "ready to bill" activity on the order."""
        data = event._payload()
        Resolver = self.env["construction.sync.resolver"]
        line = Resolver._resolve(
            event.system_id, self._name, data["purchase_line"], "/payload/purchase_line"
        )
        binding, _record = Resolver._binding(event.system_id, self._name, data["purchase_line"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        if line.product_id.type != "service" or line.qty_received_method != "manual":
            raise UserError(
                self.env._(
                    "%(line)s of %(order)s is not a service received by hand; subcontract "
                    "progress can only be confirmed on such lines.",
                    line=line.name,
                    order=line.order_id.name,
                )
            )
        if line.order_id.state not in ("purchase", "done"):
            raise UserError(
                self.env._(
                    "Purchase order %(order)s is not confirmed; confirm it before receiving work.",
                    order=line.order_id.name,
                )
            )
        if "quantity" in data:
            quantity = data["quantity"]
        else:
            quantity = line.product_qty * data["percent_complete"] / 100.0
        quantity = float_round(quantity, precision_rounding=line.product_uom.rounding)
        if quantity > line.product_qty:
            raise UserError(
                self.env._(
                    "%(quantity)s confirmed on %(line)s is more than the %(ordered)s ordered: "
                    "raise a change order first.",
                    quantity=quantity,
                    line=line.name,
                    ordered=line.product_qty,
                )
            )
        line._sync_confirm_work(event, quantity)
        if binding:
            Resolver._bind(event, binding, line, data["purchase_line"])
        return line

    def _sync_confirm_work(self, event, quantity):
        """Apply ``quantity`` done to date, confirmed by ``event``, to this
        line: it becomes the received quantity. Modules that follow the work
        otherwise (subcontractor pay applications) override this."""
        self.ensure_one()
        if quantity != self.qty_received:
            self.qty_received = quantity
            self.order_id.message_post(
                body=self.env._(
                    "%(system)s confirmed %(quantity)s of %(ordered)s for %(line)s "
                    "(correlation %(correlation)s).",
                    system=event.system_id.name,
                    quantity=quantity,
                    ordered=self.product_qty,
                    line=self.name,
                    correlation=event.correlation_id,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if self.product_id.purchase_method == "receive" and self.qty_to_invoice > 0:
                self.order_id.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=(self.order_id.user_id or event.system_id.owner_id).id,
                    summary=self.env._("Ready to bill: %s", self.name),
                    note=self.env._(
                        "%(quantity)s of %(line)s received and not yet billed.",
                        quantity=self.qty_to_invoice,
                        line=self.name,
                    ),
                )
