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
        """One draft purchase order per suggested vendor, analytic distribution set."""
        self.ensure_one()
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
        by_vendor = defaultdict(lambda: self.env["construction.estimate.line"])
        for line in lines:
            by_vendor[line.vendor_id] |= line
        orders = self.env["purchase.order"].create(
            [
                {
                    "partner_id": vendor.id,
                    "company_id": vendor_lines.company_id[:1].id,
                    "origin": ", ".join(vendor_lines.estimate_id.mapped("display_name")),
                    "order_line": [
                        Command.create(self._order_line_values(line)) for line in vendor_lines
                    ],
                }
                for vendor, vendor_lines in by_vendor.items()
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Requests for Quotation"),
            "res_model": "purchase.order",
            "view_mode": "list,form",
            "domain": [("id", "in", orders.ids)],
        }

    @api.model
    def _order_line_values(self, line):
        product = line.product_id
        uom = line.uom_id
        if not uom or uom.category_id != product.uom_id.category_id:
            uom = product.uom_po_id
        key = f"{line.project_id.account_id.id},{line.cost_code_id.analytic_account_id.id}"
        return {
            "product_id": product.id,
            "name": line.name,
            "product_qty": line.quantity,
            "product_uom": uom.id,
            "price_unit": line.unit_cost,
            "analytic_distribution": {key: 100},
        }
