from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _construction_refresh_budgets(self):
        """Committed cost counts the quantities of posted bills only, and a
        bill's state changes after its analytic entries do: refresh the
        budgets of its purchase lines once it has."""
        accounts = {
            int(account_id)
            for line in self.line_ids
            if line.purchase_line_id
            for key in (line.analytic_distribution or {})
            for account_id in key.split(",")
        }
        self.env["construction.budget.line"]._refresh_for_accounts(accounts)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._construction_refresh_budgets()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._construction_refresh_budgets()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._construction_refresh_budgets()
        return result
