from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class ConstructionBudgetRfqWizard(models.TransientModel):
    _name = "construction.budget.rfq.wizard"
    _description = "Requests for Quotation from Budget Lines"

    budget_line_ids = fields.Many2many(
        "construction.budget.line",
        string="Budget Lines",
        required=True,
        default=lambda self: self._default_budget_line_ids(),
    )
    estimate_line_ids = fields.Many2many(
        "construction.estimate.line",
        compute="_compute_estimate_line_ids",
        string="Estimate Lines to Order",
    )
    vendor_count = fields.Integer(compute="_compute_estimate_line_ids")
    line_ids = fields.One2many(
        "construction.budget.rfq.wizard.line",
        "wizard_id",
        "Quantities to Order",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.model
    def _default_budget_line_ids(self):
        if self.env.context.get("active_model") == "construction.budget.line":
            return [Command.set(self.env.context.get("active_ids", []))]
        return []

    @api.depends("budget_line_ids")
    def _compute_estimate_line_ids(self):
        for wizard in self:
            lines = wizard._estimate_lines()
            wizard.estimate_line_ids = lines
            wizard.vendor_count = len(lines.vendor_id)

    @api.depends("budget_line_ids")
    def _compute_line_ids(self):
        for wizard in self:
            proposals = wizard._proposals()
            wizard.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        "estimate_line_id": line.id,
                        "uom_id": uom.id,
                        "needed_quantity": needed,
                        "ordered_quantity": ordered,
                        "quantity": max(needed - ordered, 0.0),
                    }
                )
                for line, (uom, needed, ordered) in proposals.items()
            ]

    @api.model
    def _order_uom(self, line):
        """Unit the estimate line is ordered in: its own, else the product's purchase unit."""
        product = line.product_id
        if product and (not line.uom_id or line.uom_id.category_id != product.uom_id.category_id):
            return product.uom_po_id
        return line.uom_id

    def _proposals(self):
        """``{estimate line: (unit, needed, already ordered)}``.

        Needed is the line's quantity scaled by its budget line's revised
        over original quantity, so approved change orders reach purchasing;
        already ordered is what purchase orders of the project and cost code
        hold of the line's product, shared out among the lines of the same
        product in their order.
        """
        self.ensure_one()
        lines = self._estimate_lines()
        budget_lines = {
            (budget_line.budget_id, budget_line.cost_code_id): budget_line
            for budget_line in self.budget_line_ids
        }
        ordered = self._ordered_quantities(lines)
        proposals = {}
        for line in lines:
            budget_line = budget_lines[line.estimate_id.budget_id, line.cost_code_id]
            factor = (
                budget_line.revised_quantity / budget_line.original_quantity
                if budget_line.original_quantity
                else 1.0
            )
            uom = self._order_uom(line)
            needed = line.quantity * factor
            key = (line.project_id.account_id.id, line.cost_code_id.analytic_account_id.id)
            key += (line.product_id.id,)
            available = ordered.get(key, 0.0)
            if available and line.product_id:
                available = line.product_id.uom_id._compute_quantity(available, uom, round=False)
            taken = min(available, needed)
            if taken and line.product_id:
                ordered[key] -= uom._compute_quantity(taken, line.product_id.uom_id, round=False)
            proposals[line] = (uom, needed, taken)
        return proposals

    @api.model
    def _ordered_quantities(self, lines):
        """Quantity in the product's unit on purchase lines that are not
        cancelled, per (project account, cost code account, product)."""
        ordered = defaultdict(float)
        products = lines.product_id
        accounts = lines.cost_code_id.analytic_account_id
        if not products or not accounts:
            return ordered
        project_ids = set(lines.project_id.account_id.ids)
        purchase_lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("state", "!=", "cancel"),
                    ("display_type", "=", False),
                    ("product_id", "in", products.ids),
                    ("analytic_distribution", "in", accounts.ids),
                ]
            )
        )
        for purchase_line in purchase_lines:
            quantity = purchase_line.product_uom._compute_quantity(
                purchase_line.product_qty, purchase_line.product_id.uom_id, round=False
            )
            for key, percentage in (purchase_line.analytic_distribution or {}).items():
                account_ids = {int(account_id) for account_id in key.split(",")}
                for project_id in account_ids & project_ids:
                    for cost_code_id in account_ids & set(accounts.ids):
                        ordered[project_id, cost_code_id, purchase_line.product_id.id] += (
                            quantity * percentage / 100
                        )
        return ordered

    def _estimate_lines(self):
        """Budgeted lines of the budgets' estimates on the selected cost codes."""
        self.ensure_one()
        wanted = {(line.budget_id, line.cost_code_id) for line in self.budget_line_ids}
        return self.budget_line_ids.budget_id.estimate_id.line_ids.filtered(
            lambda line: (
                line.in_budget and (line.estimate_id.budget_id, line.cost_code_id) in wanted
            )
        )

    def action_create_rfqs(self):
        """One draft purchase order per suggested vendor, for what is not
        ordered yet, analytic distribution set."""
        self.ensure_one()
        unapproved = self.budget_line_ids.budget_id.filtered(
            lambda budget: budget.state != "approved"
        )
        if unapproved:
            states = dict(self.env["construction.budget"]._fields["state"].selection)
            raise UserError(
                self.env._(
                    "Only approved budgets drive purchasing; %(budgets)s is not approved "
                    "(%(state)s). A project controller approves it first.",
                    budgets=", ".join(unapproved.mapped("display_name")),
                    state=states[unapproved[0].state].lower(),
                )
            )
        lines = self._estimate_lines()
        if not lines:
            raise UserError(self.env._("The selected budget lines have no estimate line to order."))
        incomplete = lines.filtered(lambda line: not line.vendor_id or not line.product_id)
        if incomplete:
            raise UserError(
                self.env._(
                    "Set a product and a suggested vendor on these estimate lines first: "
                    "%(lines)s.",
                    lines=", ".join(incomplete.mapped("name")),
                )
            )
        to_order = self.line_ids.filtered(lambda line: line.quantity > 0)
        if not to_order:
            raise UserError(
                self.env._("Everything these budget lines need is already on purchase orders.")
            )
        by_vendor = defaultdict(lambda: self.env["construction.budget.rfq.wizard.line"])
        for line in to_order:
            by_vendor[line.vendor_id] |= line
        orders = self.env["purchase.order"].create(
            [
                {
                    "partner_id": vendor.id,
                    "company_id": vendor_lines.estimate_line_id.company_id[:1].id,
                    "origin": ", ".join(
                        vendor_lines.estimate_line_id.estimate_id.mapped("display_name")
                    ),
                    "order_line": [
                        Command.create(self._order_line_values(line)) for line in vendor_lines
                    ],
                }
                for vendor, vendor_lines in by_vendor.items()
            ]
        )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Requests for Quotation"),
            "res_model": "purchase.order",
            "view_mode": "list,form",
            "domain": [("id", "in", orders.ids)],
        }
        if len(orders) == 1:
            # one vendor: open its request at once, ready to send or confirm
            action.update(view_mode="form", views=[(False, "form")], res_id=orders.id)
        return action

    @api.model
    def _order_line_values(self, proposal):
        line = proposal.estimate_line_id
        key = f"{line.project_id.account_id.id},{line.cost_code_id.analytic_account_id.id}"
        return {
            "product_id": line.product_id.id,
            "name": line.name,
            "product_qty": proposal.quantity,
            "product_uom": proposal.uom_id.id,
            "price_unit": line.unit_cost,
            "analytic_distribution": {key: 100},
            "construction_estimate_line_id": line.id,
        }
