from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.addons.construction_estimate_bridge.lib.pay_app import (
    PayAppError,
    Progress,
    continuation_sheet,
    summary,
)
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero

# Summary fields, from the shared pay application arithmetic.
SUMMARY_FIELDS = {
    "original_contract_sum": "original_contract_sum",
    "net_change_orders": "net_change_orders",
    "contract_sum": "contract_sum_to_date",
    "completed_to_date": "completed_and_stored",
    "retainage_total": "retainage_total",
    "earned_less_retainage": "earned_less_retainage",
    "previous_certificates": "previous_certificates",
    "current_payment_due": "current_payment_due",
    "balance_to_finish": "balance_to_finish_with_retainage",
}


class ConstructionSubcontractPayApplication(models.Model):
    _name = "construction.subcontract.pay.application"
    _description = "Subcontractor Pay Application"
    _inherit = ["construction.subcontract.record.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "order_id, number desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    number = fields.Integer(readonly=True, copy=False)
    period_start = fields.Date(compute="_compute_period_start")
    period_end = fields.Date(
        "Period To", required=True, default=fields.Date.context_today, tracking=True
    )
    source = fields.Selection(
        [
            ("manual", "Project manager"),
            ("portal", "Subcontractor portal"),
            ("field", "Field platform"),
        ],
        default="manual",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        selection_add=[("submitted", "Submitted"), ("approved", "Approved"), ("cancel",)],
        ondelete={"submitted": "set default", "approved": "set default"},
    )
    line_ids = fields.One2many(
        "construction.subcontract.pay.application.line", "application_id", "Continuation Sheet"
    )
    retainage_percent = fields.Float(
        "Retainage (%)",
        digits=(5, 2),
        compute="_compute_retainage_percent",
        store=True,
        readonly=False,
        precompute=True,
    )
    stored_retainage_percent = fields.Float(
        "Retainage on Stored Materials (%)",
        digits=(5, 2),
        compute="_compute_stored_retainage_percent",
        store=True,
        readonly=False,
        precompute=True,
        help="Retainage withheld on the materials presently stored; the work's by default.",
    )
    back_charge_ids = fields.One2many(
        "construction.subcontract.back.charge", "pay_application_id", "Back Charges Deducted"
    )
    move_id = fields.Many2one("account.move", "Vendor Bill", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_on = fields.Datetime(readonly=True, copy=False)
    evidence_photo_ids = fields.Many2many(
        "construction.photo",
        compute="_compute_evidence",
        string="Photos of the Period",
        help="Photos of the project's sites taken during the period.",
    )
    evidence_daily_log_ids = fields.Many2many(
        "construction.daily.log",
        compute="_compute_evidence",
        string="Daily Logs of the Period",
    )
    original_contract_sum = fields.Monetary(compute="_compute_summary")
    net_change_orders = fields.Monetary(
        "Net Change by Change Orders",
        compute="_compute_summary",
        help="The schedule of values lines the approved change orders added.",
    )
    contract_sum = fields.Monetary("Contract Sum to Date", compute="_compute_summary")
    this_period_amount = fields.Monetary("Work This Period", compute="_compute_summary")
    stored_amount = fields.Monetary("Materials Presently Stored", compute="_compute_summary")
    stored_this_period = fields.Monetary(
        "Change in Stored Materials",
        compute="_compute_summary",
        help="Materials stored now less those stored at the previous application.",
    )
    completed_to_date = fields.Monetary(compute="_compute_summary")
    retainage_total = fields.Monetary("Retainage to Date", compute="_compute_summary")
    retainage_this_period = fields.Monetary(compute="_compute_summary")
    earned_less_retainage = fields.Monetary(compute="_compute_summary")
    previous_certificates = fields.Monetary(compute="_compute_summary")
    current_payment_due = fields.Monetary(compute="_compute_summary")
    balance_to_finish = fields.Monetary(
        "Balance to Finish with Retainage", compute="_compute_summary"
    )
    back_charge_total = fields.Monetary("Back Charges", compute="_compute_summary")
    amount_payable = fields.Monetary(
        compute="_compute_summary", help="Current payment due less the back charges deducted."
    )

    _sql_constraints = [
        ("number_uniq", "unique (order_id, number)", "Pay applications are numbered per order.")
    ]

    @api.depends("order_id.name", "number")
    def _compute_name(self):
        for application in self:
            application.name = f"{application.order_id.name or ''} #{application.number or 0}"

    @api.depends("order_id")
    def _compute_retainage_percent(self):
        for application in self:
            application.retainage_percent = application.order_id.construction_retainage_percent

    @api.depends("retainage_percent")
    def _compute_stored_retainage_percent(self):
        for application in self:
            application.stored_retainage_percent = application.retainage_percent

    @api.depends("order_id", "number")
    def _compute_period_start(self):
        for application in self:
            previous = application._previous()
            if previous:
                application.period_start = previous.period_end + timedelta(days=1)
            else:
                # The day the subcontract was confirmed, where the user is.
                approved = application.order_id.date_approve
                application.period_start = approved and fields.Date.context_today(
                    application, approved
                )

    @api.depends("project_id", "period_start", "period_end")
    def _compute_evidence(self):
        Photo = self.env["construction.photo"]
        DailyLog = self.env["construction.daily.log"]
        for application in self:
            if not application.project_id:
                application.evidence_photo_ids = Photo
                application.evidence_daily_log_ids = DailyLog
                continue
            start = application.period_start or fields.Date.to_date("1970-01-01")
            end = application.period_end
            application.evidence_photo_ids = Photo.search(
                [
                    ("site_id.project_id", "=", application.project_id.id),
                    ("captured_at", ">=", fields.Datetime.to_datetime(start)),
                    ("captured_at", "<", fields.Datetime.to_datetime(end + timedelta(days=1))),
                ]
            )
            application.evidence_daily_log_ids = DailyLog.search(
                [
                    ("project_id", "=", application.project_id.id),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ]
            )

    @api.depends(
        "line_ids.completed_quantity",
        "line_ids.stored_amount",
        "retainage_percent",
        "stored_retainage_percent",
        "back_charge_ids.amount",
        "order_id.construction_back_charge_ids.state",
    )
    def _compute_summary(self):
        for application in self:
            result = application._summary()
            for field, attribute in SUMMARY_FIELDS.items():
                application[field] = float(getattr(result, attribute))
            previous = application._previous()
            application.this_period_amount = sum(application.line_ids.mapped("this_period_amount"))
            application.stored_amount = sum(application.line_ids.mapped("stored_amount"))
            application.stored_this_period = application.stored_amount - (
                previous.stored_amount if previous else 0.0
            )
            application.retainage_this_period = application.retainage_total - (
                previous.retainage_total if previous else 0.0
            )
            charges = application._back_charges()
            application.back_charge_total = sum(charges.mapped("amount"))
            application.amount_payable = (
                application.current_payment_due - application.back_charge_total
            )

    # ------------------------------------------------------------------
    # Arithmetic (shared with owner billing)
    # ------------------------------------------------------------------

    def _sheet(self):
        """Continuation sheet (G703) of this application: a line of the
        shared arithmetic per line, work done to date and materials stored."""
        self.ensure_one()
        progress = [
            Progress(
                key=line.id,
                scheduled_value=line.scheduled_value,
                previous=line.previous_amount,
                this_period=line.this_period_amount,
                stored=line.stored_amount,
            )
            for line in self.line_ids
        ]
        try:
            return continuation_sheet(
                progress,
                self.retainage_percent,
                self.stored_retainage_percent,
                digits=self.currency_id.decimal_places or 2,
            )
        except PayAppError as error:
            raise ValidationError(str(error)) from error

    def _report_amount(self, value):
        """An amount of the sheet or the summary (a Decimal) as the PDF prints it."""
        return self.currency_id.format(float(value))

    def _summary(self):
        """Summary page (G702) of this application from its continuation sheet."""
        self.ensure_one()
        previous = self._previous()
        schedule = self.order_id.sudo()._construction_schedule_lines()
        changes = schedule.filtered("construction_change_order_id")
        return summary(
            self._sheet(),
            original_contract_sum=sum((schedule - changes).mapped("price_subtotal")),
            net_change_orders=sum(changes.mapped("price_subtotal")),
            previous_certificates=previous.earned_less_retainage if previous else 0,
            digits=self.currency_id.decimal_places or 2,
        )

    def _previous(self):
        """The approved application of the same subcontract before this one."""
        self.ensure_one()
        if not self.order_id:
            return self.browse()
        domain = [("order_id", "=", self.order_id.id), ("state", "=", "approved")]
        if self.number:
            domain.append(("number", "<", self.number))
        return self.search(domain, order="number desc", limit=1)

    def _last_approved(self):
        return self.filtered(lambda app: app.state == "approved").sorted("number")[-1:]

    def _back_charges(self):
        """Back charges this application deducts: those it deducted once
        approved, the agreed ones of the subcontract not deducted yet before."""
        self.ensure_one()
        if self.state == "approved":
            return self.back_charge_ids
        return self.env["construction.subcontract.back.charge"].search(
            [("order_id", "=", self.order_id.id), ("state", "=", "agreed")]
        )

    # ------------------------------------------------------------------
    # Creation and progress
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # The applications' rights are the controller's; the subcontract is
        # only read, and a controller need not be a purchase user.
        Order = self.env["purchase.order"].sudo()
        numbers = {
            order.id: number
            for order, number in self._read_group(
                [("order_id", "in", [vals["order_id"] for vals in vals_list])],
                ["order_id"],
                ["number:max"],
            )
        }
        for vals in vals_list:
            numbers[vals["order_id"]] = numbers.get(vals["order_id"], 0) + 1
            vals["number"] = numbers[vals["order_id"]]
        applications = super().create(vals_list)
        for application in applications:
            order = Order.browse(application.order_id.id)
            if not order.construction_subcontract or order.state not in ("purchase", "done"):
                raise UserError(
                    self.env._(
                        "Pay applications are for confirmed subcontracts; %(order)s is not one.",
                        order=order.name,
                    )
                )
            if (
                self.search_count(
                    [("order_id", "=", order.id), ("state", "in", ("draft", "submitted"))]
                )
                > 1
            ):
                raise UserError(
                    self.env._(
                        "%(order)s already has an open pay application; complete it first.",
                        order=order.name,
                    )
                )
        applications._complete_schedule()
        return applications

    def _complete_schedule(self):
        """Give each application a line per schedule line of its
        subcontract it lacks (a new one, or one a change order added),
        done to date as far as the previous application."""
        for application in self:
            done = {
                line.purchase_line_id: line.completed_quantity
                for line in application._previous().line_ids
            }
            schedule = application.order_id.sudo()._construction_schedule_lines()
            missing = schedule - application.line_ids.purchase_line_id
            application.line_ids = [
                Command.create(
                    {"purchase_line_id": line.id, "completed_quantity": done.get(line, 0.0)}
                )
                for line in missing
            ]

    def write(self, vals):
        if set(vals) & {
            "line_ids",
            "retainage_percent",
            "stored_retainage_percent",
            "period_end",
            "order_id",
        }:
            self._check_editable()
        return super().write(vals)

    @api.model
    def _open_application(self, order, source):
        """The open pay application of ``order``, made from ``source`` when there is none."""
        application = self.sudo().search(
            [("order_id", "=", order.id), ("state", "in", ("draft", "submitted"))], limit=1
        )
        return application or self.sudo().create({"order_id": order.id, "source": source})

    def _record_progress(self, quantities, origin, stored=None):
        """Set the quantity done to date of each purchase line of
        ``quantities``, and the materials presently stored of each of
        ``stored`` (purchase line: amount)."""
        self.ensure_one()
        self._check_editable()
        for purchase_line, quantity in quantities.items():
            line = self.line_ids.filtered(
                lambda item, pl=purchase_line: item.purchase_line_id == pl
            )
            line.completed_quantity = quantity
        for purchase_line, amount in (stored or {}).items():
            line = self.line_ids.filtered(
                lambda item, pl=purchase_line: item.purchase_line_id == pl
            )
            line.stored_amount = amount
        self.message_post(
            body=self.env._(
                "Progress to date from %(origin)s: %(lines)s.",
                origin=origin,
                lines="; ".join(
                    f"{purchase_line.name}: {quantity} {purchase_line.product_uom.name}"
                    for purchase_line, quantity in quantities.items()
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _check_editable(self):
        for application in self:
            if application.state not in ("draft", "submitted"):
                raise UserError(
                    self.env._(
                        "%(application)s is %(state)s: its progress can no longer change.",
                        application=application.name,
                        state=dict(application._fields["state"].selection)[application.state],
                    )
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_submit(self):
        for application in self:
            if application.state != "draft":
                raise UserError(self.env._("Only a draft pay application is submitted."))
        self.state = "submitted"

    def action_cancel(self):
        self._check_editable()
        self.state = "cancel"

    def action_approve(self):
        """Approve against the field evidence of the period; draft the vendor
        bill with the retainage withheld and the agreed back charges deducted."""
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller approves pay applications."))
        for application in self:
            application._check_editable()
            application._check_approvable()
            charges = application._back_charges()
            bill = application._create_bill(charges)
            charges.write({"state": "deducted", "pay_application_id": application.id})
            application.write(
                {
                    "state": "approved",
                    "move_id": bill.id,
                    "approved_by_id": self.env.user.id,
                    "approved_on": fields.Datetime.now(),
                }
            )
            application.message_post(
                body=self.env._(
                    "Approved: %(amount)s due (work %(work)s, retainage %(retainage)s, back "
                    "charges %(charges)s); bill %(bill)s drafted.",
                    amount=application.currency_id.format(application.amount_payable),
                    work=application.currency_id.format(application.this_period_amount),
                    retainage=application.currency_id.format(application.retainage_this_period),
                    charges=application.currency_id.format(application.back_charge_total),
                    bill=bill.display_name,
                )
            )
        self._publish_approved()
        self.order_id.sudo()._construction_publish_commitment()
        return True

    def _check_approvable(self):
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(self.this_period_amount + self.stored_this_period, 0) <= 0:
            raise UserError(
                self.env._(
                    "%(application)s bills no work nor stored materials this period.",
                    application=self.name,
                )
            )
        if not (self.evidence_photo_ids or self.evidence_daily_log_ids):
            raise UserError(
                self.env._(
                    "No photo or daily log of %(project)s between %(start)s and %(end)s: a pay "
                    "application is approved against the field evidence of its period.",
                    project=self.project_id.name,
                    start=self.period_start,
                    end=self.period_end,
                )
            )
        if currency.compare_amounts(self.amount_payable, 0) < 0:
            raise UserError(
                self.env._(
                    "The back charges (%(charges)s) exceed the payment due (%(due)s) on "
                    "%(application)s.",
                    charges=currency.format(self.back_charge_total),
                    due=currency.format(self.current_payment_due),
                    application=self.name,
                )
            )

    def _create_bill(self, charges):
        """The draft vendor bill of this application."""
        self.ensure_one()
        # The controller's approval is the right to bill; it need not be a
        # purchase user nor an accountant.
        order = self.order_id.sudo()
        company = order.company_id
        lines = [
            Command.create(
                dict(
                    line.purchase_line_id.sudo()._prepare_account_move_line(),
                    quantity=line._billed_quantity(),
                )
            )
            for line in self.line_ids
            if not float_is_zero(line._billed_quantity(), precision_rounding=line.uom_id.rounding)
        ]
        if not self.currency_id.is_zero(self.retainage_this_period):
            lines.append(
                Command.create(
                    {
                        "name": self.env._(
                            "Retainage withheld (%(percent)s %%) on %(application)s",
                            percent=self.retainage_percent,
                            application=self.name,
                        ),
                        "account_id": company._construction_retainage_account().id,
                        "quantity": 1,
                        "price_unit": -self.retainage_this_period,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        if charges:
            account = company._construction_back_charge_account()
            lines += [
                Command.create(
                    {
                        "name": self.env._("Back charge: %s", charge.name),
                        "account_id": account.id,
                        "quantity": 1,
                        "price_unit": -charge.amount,
                        "tax_ids": [Command.clear()],
                        "analytic_distribution": charge._analytic_distribution(),
                    }
                )
                for charge in charges
            ]
        values = order.with_company(company)._prepare_invoice()
        values.update(
            {
                "invoice_date": self.period_end,
                "ref": self.name,
                "construction_subcontract_application_id": self.id,
                "invoice_line_ids": lines,
            }
        )
        return self.env["account.move"].sudo().with_company(company).create(values)

    def _publish_approved(self):
        self.env["construction.sync.delivery"]._emit(
            "subcontract.pay_application.approved",
            [
                (
                    application.company_id,
                    {
                        "id": application.id,
                        "name": application.name,
                        "order": application.order_id.name,
                        "vendor": application.partner_id.commercial_partner_id.name,
                        "project": application.project_id.name,
                        "period_end": fields.Date.to_string(application.period_end),
                        "currency": application.currency_id.name,
                        "completed_to_date": application.completed_to_date,
                        "work_this_period": application.this_period_amount,
                        "retainage_this_period": application.retainage_this_period,
                        "retainage_to_date": application.retainage_total,
                        "back_charges": application.back_charge_total,
                        "amount_payable": application.amount_payable,
                        "bill": application.move_id.id,
                    },
                )
                for application in self
            ],
        )
