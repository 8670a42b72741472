from odoo import api, fields, models
from odoo.addons.construction_estimate_bridge.lib import pay_app
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

PAY_APPLICATION_STATES = [
    ("draft", "Draft"),
    ("certified", "Sent to Client"),
    ("approved", "Approved by Client"),
    ("rejected", "Rejected by Client"),
]
OPEN_STATES = ("draft", "certified", "rejected")
# The continuation sheet's amounts, columns C to I but the percent (G ÷ C).
SHEET_AMOUNTS = (
    "scheduled_value",
    "previous",
    "this_period",
    "stored",
    "completed_to_date",
    "balance_to_finish",
    "retainage",
)
# Summary fields of the application and the lib's Summary attribute each holds.
SUMMARY_FIELDS = {
    "original_contract_sum": "original_contract_sum",
    "net_change_orders": "net_change_orders",
    "contract_sum_to_date": "contract_sum_to_date",
    "completed_and_stored": "completed_and_stored",
    "retainage_on_completed": "retainage_on_completed",
    "retainage_on_stored": "retainage_on_stored",
    "retainage_total": "retainage_total",
    "earned_less_retainage": "earned_less_retainage",
    "previous_certificates": "previous_certificates",
    "current_payment_due": "current_payment_due",
    "balance_to_finish": "balance_to_finish_with_retainage",
}


