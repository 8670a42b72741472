from collections import defaultdict

from odoo import api, fields, models

# Figures read from purchasing and accounting, refreshed by _refresh_figures.
FIGURES = ("committed", "actual")


class ConstructionBudgetLine(models.Model):
    _name = "construction.budget.line"
    _description = "Construction Budget Line"
    _order = "budget_id, cost_code_id"
    _rec_name = "cost_code_id"
    _check_company_auto = True

    budget_id = fields.Many2one(
        "construction.budget", required=True, index=True, ondelete="cascade"
    )
    project_id = fields.Many2one(related="budget_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="budget_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="budget_id.currency_id")
    state = fields.Selection(related="budget_id.state", store=True, string="Budget Status")
    cost_code_id = fields.Many2one(
        "construction.cost.code", required=True, index=True, check_company=True, ondelete="restrict"
    )
    analytic_account_id = fields.Many2one(
        related="cost_code_id.analytic_account_id", string="Cost Code Analytic Account"
    )
    cost_type = fields.Selection(related="cost_code_id.cost_type", store=True)
    uom_id = fields.Many2one("uom.uom", string="Unit")
    original_quantity = fields.Float(digits="Product Unit of Measure")
    approved_quantity_changes = fields.Float(digits="Product Unit of Measure")
    revised_quantity = fields.Float(
        compute="_compute_revised", store=True, digits="Product Unit of Measure"
    )
    original = fields.Monetary(aggregator="sum")
    approved_changes = fields.Monetary(
        aggregator="sum", help="Sum of the approved change orders on this cost code."
    )
    revised = fields.Monetary(compute="_compute_revised", store=True, aggregator="sum")
    committed = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Confirmed purchase order lines on this project and cost code not billed yet.",
    )
    actual = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Analytic entries on this project and cost code: timesheets, vendor bills.",
    )
    remaining = fields.Monetary(
        compute="_compute_outlook",
        store=True,
        aggregator="sum",
        help="Revised budget minus committed and actual cost.",
    )
    forecast = fields.Monetary(
        "Forecast at Completion",
        compute="_compute_outlook",
        store=True,
        aggregator="sum",
        help="Committed and actual cost plus what is left of the budget to spend.",
    )
    variance = fields.Monetary(
        compute="_compute_outlook",
        store=True,
        aggregator="sum",
        help="Revised budget minus forecast; negative when the cost code runs over.",
    )
    over_budget = fields.Boolean(compute="_compute_outlook", store=True)

    _sql_constraints = [
        (
            "cost_code_uniq",
            "unique (budget_id, cost_code_id)",
            "A budget has one line per cost code.",
        ),
    ]

    @api.depends("original", "approved_changes", "original_quantity", "approved_quantity_changes")
    def _compute_revised(self):
        for line in self:
            line.revised = line.original + line.approved_changes
            line.revised_quantity = line.original_quantity + line.approved_quantity_changes

    @api.depends("revised", "committed", "actual")
    def _compute_outlook(self):
        for line in self:
            spent = line.committed + line.actual
            line.remaining = line.revised - spent
            line.forecast = max(line.revised, spent)
            line.variance = line.revised - line.forecast
            line.over_budget = line.currency_id.compare_amounts(spent, line.revised) > 0

    @api.depends("budget_id.project_id", "cost_code_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.project_id.name} / {line.cost_code_id.display_name}"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._refresh_figures()
        return lines

    # ------------------------------------------------------------------
    # Committed and actual cost
    # ------------------------------------------------------------------

    def _keys(self):
        """(project account id, cost code account id) of each line."""
        return {
            line: (line.project_id.account_id.id, line.cost_code_id.analytic_account_id.id)
            for line in self
        }

    def _committed_amounts(self, project_accounts, cost_code_accounts):
        """Open purchase amount per (project account, cost code account).

        Confirmed purchase lines whose analytic distribution carries both
        accounts, valued at their untaxed price for the quantity not billed
        yet, in company currency, weighted by the distribution percentage.
        Billed means on a posted bill: a draft bill is no cost yet (it has no
        analytic entries), so its quantity stays committed until it posts.
        """
        committed = defaultdict(float)
        if not cost_code_accounts:
            return committed
        purchase_lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("state", "in", ("purchase", "done")),
                    ("display_type", "=", False),
                    ("analytic_distribution", "in", cost_code_accounts.ids),
                ]
            )
        )
        project_ids, cost_code_ids = set(project_accounts.ids), set(cost_code_accounts.ids)
        for purchase_line in purchase_lines:
            open_quantity = purchase_line.product_qty - self._posted_quantity(purchase_line)
            if open_quantity <= 0 or not purchase_line.product_qty:
                continue
            order = purchase_line.order_id
            amount = purchase_line.currency_id._convert(
                purchase_line.price_subtotal * open_quantity / purchase_line.product_qty,
                order.company_id.currency_id,
                order.company_id,
                order.date_approve or fields.Date.today(),
            )
            for key, percentage in purchase_line.analytic_distribution.items():
                account_ids = {int(account_id) for account_id in key.split(",")}
                for project_id in account_ids & project_ids:
                    for cost_code_id in account_ids & cost_code_ids:
                        committed[(project_id, cost_code_id)] += amount * percentage / 100
        return committed

    @api.model
    def _posted_quantity(self, purchase_line):
        """Quantity of ``purchase_line`` on posted bills less posted refunds, in its unit."""
        quantity = 0.0
        for bill_line in purchase_line.invoice_lines:
            if bill_line.parent_state != "posted":
                continue
            billed = bill_line.product_uom_id._compute_quantity(
                bill_line.quantity, purchase_line.product_uom
            )
            quantity += billed if bill_line.move_id.move_type == "in_invoice" else -billed
        return quantity

    def _actual_amounts(self, project_accounts, cost_code_accounts, date_to=None):
        """Booked cost per (project account, cost code account), from analytic
        entries (dated ``date_to`` or before, when given)."""
        if not cost_code_accounts or not project_accounts:
            return {}
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        dated = [("date", "<=", date_to)] if date_to else []
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    (column, "in", cost_code_accounts.ids),
                    ("account_id", "in", project_accounts.ids),
                    *dated,
                ],
                ["account_id", column],
                ["amount:sum"],
            )
        )
        return {
            (project_account.id, cost_code_account.id): -amount
            for project_account, cost_code_account, amount in groups
        }

    def _refresh_figures(self):
        """Read committed and actual cost again from purchases and analytic entries."""
        lines = self.sudo()
        keys = lines._keys()
        project_accounts = lines.project_id.account_id
        cost_code_accounts = lines.cost_code_id.analytic_account_id
        committed = lines._committed_amounts(project_accounts, cost_code_accounts)
        actual = lines._actual_amounts(project_accounts, cost_code_accounts)
        for line in lines:
            values = {
                "committed": line.currency_id.round(committed.get(keys[line], 0.0)),
                "actual": line.currency_id.round(actual.get(keys[line], 0.0)),
            }
            if any(line.currency_id.compare_amounts(line[k], v) for k, v in values.items()):
                line.write(values)

    @api.model
    def _refresh_for_accounts(self, analytic_account_ids):
        """Refresh the budget lines whose cost code or project uses these accounts."""
        if not analytic_account_ids:
            return
        self.sudo().search(
            [
                "|",
                ("cost_code_id.analytic_account_id", "in", list(analytic_account_ids)),
                ("project_id.account_id", "in", list(analytic_account_ids)),
            ]
        )._refresh_figures()

    @api.model
    def _refresh_for_pairs(self, pairs):
        """Refresh only the budget lines of these (project account, cost code
        account) pairs: a timesheet on one project and cost code must not
        recompute every project that uses the same cost code."""
        candidates = self.sudo().search(
            [
                ("project_id.account_id", "in", list({project for project, _code in pairs})),
                ("cost_code_id.analytic_account_id", "in", list({code for _p, code in pairs})),
            ]
        )
        keys = candidates._keys()
        candidates.filtered(lambda line: keys[line] in pairs)._refresh_figures()

    @api.model
    def _cron_refresh_figures(self):
        self.sudo().search([("state", "!=", "closed")])._refresh_figures()
