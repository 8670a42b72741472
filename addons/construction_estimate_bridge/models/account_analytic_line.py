from odoo import api, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    def _construction_budget_pairs(self):
        """(project account, cost code account) of the lines that carry both:
        the budget lines whose actual cost they change."""
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        return {
            (line.account_id.id, line[column].id)
            for line in self.sudo()
            if line.account_id and line[column]
        }

    def _construction_refresh_budgets(self, pairs):
        if pairs:
            self.env["construction.budget.line"]._refresh_for_pairs(pairs)

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo writes each new timesheet's amount on its own: the budgets are
        # refreshed once for them all below, not once per write.
        lines = super(
            AccountAnalyticLine, self.with_context(construction_budget_refresh_later=True)
        ).create(vals_list)
        lines = lines.with_env(self.env)
        lines._construction_refresh_budgets(lines._construction_budget_pairs())
        return lines

    def write(self, vals):
        if self.env.context.get("construction_budget_refresh_later") and vals.keys() <= {"amount"}:
            return super().write(vals)
        before = self._construction_budget_pairs()
        result = super().write(vals)
        self._construction_refresh_budgets(before | self._construction_budget_pairs())
        return result

    def unlink(self):
        pairs = self._construction_budget_pairs()
        result = super().unlink()
        self._construction_refresh_budgets(pairs)
        return result