class ConstructionPayApplication(models.Model):
    """The contractor's application for payment of one period: the summary
    (G702 lines) and the continuation sheet (G703 columns) of a contract,
    from the progress approved since the previous application."""

    _name = "construction.pay.application"
    _description = "Construction Pay Application"
    _inherit = [
        "construction.billing.contract.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "contract_id, number desc"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False)
    number = fields.Integer("Application No.", readonly=True, copy=False)
    period_to = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection(
        PAY_APPLICATION_STATES, default="draft", required=True, tracking=True, copy=False
    )
    line_ids = fields.One2many(
        "construction.pay.application.line", "application_id", string="Continuation Sheet"
    )
    progress_ids = fields.One2many(
        "construction.billing.progress", "pay_application_id", string="Progress Billed"
    )
    previous_id = fields.Many2one(
        "construction.pay.application", string="Previous Application", readonly=True
    )
    retainage_percent = fields.Float("Retainage %", digits=(16, 4), readonly=True)
    retainage_stored_percent = fields.Float("Retainage on Stored %", digits=(16, 4), readonly=True)
    original_contract_sum = fields.Monetary(readonly=True)
    net_change_orders = fields.Monetary("Net Change by Change Orders", readonly=True)
    contract_sum_to_date = fields.Monetary(readonly=True)
    completed_and_stored = fields.Monetary("Total Completed and Stored to Date", readonly=True)
    retainage_on_completed = fields.Monetary("Retainage on Completed Work", readonly=True)
    retainage_on_stored = fields.Monetary("Retainage on Stored Material", readonly=True)
    retainage_total = fields.Monetary("Total Retainage", readonly=True)
    earned_less_retainage = fields.Monetary("Total Earned Less Retainage", readonly=True)
    previous_certificates = fields.Monetary("Less Previous Certificates for Payment", readonly=True)
    current_payment_due = fields.Monetary(readonly=True)
    balance_to_finish = fields.Monetary("Balance to Finish, Including Retainage", readonly=True)
    certified_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    client_decision_by = fields.Char(readonly=True, copy=False)
    client_decision_date = fields.Datetime(readonly=True, copy=False)
    client_reject_reason = fields.Text(readonly=True, copy=False)

    @api.constrains("state", "contract_id")
    def _check_one_open(self):
        for contract in self.contract_id:
            open_ones = self.search_count(
                [("contract_id", "=", contract.id), ("state", "in", OPEN_STATES)]
            )
            if open_ones > 1:
                raise ValidationError(
                    self.env._(
                        "%(contract)s already has an open pay application: approve or delete "
                        "it before preparing the next one.",
                        contract=contract.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        applications = super().create(vals_list)
        for application in applications:
            contract = application.contract_id
            contract._check_contract()
            previous = self.search(
                [
                    ("contract_id", "=", contract.id),
                    ("state", "=", "approved"),
                    ("id", "!=", application.id),
                ],
                order="number desc",
                limit=1,
            )
            number = previous.number + 1
            application.write(
                {
                    "number": number,
                    "name": f"{contract.name}/{number:03d}",
                    "previous_id": previous.id,
                }
            )
        applications._compute_sheet()
        return applications

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for application in self:
            application.access_url = f"/my/pay_applications/{application.id}"
        return result

    # ------------------------------------------------------------------
    # The arithmetic (construction_estimate_bridge/lib/pay_app.py)
    # ------------------------------------------------------------------

    def action_refresh(self):
        """Take in the progress approved since the application was prepared."""
        self._compute_sheet()

    def _compute_sheet(self):
        for application in self:
            if application.state != "draft":
                raise UserError(self.env._("Only a draft pay application is computed again."))
            application._write_sheet()

    def _write_sheet(self):
        self.ensure_one()
        contract = self.contract_id
        # What the sheet needs of the schedule lines, not all of their columns.
        schedule = self.env["sale.order.line"].search_fetch(
            [("order_id", "=", contract.id), ("construction_cost_code_id", "!=", False)],
            ["name", "construction_scheduled_value"],
            order="sequence, id",
        )
        Progress = self.env["construction.billing.progress"]
        domain = [
            ("contract_id", "=", contract.id),
            ("state", "=", "approved"),
            ("date", "<=", self.period_to),
            "|",
            ("pay_application_id", "=", False),
            ("pay_application_id", "=", self.id),
        ]
        progress = Progress.search(domain)
        period = {
            line: (work, stored)
            for line, work, stored in Progress._read_group(
                domain, ["sale_line_id"], ["amount:sum", "stored_amount:sum"]
            )
        }
        previous = {
            line: (work + this_period, stored)
            for line, work, this_period, stored in self.env[
                "construction.pay.application.line"
            ]._read_group(
                [("application_id", "=", self.previous_id.id)],
                ["sale_line_id"],
                ["previous:sum", "this_period:sum", "stored:sum"],
            )
        }
        items = []
        for line in schedule:
            work, stored = period.get(line, (0.0, 0.0))
            previous_work, previous_stored = previous.get(line, (0.0, 0.0))
            items.append(
                pay_app.Progress(
                    key=line.id,
                    scheduled_value=line.construction_scheduled_value,
                    previous=previous_work,
                    this_period=work,
                    stored=previous_stored + stored,
                )
            )
        digits = self.currency_id.decimal_places
        contract_sum = contract.contract_original_sum + contract.contract_change_sum
        to_date = sum(
            pay_app.to_decimal(item.previous)
            + pay_app.to_decimal(item.this_period)
            + pay_app.to_decimal(item.stored)
            for item in items
        )
        percent_complete = to_date * 100 / pay_app.to_decimal(contract_sum) if contract_sum else 0
        work_percent = contract._retainage_percent_at(percent_complete)
        stored_percent = (
            contract.retainage_stored_percent if contract.retainage_stored_percent else work_percent
        )
        try:
            sheet = pay_app.continuation_sheet(items, work_percent, stored_percent, digits)
        except pay_app.PayAppError as error:
            raise UserError(str(error)) from error
        totals = pay_app.summary(
            sheet,
            contract.contract_original_sum,
            contract.contract_change_sum,
            self.previous_id.earned_less_retainage,
            digits,
        )
        names = {line.id: line.name for line in schedule}
        # The sheet is the arithmetic's, not anyone's to edit: written as such
        # once the user's right to change the application is checked.
        self.check_access("write")
        self.sudo().line_ids.unlink()
        self._insert_sheet(sheet, names)
        vals = {
            name: float(getattr(totals, attribute)) for name, attribute in SUMMARY_FIELDS.items()
        }
        vals.update(
            retainage_percent=float(work_percent), retainage_stored_percent=float(stored_percent)
        )
        self.write(vals)
        (self.progress_ids - progress).pay_application_id = False
        (progress - self.progress_ids).pay_application_id = self

    def _insert_sheet(self, sheet, names):
        """Store the continuation sheet's lines (``names``: their description
        per schedule line id) in one statement.

        Raw SQL, measured (bench/pay_application.py): the ORM's ``create``
        rounds each of a line's seven amounts through a new record computing
        the line's related currency, 19 of the 22 seconds of a 2,000-line
        application. The figures come rounded to the currency from the
        arithmetic, and the caller checked the right to write."""
        self.ensure_one()
        columns = (
            "scheduled_value",
            "previous",
            "this_period",
            "stored",
            "completed_to_date",
            "percent",
            "balance_to_finish",
            "retainage",
        )
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO construction_pay_application_line
                    (application_id, company_id, sequence, sale_line_id, name, %(columns)s,
                     create_uid, create_date, write_uid, write_date)
                SELECT %(application)s, %(company)s, item.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(sequences)s::int[], %(lines)s::int[], %(names)s::varchar[],
                              %(amounts)s) AS item
                """,
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                application=self.id,
                company=self.company_id.id,
                uid=self.env.uid,
                now=now,
                sequences=list(range(1, len(sheet) + 1)),
                lines=[row.key for row in sheet],
                names=[names[row.key] for row in sheet],
                amounts=SQL(", ").join(
                    SQL("%s::numeric[]", [getattr(row, column) for row in sheet])
                    for column in columns
                ),
            )
        )
        self.invalidate_recordset(["line_ids"])

    # ------------------------------------------------------------------
    # Workflow: the PM prepares, a controller certifies, the client decides
    # ------------------------------------------------------------------

    def action_certify(self):
        """Send to the client: by a project controller who did not prepare it."""
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller may certify a pay application."))
        for application in self:
            if application.state != "draft":
                raise UserError(self.env._("Only a draft pay application can be certified."))
            if application.prepared_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "%(application)s is certified by someone other than the person who "
                        "prepared it.",
                        application=application.name,
                    )
                )
        self._compute_sheet()
        self.write({"state": "certified", "certified_by_id": self.env.user.id})

    def action_reset_to_draft(self):
        if any(application.state != "rejected" for application in self):
            raise UserError(self.env._("Only a pay application the client rejected is redone."))
        self.write({"state": "draft", "client_reject_reason": False})
        self._compute_sheet()

    def _check_certified(self):
        if any(application.state != "certified" for application in self):
            raise UserError(self.env._("The client decides only on a certified pay application."))

    def _client_approve(self, name):
        """The client approved on the portal: the invoice is drafted and the
        approval announced."""
        self._check_certified()
        for company in self.company_id:
            # Before anything is written: the portal shows the error and goes on.
            company._construction_retention_account()
        self.write(
            {
                "state": "approved",
                "client_decision_by": name,
                "client_decision_date": fields.Datetime.now(),
            }
        )
        for application in self:
            application.invoice_id = application._create_invoice()
        self._publish_approved()

    def _client_reject(self, name, reason):
        self._check_certified()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the pay application is rejected."))
        self.write(
            {
                "state": "rejected",
                "client_decision_by": name,
                "client_decision_date": fields.Datetime.now(),
                "client_reject_reason": reason.strip(),
            }
        )

    # ------------------------------------------------------------------
    # Invoice
    # ------------------------------------------------------------------

    def _create_invoice(self):
        """Draft the customer invoice: one line per schedule line billed
        this period, and the retainage held this period to the retention
        receivable account; its total is the current payment due."""
        self.ensure_one()
        company = self.company_id
        account = company._construction_retention_account()
        previous = {line.sale_line_id: line for line in self.previous_id.line_ids}
        product = self.env.ref("construction_billing.product_contract_work")
        lines = []
        for line in self.line_ids:
            before = previous.get(line.sale_line_id)
            billed = line.completed_to_date - (before.completed_to_date if before else 0.0)
            if not self.currency_id.is_zero(billed):
                lines.append(
                    {
                        "product_id": product.id,
                        "name": line.name,
                        "price_unit": billed,
                        "construction_pay_line_id": line.id,
                    }
                )
        held = self.retainage_total - self.previous_id.retainage_total
        if not self.currency_id.is_zero(held):
            lines.append(
                {
                    "name": self.env._("Retainage held (%(application)s)", application=self.name),
                    "account_id": account.id,
                    "price_unit": -held,
                }
            )
        return self.contract_id._construction_invoice(
            self.name, lines, construction_pay_application_id=self.id
        )

    def _publish_approved(self):
        self.env["construction.sync.delivery"]._emit(
            "pay_application.approved",
            [
                (
                    application.company_id,
                    {
                        "id": application.id,
                        "number": application.name,
                        "contract": application.contract_id.name,
                        "project": application.project_id.name,
                        "period_to": fields.Date.to_string(application.period_to),
                        "current_payment_due": application.current_payment_due,
                        "retainage_total": application.retainage_total,
                        "currency": application.currency_id.name,
                    },
                )
                for application in self
            ],
        )

    # ------------------------------------------------------------------
    # Report
    # ------------------------------------------------------------------

    def _report_amounts(self):
        """What formats an amount as the two pages print it: grouped, the
        currency's decimals (looked up once for a whole sheet)."""
        digits = self.currency_id.decimal_places
        return lambda value: f"{value:,.{digits}f}"

    def _report_amount(self, value):
        return self._report_amounts()(value)

    def _report_sheet(self):
        """The continuation sheet as the PDF prints it, read column by column
        (one pass over the lines, no query per line): its rows (item no.,
        description, columns C to I with G ÷ C) and its grand totals."""
        self.ensure_one()
        lines = self.line_ids
        fmt = self._report_amounts()
        amounts = {column: lines.mapped(column) for column in SHEET_AMOUNTS}
        totals = [self.currency_id.round(sum(amounts[column])) for column in SHEET_AMOUNTS]
        scheduled, completed = totals[0], totals[4]
        rows = zip(
            lines.mapped("sequence"),
            lines.mapped("name"),
            *([fmt(value) for value in amounts[column]] for column in SHEET_AMOUNTS[:5]),
            [f"{percent:.2f}%" for percent in lines.mapped("percent")],
            *([fmt(value) for value in amounts[column]] for column in SHEET_AMOUNTS[5:]),
            strict=True,
        )
        total = [
            *map(fmt, totals[:5]),
            f"{completed * 100 / scheduled if scheduled else 0.0:.2f}%",
            *map(fmt, totals[5:]),
        ]
        return list(rows), total
