from collections import defaultdict
from datetime import UTC, datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    construction_budget_approver_id = fields.Many2one(
        "res.users",
        string="Budget Overrun Approved By",
        readonly=True,
        copy=False,
        tracking=True,
        help="Project controller who allowed this order to exceed the remaining budget.",
    )

    def _construction_accounts(self):
        """Cost code analytic accounts the order lines are distributed on."""
        account_ids = {
            int(account_id)
            for line in self.order_line
            for key in (line.analytic_distribution or {})
            for account_id in key.split(",")
        }
        cost_codes = (
            self.env["construction.cost.code"]
            .sudo()
            .with_context(active_test=False)
            .search([("analytic_account_id", "in", list(account_ids))])
        )
        return set(cost_codes.analytic_account_id.ids)

    def _construction_budget_overruns(self):
        """Lines of approved budgets this order would overrun, with the amount
        it adds to each: a draft budget is no limit yet, a closed one none any more."""
        self.ensure_one()
        budget_lines = (
            self.env["construction.budget.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "approved"),
                    ("cost_code_id.analytic_account_id", "in", list(self._construction_accounts())),
                ]
            )
        )
        if not budget_lines:
            return []
        budget_lines._refresh_figures()
        keys = {key: line for line, key in budget_lines._keys().items()}
        added = defaultdict(float)
        for order_line in self.order_line.filtered(lambda line: not line.display_type):
            amount = order_line.currency_id._convert(
                order_line.price_subtotal,
                self.company_id.currency_id,
                self.company_id,
                self.date_order or fields.Date.today(),
            )
            for key, percentage in (order_line.analytic_distribution or {}).items():
                account_ids = [int(account_id) for account_id in key.split(",")]
                for pair in keys:
                    if set(pair) <= set(account_ids):
                        added[keys[pair]] += amount * percentage / 100
        return [
            (line, amount)
            for line, amount in added.items()
            if line.currency_id.compare_amounts(amount, line.remaining) > 0
        ]

    def _construction_check_budget(self):
        for order in self.filtered(lambda order: order.state in ("draft", "sent")):
            mode = order.company_id.construction_budget_check
            if mode == "none":
                continue
            overruns = order._construction_budget_overruns()
            if not overruns:
                continue
            if mode == "approval" and order.construction_budget_approver_id:
                continue
            details = "\n".join(
                self.env._(
                    "• %(line)s: this order adds %(amount)s, %(remaining)s remain.",
                    line=line.display_name,
                    amount=line.currency_id.format(amount),
                    remaining=line.currency_id.format(line.remaining),
                )
                for line, amount in overruns
            )
            if mode == "block":
                raise UserError(
                    self.env._(
                        "%(order)s exceeds the remaining budget:\n%(details)s\nReduce the "
                        "order or have a change order approved first.",
                        order=order.name,
                        details=details,
                    )
                )
            raise UserError(
                self.env._(
                    "%(order)s exceeds the remaining budget:\n%(details)s\nA project "
                    "controller must approve the overrun (Approve Budget Overrun) before "
                    "it can be confirmed.",
                    order=order.name,
                    details=details,
                )
            )

    def action_construction_approve_overrun(self):
        """Allow the order past the remaining budget: by a project controller
        who neither wrote nor buys it, an administrator above the company's
        limit (the amount is what the order adds beyond the budget)."""
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller may approve a budget overrun."))
        for order in self:
            # The group is checked above; a controller need not be a purchase user.
            order = order.sudo()
            overrun = sum(
                amount - line.remaining for line, amount in order._construction_budget_overruns()
            )
            order.company_id.with_env(self.env)._construction_check_approval(
                order.create_uid | order.user_id,
                overrun,
                self.env._("the budget overrun of %(order)s", order=order.name),
            )
            order.construction_budget_approver_id = self.env.user

    def write(self, vals):
        """Lines changed on a confirmed order (by hand, by a change order,
        by the platform it comes from) change what the budget counts as
        committed."""
        result = super().write(vals)
        if "order_line" in vals:
            self.filtered(
                lambda order: order.state in ("purchase", "done")
            )._construction_refresh_budgets()
        return result

    def button_confirm(self):
        self._construction_check_budget()
        result = super().button_confirm()
        self._construction_refresh_budgets()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._construction_refresh_budgets()
        return result

    def _construction_refresh_budgets(self):
        self.env["construction.budget.line"]._refresh_for_accounts(self._construction_accounts())

    # ------------------------------------------------------------------
    # Supplier confirmations (sync event supplier.confirmation)
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_supplier_confirmation(self, event):
        """Handler of ``supplier.confirmation``: promised dates, and confirmed
        quantities while the order is a request for quotation.

        All of the confirmation applies or none of it: a quantity change on a
        confirmed order, an unknown line or a cancelled order sends the event
        to review with the reason.
        """
        data = event._payload()
        order = self._sync_confirmed_order(event.system_id, data["order"])
        confirmed = order.state in ("purchase", "done")
        refused = []
        for index, item in enumerate(data["lines"]):
            line = order._sync_confirmed_line(item, f"/payload/lines/{index}")
            values = {}
            if "date_planned" in item:
                values["date_planned"] = self._sync_parse_date(
                    item["date_planned"], f"/payload/lines/{index}/date_planned"
                )
            quantity = item.get("quantity")
            if quantity is not None and float_compare(
                quantity, line.product_qty, precision_rounding=line.product_uom.rounding
            ):
                if confirmed:
                    refused.append(
                        self.env._(
                            "%(product)s: the vendor confirms %(confirmed)s %(unit)s, the order "
                            "has %(ordered)s",
                            product=line.product_id.display_name,
                            confirmed=quantity,
                            unit=line.product_uom.name,
                            ordered=line.product_qty,
                        )
                    )
                else:
                    values["product_qty"] = quantity
            if values:
                line.write(values)
        if refused:
            raise UserError(
                self.env._(
                    "%(order)s is already confirmed, so its quantities change only by a "
                    "person (a purchase user edits the order, or asks the vendor to "
                    "confirm again): %(lines)s. Nothing of this confirmation was applied; "
                    "replay it once the order and the vendor agree.",
                    order=order.name,
                    lines="; ".join(refused),
                )
            )
        return order

    @api.model
    def _sync_confirmed_order(self, system, reference):
        """The order ``system`` means: bound, else by its number or vendor
        reference (the sync resolver's natural key)."""
        order = self.env["construction.sync.resolver"]._resolve(
            system, self._name, reference, "/payload/order", natural=True
        )
        if order.state == "cancel":
            raise UserError(
                self.env._("%(order)s is cancelled: a confirmation cannot apply.", order=order.name)
            )
        return order

    def _sync_confirmed_line(self, item, pointer):
        """The order line a confirmation line means: by id, else by product."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda line: not line.display_type)
        if item.get("line_id"):
            found = lines.filtered(lambda line: line.id == item["line_id"])
            wanted = item["line_id"]
        else:
            product = item["product"]
            found = lines.filtered(
                lambda line: product in (line.product_id.default_code, line.product_id.name)
            )
            wanted = product
        if len(found) != 1:
            raise UserError(
                self.env._(
                    "%(order)s has %(count)s lines for %(line)r at %(pointer)s; send the "
                    "order line id.",
                    order=self.name,
                    count=len(found),
                    line=wanted,
                    pointer=pointer,
                )
            )
        return found

    @api.model
    def _sync_parse_date(self, text, pointer):
        """An ISO 8601 date or date-time as a naive UTC datetime."""
        try:
            value = datetime.fromisoformat(text)
        except ValueError as error:
            raise UserError(
                self.env._("%(value)r at %(pointer)s is not a date.", value=text, pointer=pointer)
            ) from error
        if value.tzinfo:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
