import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

BUDGET_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("closed", "Closed"),
]
# The line figures a budget sums up.
BUDGET_TOTALS = (
    "original",
    "approved_changes",
    "revised",
    "committed",
    "actual",
    "remaining",
    "forecast",
    "variance",
)


class ConstructionBudget(models.Model):
    _name = "construction.budget"
    _description = "Construction Budget"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "project_id, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    project_id = fields.Many2one(
        "project.project", required=True, index=True, tracking=True, check_company=True
    )
    project_account_id = fields.Many2one(
        related="project_id.account_id", string="Project Analytic Account"
    )
    estimate_id = fields.Many2one("construction.estimate", tracking=True, check_company=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        BUDGET_STATES, default="draft", required=True, tracking=True, copy=False
    )
    proposed_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        tracking=True,
        default=lambda self: self.env.user,
        help="Who made or last reset the budget; another person approves it.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_date = fields.Datetime(readonly=True, copy=False)
    line_ids = fields.One2many("construction.budget.line", "budget_id", "Lines", copy=True)
    change_order_ids = fields.One2many("construction.change.order", "budget_id")
    # Stored: a portfolio of thousands of budgets reads its totals as
    # columns, where summing the lines on every read cost twice Odoo's own
    # grouping of them (bench/estimate_import.py, portfolio).
    original = fields.Monetary(compute="_compute_totals", store=True, string="Original Budget")
    approved_changes = fields.Monetary(compute="_compute_totals", store=True)
    revised = fields.Monetary(compute="_compute_totals", store=True, string="Revised Budget")
    committed = fields.Monetary(compute="_compute_totals", store=True)
    actual = fields.Monetary(compute="_compute_totals", store=True)
    remaining = fields.Monetary(compute="_compute_totals", store=True)
    forecast = fields.Monetary(
        compute="_compute_totals", store=True, string="Forecast at Completion"
    )
    variance = fields.Monetary(compute="_compute_totals", store=True)
    over_budget_count = fields.Integer(compute="_compute_totals", store=True)
    budget_graph = fields.Text(
        compute="_compute_budget_graph",
        help="Original, revised, committed, actual and forecast, side by side.",
    )

    _sql_constraints = [
        (
            "project_uniq",
            "unique (project_id)",
            "A project has one budget; approved change orders revise it.",
        ),
    ]

    @api.depends(*(f"line_ids.{name}" for name in BUDGET_TOTALS), "line_ids.over_budget")
    def _compute_totals(self):
        """The sums of the lines' stored figures, kept whenever a line
        changes (its amounts, a change order, refreshed committed and
        actual cost): one ``_read_group`` for every saved budget
        recomputed; a budget being edited adds up the lines of its form."""
        saved = self.filtered("id")
        totals = defaultdict(lambda: dict.fromkeys((*BUDGET_TOTALS, "over_budget_count"), 0))
        for budget, over_budget, count, *sums in self.env["construction.budget.line"]._read_group(
            [("budget_id", "in", saved.ids)],
            ["budget_id", "over_budget"],
            ["__count", *(f"{name}:sum" for name in BUDGET_TOTALS)],
        ):
            budget_totals = totals[budget.id]
            for name, value in zip(BUDGET_TOTALS, sums, strict=True):
                budget_totals[name] += value
            budget_totals["over_budget_count"] += count if over_budget else 0
        for budget in saved:
            budget.update(totals[budget.id])
        for budget in self - saved:
            lines = budget.line_ids
            budget.update({name: sum(lines.mapped(name)) for name in BUDGET_TOTALS})
            budget.over_budget_count = len(lines.filtered("over_budget"))

    @api.depends("original", "revised", "committed", "actual", "forecast")
    def _compute_budget_graph(self):
        labels = {
            "original": self.env._("Original"),
            "revised": self.env._("Revised"),
            "committed": self.env._("Committed"),
            "actual": self.env._("Actual"),
            "forecast": self.env._("Forecast"),
        }
        for budget in self:
            # The shape of Odoo's dashboard_graph widget for bars; the
            # forecast, a projection, in the colour Odoo gives what is to come.
            values = [
                {
                    "label": label,
                    "value": budget.currency_id.round(budget[name]),
                    "type": "future" if name == "forecast" else "past",
                }
                for name, label in labels.items()
            ]
            budget.budget_graph = json.dumps([{"key": self.env._("Budget"), "values": values}])

    # ------------------------------------------------------------------
    # From estimates
    # ------------------------------------------------------------------

    @api.model
    def _from_estimate(self, estimate):
        """Create or update the project's budget from an approved estimate.

        Original amounts and quantities become the estimate's, per cost
        code, quantities converted to the cost code's unit, else to that of
        its first line (a line in yd²
        adds nine times its quantity to a cost code counted in ft²; a line
        in hours cannot add to it and is refused); a cost code the estimate
        no longer holds keeps its line at 0 so that its commitments and
        history stay visible.
        """
        lines = estimate.line_ids.filtered("in_budget")
        missing = lines.filtered(lambda line: not line.cost_code_id)
        if missing:
            raise UserError(
                self.env._(
                    "Every budgeted line needs a cost code: %(lines)s.",
                    lines=", ".join(missing.mapped("name")),
                )
            )
        if not estimate.project_id.account_id:
            raise UserError(
                self.env._(
                    "Project %(project)s has no analytic account, so its costs cannot "
                    "be followed. Set one on the project first.",
                    project=estimate.project_id.display_name,
                )
            )
        totals = defaultdict(lambda: [0.0, 0.0])
        units = {}
        for line in lines:
            # a cost code without a unit counts in the unit of its first line
            unit = units.setdefault(line.cost_code_id, line.cost_code_id.uom_id or line.uom_id)
            totals[line.cost_code_id][0] += line.amount
            totals[line.cost_code_id][1] += line._budget_quantity(unit)
        budget = self.search([("project_id", "=", estimate.project_id.id)], limit=1)
        if not budget:
            budget = self.create(
                {
                    "name": estimate.name,
                    "project_id": estimate.project_id.id,
                    "company_id": estimate.company_id.id,
                }
            )
        budget.estimate_id = estimate
        existing = {line.cost_code_id: line for line in budget.line_ids}
        for cost_code, line in existing.items():
            amount, quantity = totals.get(cost_code, (0.0, 0.0))
            if (line.original, line.original_quantity) != (amount, quantity):
                line.write({"original": amount, "original_quantity": quantity})
        self.env["construction.budget.line"].create(
            [
                {
                    "budget_id": budget.id,
                    "cost_code_id": cost_code.id,
                    "original": amount,
                    "original_quantity": quantity,
                    "uom_id": units[cost_code].id,
                }
                for cost_code, (amount, quantity) in totals.items()
                if cost_code not in existing
            ]
        )
        budget.message_post(
            body=self.env._(
                "Original budget set from estimate %(estimate)s: %(amount)s over %(count)s "
                "cost codes.",
                estimate=estimate.display_name,
                amount=budget.currency_id.format(sum(a for a, _q in totals.values())),
                count=len(totals),
            )
        )
        return budget

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_approve(self):
        """Approve as the current user, who must not have proposed the
        budget, and above the company's limit must be an administrator."""
        if any(budget.state != "draft" for budget in self):
            raise UserError(self.env._("Only draft budgets can be approved."))
        for budget in self:
            budget.company_id._construction_check_approval(
                budget.proposed_by_id,
                budget.revised,
                self.env._("budget %(budget)s", budget=budget.display_name),
            )
        self._approve(self.env._("approved"))

    def _approve(self, how):
        """Mark draft budgets approved by the current user; ``how`` says in
        the chatter on what authority."""
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )
        for budget in self:
            budget.message_post(
                body=self.env._(
                    "Budget %(how)s at %(amount)s.",
                    how=how,
                    amount=budget.currency_id.format(budget.revised),
                )
            )

    def action_close(self):
        self.state = "closed"

    def action_reset_to_draft(self):
        self.write(
            {
                "state": "draft",
                "proposed_by_id": self.env.user.id,
                "approved_by_id": False,
                "approved_date": False,
            }
        )

    def action_refresh_figures(self):
        self.line_ids._refresh_figures()

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.budget",
            "res_id": self.id,
            "view_mode": "form",
        }

    def action_request_quotations(self):
        """The Request Quotations wizard on every line of the budget."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_estimate_bridge.construction_budget_rfq_wizard_action"
        )
        action["context"] = {
            "active_model": "construction.budget.line",
            "active_ids": self.line_ids.ids,
        }
        return action

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_estimate_bridge.construction_budget_line_action"
        )
        action["domain"] = [("budget_id", "=", self.id)]
        return action
