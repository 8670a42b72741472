from calendar import monthrange

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class ConstructionWipLine(models.Model):
    """One contract's work in progress at a month end: revenue earned by the
    cost method (cost to date over the estimated cost at completion, times
    the contract sum) against what was billed, and the entry that books the
    difference, proposed for a person to post."""

    _name = "construction.wip.line"
    _description = "Construction WIP Schedule Line"
    _order = "date desc, project_id"
    _rec_name = "contract_id"
    _check_company_auto = True

    date = fields.Date("Month End", required=True, index=True, readonly=True)
    contract_id = fields.Many2one(
        "sale.order", required=True, index=True, readonly=True, check_company=True
    )
    project_id = fields.Many2one(
        related="contract_id.construction_project_id", store=True, index=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_id.currency_id")
    contract_sum = fields.Monetary("Contract Sum to Date", readonly=True, aggregator="sum")
    estimated_cost = fields.Monetary(
        "Estimated Cost at Completion",
        readonly=True,
        aggregator="sum",
        help="The forecast at completion of the project's budgets.",
    )
    cost_to_date = fields.Monetary(readonly=True, aggregator="sum", help="Actual job cost.")
    percent_complete = fields.Float(
        "% Complete (Cost)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    earned_revenue = fields.Monetary(readonly=True, aggregator="sum")
    billed_to_date = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Completed and stored to date of the last pay application approved for the month.",
    )
    over_under = fields.Monetary(
        "Over (Under) Billed",
        readonly=True,
        aggregator="sum",
        help="Billed to date less earned revenue: positive when over billed.",
    )
    entry_id = fields.Many2one(
        "account.move", string="Proposed Entry", readonly=True, copy=False, check_company=True
    )
    entry_state = fields.Selection(related="entry_id.state", string="Entry Status")

    _sql_constraints = [
        ("month_uniq", "unique (contract_id, date)", "A contract has one WIP line per month."),
    ]

    @api.model
    def _month_end(self, day):
        return day.replace(day=monthrange(day.year, day.month)[1])

    @api.model
    def _generate(self, month_end, contracts=None):
        """The WIP lines of ``contracts`` (every confirmed contract of the
        current company by default) at ``month_end``, made again if they were
        there and no entry was proposed for them."""
        contracts = contracts or self.env["sale.order"].search(
            [
                ("construction_project_id", "!=", False),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
            ]
        )
        existing = self.search([("contract_id", "in", contracts.ids), ("date", "=", month_end)])
        if existing.entry_id:
            raise UserError(
                self.env._(
                    "The WIP of %(month)s has proposed entries already: delete them first.",
                    month=month_end,
                )
            )
        existing.unlink()
        return self.create([self._prepare_line(contract, month_end) for contract in contracts])

    @api.model
    def _prepare_line(self, contract, month_end):
        currency = contract.currency_id
        budget_lines = (
            self.env["construction.budget.line"]
            .sudo()
            .search([("project_id", "=", contract.construction_project_id.id)])
        )
        keys = budget_lines._keys()
        actual = budget_lines._actual_amounts(
            budget_lines.project_id.account_id,
            budget_lines.cost_code_id.analytic_account_id,
            date_to=month_end,
        )
        cost_to_date = currency.round(sum(actual.get(keys[line], 0.0) for line in budget_lines))
        estimated = currency.round(sum(budget_lines.mapped("forecast")))
        contract_sum = contract.contract_original_sum + contract.contract_change_sum
        ratio = min(cost_to_date / estimated, 1.0) if estimated else 0.0
        earned = currency.round(contract_sum * ratio)
        billed = (
            contract.pay_application_ids.filtered(
                lambda app: app.state == "approved" and app.period_to <= month_end
            )
            .sorted("number")[-1:]
            .completed_and_stored
        )
        return {
            "date": month_end,
            "contract_id": contract.id,
            "contract_sum": contract_sum,
            "estimated_cost": estimated,
            "cost_to_date": cost_to_date,
            "percent_complete": ratio * 100,
            "earned_revenue": earned,
            "billed_to_date": billed,
            "over_under": billed - earned,
        }

    @api.model
    def action_generate_last_month(self):
        """The WIP of the month that ended last (header button of the list)."""
        month_end = self._month_end(fields.Date.context_today(self) - relativedelta(months=1))
        self._generate(month_end)
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _cron_generate(self):
        month_end = self._month_end(fields.Date.context_today(self) - relativedelta(months=1))
        companies = self.env["sale.order"]._read_group(
            [("construction_project_id", "!=", False), ("state", "=", "sale")], ["company_id"]
        )
        for (company,) in companies:
            self.with_company(company)._generate(month_end)

    # ------------------------------------------------------------------
    # Month-end entries: proposed here, posted by a person
    # ------------------------------------------------------------------

    def action_propose_entries(self):
        """A draft journal entry per over or under billed contract: over
        billing moves revenue to billings in excess of revenue, under
        billing adds revenue earned and not billed yet."""
        for line in self.filtered(lambda wip: not wip.entry_id):
            if line.currency_id.is_zero(line.over_under):
                continue
            line.entry_id = line._create_entry()

    def _create_entry(self):
        self.ensure_one()
        company = self.company_id
        over = company.construction_wip_overbilled_account_id
        under = company.construction_wip_underbilled_account_id
        product = self.env.ref("construction_billing.product_contract_work")
        revenue = product.with_company(company).product_tmpl_id._get_product_accounts()["income"]
        if not (over and under and revenue):
            raise UserError(
                self.env._(
                    "Set the over and under billing accounts of %(company)s and the income "
                    "account of the product Contract Work first.",
                    company=company.name,
                )
            )
        amount = abs(self.over_under)
        debit, credit = (revenue, over) if self.over_under > 0 else (under, revenue)
        label = self.env._(
            "WIP %(month)s %(project)s: %(kind)s",
            month=self.date,
            project=self.project_id.name,
            kind=self.env._("over billed") if self.over_under > 0 else self.env._("under billed"),
        )
        return (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "date": self.date,
                    "ref": label,
                    "company_id": company.id,
                    "line_ids": [
                        (0, 0, {"name": label, "account_id": debit.id, "debit": amount}),
                        (0, 0, {"name": label, "account_id": credit.id, "credit": amount}),
                    ],
                }
            )
        )
