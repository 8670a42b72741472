from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError


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
        """Budget lines this order would overrun, with the amount it adds to each."""
        self.ensure_one()
        budget_lines = (
            self.env["construction.budget.line"]
            .sudo()
            .search(
                [
                    ("state", "!=", "closed"),
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
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller may approve a budget overrun."))
        # The group is checked above; a controller need not be a purchase user.
        self.sudo().construction_budget_approver_id = self.env.user

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
