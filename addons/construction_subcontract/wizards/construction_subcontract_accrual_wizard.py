from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import date_utils


class ConstructionSubcontractAccrualWizard(models.TransientModel):
    _name = "construction.subcontract.accrual.wizard"
    _description = "Month-end Accruals per Project and Cost Code"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=lambda self: (
            date_utils.start_of(fields.Date.context_today(self), "month") - relativedelta(days=1)
        ),
    )
    reversal_date = fields.Date(
        compute="_compute_reversal_date",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
    account_id = fields.Many2one(
        "account.account",
        "Accrual Account",
        required=True,
        check_company=True,
        domain="[('account_type', '=', 'liability_current')]",
    )
    line_ids = fields.One2many(
        "construction.subcontract.accrual.wizard.line",
        "wizard_id",
        "Proposed Accruals",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("date")
    def _compute_reversal_date(self):
        for wizard in self:
            wizard.reversal_date = wizard.date and wizard.date + relativedelta(days=1)

    @api.depends("company_id")
    def _compute_journal_id(self):
        # A controller need not be an accountant to be proposed the journal.
        Journal = self.env["account.journal"].sudo()
        for wizard in self:
            wizard.journal_id = Journal.search(
                [
                    *Journal._check_company_domain(wizard.company_id),
                    ("type", "=", "general"),
                ],
                limit=1,
            )

    @api.depends("date", "company_id")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = [Command.clear()] + [
                Command.create(values) for values in wizard._proposals()
            ]

    def _proposals(self):
        """Cost incurred by ``date`` and not on a posted bill, per expense
        account and analytic distribution (project and cost code): approved
        subcontract progress and goods received."""
        self.ensure_one()
        if not self.date:
            return []
        totals = defaultdict(float)
        sources = defaultdict(set)

        def add(purchase_line, amount, source):
            order = purchase_line.order_id
            amount = order.currency_id._convert(
                amount, self.company_id.currency_id, self.company_id, self.date
            )
            account = (
                purchase_line.product_id.with_company(self.company_id)
                .product_tmpl_id.get_product_accounts(fiscal_pos=order.fiscal_position_id)
                .get("expense")
            )
            key = (account, tuple(sorted((purchase_line.analytic_distribution or {}).items())))
            totals[key] += amount
            sources[key].add(f"{order.name} ({source})")

        applications = (
            self.env["construction.subcontract.pay.application"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "approved"),
                    ("period_end", "<=", self.date),
                ]
            )
        )
        for application in applications:
            bill = application.move_id
            if bill.state == "posted" and bill.date <= self.date:
                continue
            for line in application.line_ids.filtered("this_period_amount"):
                add(line.purchase_line_id, line.this_period_amount, self.env._("approved progress"))
        purchase_lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "in", ("purchase", "done")),
                    ("display_type", "=", False),
                    ("qty_received", ">", 0),
                    ("order_id.construction_subcontract", "=", False),
                ]
            )
        )
        for purchase_line in purchase_lines:
            billed = sum(
                bill_line.quantity * (1 if bill_line.move_id.move_type == "in_invoice" else -1)
                for bill_line in purchase_line.invoice_lines
                if bill_line.parent_state == "posted" and bill_line.date <= self.date
            )
            open_quantity = purchase_line.qty_received - billed
            if open_quantity > 0:
                add(
                    purchase_line,
                    open_quantity * purchase_line.price_unit,
                    self.env._("received, not billed"),
                )
        currency = self.company_id.currency_id
        return [
            {
                "account_id": account.id,
                "analytic_distribution": dict(distribution) or False,
                "amount": currency.round(amount),
                "name": ", ".join(sorted(sources[account, distribution])),
            }
            for (account, distribution), amount in totals.items()
            if account and not currency.is_zero(amount)
        ]

    def action_create_entries(self):
        """Post the accrual entry as of ``date`` and its reversal on ``reversal_date``."""
        self.ensure_one()
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller posts accruals."))
        if not self.line_ids:
            raise UserError(self.env._("Nothing to accrue as of %s.", self.date))
        if not self.journal_id:
            raise UserError(self.env._("Choose the miscellaneous journal of the accruals."))
        if self.reversal_date <= self.date:
            raise UserError(self.env._("The reversal date comes after the accrual date."))
        total = sum(self.line_ids.mapped("amount"))
        ref = self.env._("Accrued subcontract and received cost as of %s", self.date)
        lines = [
            Command.create(
                {
                    "name": line.name,
                    "account_id": line.account_id.id,
                    "debit": line.amount,
                    "analytic_distribution": line.analytic_distribution,
                }
            )
            for line in self.line_ids
        ]
        lines.append(
            Command.create({"name": ref, "account_id": self.account_id.id, "credit": total})
        )
        # The controller's decision is the right to post; it need not be an accountant.
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        move = Move.create(
            {"journal_id": self.journal_id.id, "date": self.date, "ref": ref, "line_ids": lines}
        )
        move._post()
        reversal = move._reverse_moves(
            default_values_list=[
                {"date": self.reversal_date, "ref": self.env._("Reversal of: %s", ref)}
            ]
        )
        reversal._post()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accruals"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", (move | reversal).ids)],
        }
