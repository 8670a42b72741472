from odoo import fields, models

ESTIMATE_READERS = (
    "construction_sync.group_construction_sync_reviewer,"
    "construction_sync.group_construction_sync_manager"
)
BUDGET_READERS = "construction_sync.group_construction_sync_estimator"


class ProjectProject(models.Model):
    _inherit = "project.project"

    construction_estimate_count = fields.Integer(
        "Estimates", compute="_compute_construction_estimate_counts", groups=ESTIMATE_READERS
    )
    construction_change_order_count = fields.Integer(
        "Change Orders", compute="_compute_construction_estimate_counts", groups=ESTIMATE_READERS
    )
    construction_budget_id = fields.Many2one(
        "construction.budget", compute="_compute_construction_budget", groups=BUDGET_READERS
    )
    construction_over_budget_count = fields.Integer(
        "Cost Codes over Budget", compute="_compute_construction_budget", groups=BUDGET_READERS
    )
    construction_budget_graph = fields.Text(
        "Budget Chart", compute="_compute_construction_budget", groups=BUDGET_READERS
    )
    construction_budget_currency_id = fields.Many2one(
        "res.currency",
        "Budget Currency",
        compute="_compute_construction_budget",
        groups=BUDGET_READERS,
    )
    construction_budget_revised = fields.Monetary(
        "Revised Budget",
        compute="_compute_construction_budget",
        currency_field="construction_budget_currency_id",
        groups=BUDGET_READERS,
    )

    def _compute_construction_estimate_counts(self):
        estimates = dict(
            self.env["construction.estimate"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["__count"]
            )
        )
        change_orders = dict(
            self.env["construction.change.order"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["__count"]
            )
        )
        for project in self:
            project.construction_estimate_count = estimates.get(project, 0)
            project.construction_change_order_count = change_orders.get(project, 0)

    def _compute_construction_budget(self):
        budgets = self.env["construction.budget"].search([("project_id", "in", self.ids)])
        by_project = {budget.project_id: budget for budget in budgets}
        for project in self:
            budget = by_project.get(project, self.env["construction.budget"])
            project.construction_budget_id = budget
            project.construction_budget_currency_id = budget.currency_id
            project.construction_budget_revised = budget.revised
            project.construction_over_budget_count = budget.over_budget_count
            project.construction_budget_graph = budget.budget_graph or False

    def action_construction_open_estimates(self):
        return self._construction_open(
            "construction_estimate_bridge.construction_estimate_action",
            [("project_id", "=", self.id)],
            {"default_project_id": self.id},
        )

    def action_construction_open_change_orders(self):
        return self._construction_open(
            "construction_estimate_bridge.construction_change_order_action",
            [("project_id", "=", self.id)],
        )

    def action_construction_open_budget(self):
        """The project's budget, or its empty list saying how to make one."""
        self.ensure_one()
        if self.construction_budget_id:
            return self.construction_budget_id._action_open()
        return self._construction_open(
            "construction_estimate_bridge.construction_budget_action",
            [("project_id", "=", self.id)],
        )

    def _construction_publish_created(self, estimate):
        """Tell the subscribed systems of the project's company that the
        award of ``estimate`` made this job."""
        self.ensure_one()
        self.env["construction.sync.delivery"]._emit(
            "project.created",
            [
                (
                    self.company_id,
                    {
                        "id": self.id,
                        "name": self.name,
                        "customer": self.partner_id.name or None,
                        "analytic_account": self.account_id.name,
                        "estimate": estimate.external_ref or estimate.name,
                        "revision": estimate.revision,
                        "budget": estimate.budget_id.revised,
                        "tasks": self.task_ids.sorted("name").mapped("name"),
                    },
                )
            ],
        )
