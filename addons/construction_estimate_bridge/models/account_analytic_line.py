from odoo import api, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    def _construction_cost_code_accounts(self):
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        return set(self.sudo().mapped(column).ids)

    def _construction_refresh_budgets(self, account_ids):
        if account_ids:
            self.env["construction.budget.line"]._refresh_for_accounts(account_ids)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._construction_refresh_budgets(lines._construction_cost_code_accounts())
        return lines

    def write(self, vals):
        before = self._construction_cost_code_accounts()
        result = super().write(vals)
        self._construction_refresh_budgets(before | self._construction_cost_code_accounts())
        return result

    def unlink(self):
        accounts = self._construction_cost_code_accounts()
        result = super().unlink()
        self._construction_refresh_budgets(accounts)
        return result
