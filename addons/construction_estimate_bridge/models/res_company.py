from odoo import fields, models
from odoo.exceptions import UserError

BUDGET_CHECKS = [
    ("none", "No check"),
    ("approval", "Require a project controller's approval"),
    ("block", "Block"),
]

AWARD_BUDGET_RULES = [
    ("review", "Draft, for a project controller to approve"),
    ("approve", "Approved by the award"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    construction_budget_check = fields.Selection(
        BUDGET_CHECKS,
        string="Budget Check on Purchases",
        default="block",
        required=True,
        help="What happens when a confirmed purchase order would exceed the remaining "
        "budget of a project's cost code.",
    )
    construction_award_budget = fields.Selection(
        AWARD_BUDGET_RULES,
        string="Budget of an Awarded Estimate",
        default="review",
        required=True,
        help="Whether the budget an awarded estimate makes waits for a project "
        "controller's approval or is approved by the award itself.",
    )
    construction_approval_limit = fields.Monetary(
        string="Approval Limit of a Project Controller",
        currency_field="currency_id",
        help="Budgets, change orders and budget overruns above this amount are "
        "approved by a Construction Administrator; 0: a project controller "
        "approves any amount.",
    )

    def _construction_check_approval(self, proposers, amount, subject):
        """Refuse the current user's approval of ``subject`` (worth ``amount``
        in the company's currency) when they proposed it (one of
        ``proposers``) or when the amount is above the project controllers'
        limit and they are not an administrator. Code running as superuser
        (the engine on a rule of the company) is no person and is let pass."""
        self.ensure_one()
        if self.env.su:
            return
        user = self.env.user
        if user in proposers:
            raise UserError(
                self.env._(
                    "You proposed %(subject)s, so another person must approve it.",
                    subject=subject,
                )
            )
        if not user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(
                self.env._("Only a project controller may approve %(subject)s.", subject=subject)
            )
        limit = self.construction_approval_limit
        if (
            limit
            and self.currency_id.compare_amounts(abs(amount), limit) > 0
            and not user.has_group("construction_sync.group_construction_sync_administrator")
        ):
            raise UserError(
                self.env._(
                    "%(subject)s is worth %(amount)s, above the %(limit)s a project controller "
                    "may approve: a Construction Administrator must approve it.",
                    subject=subject,
                    amount=self.currency_id.format(abs(amount)),
                    limit=self.currency_id.format(limit),
                )
            )
