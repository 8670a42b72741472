from odoo import api, fields, models
from odoo.exceptions import UserError

PROGRESS_BASES = [
    ("percent", "Percent of scheduled value"),
    ("quantity", "Installed quantity"),
    ("amount", "Amount"),
]
PROGRESS_SOURCES = [
    ("manager", "Project manager"),
    ("task", "Task completed in the field"),
    ("defect", "Verified defect repair"),
    ("platform", "Field platform"),
]
PROGRESS_STATES = [
    ("proposed", "Proposed"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


class ConstructionBillingProgress(models.Model):
    """Work completed on one schedule line in a period, and materials stored
    for it: proposed by the field or the project manager, billed only once a
    project controller other than its proposer approved it."""

    _name = "construction.billing.progress"
    _description = "Construction Billing Progress"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Schedule Line",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('construction_cost_code_id', '!=', False)]",
    )
    contract_id = fields.Many2one(related="sale_line_id.order_id", store=True, index=True)
    project_id = fields.Many2one(
        related="sale_line_id.order_id.construction_project_id", store=True, index=True
    )
    company_id = fields.Many2one(related="sale_line_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="sale_line_id.currency_id")
    scheduled_value = fields.Monetary(related="sale_line_id.construction_scheduled_value")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    basis = fields.Selection(PROGRESS_BASES, required=True, default="percent")
    percent = fields.Float(
        "Percent This Period", digits=(16, 4), help="Of the line's scheduled value."
    )
    quantity = fields.Float(
        "Installed Quantity", digits="Product Unit of Measure", help="Installed this period."
    )
    amount = fields.Monetary(
        "Work Completed",
        compute="_compute_amount",
        store=True,
        readonly=False,
        tracking=True,
        help="Value of the work completed this period.",
    )
    stored_amount = fields.Monetary(
        "Materials Stored",
        tracking=True,
        help="Change in materials presently stored for the line and not yet installed: "
        "positive when delivered, negative when installed.",
    )
    source = fields.Selection(PROGRESS_SOURCES, required=True, default="manager", readonly=True)
    task_id = fields.Many2one("project.task", readonly=True, check_company=True)
    defect_id = fields.Many2one("construction.defect", readonly=True, check_company=True)
    photo_ids = fields.Many2many(
        "construction.photo",
        "construction_billing_progress_photo_rel",
        "progress_id",
        "photo_id",
        string="After Photos",
        help="The evidence of the work: shown on the invoice's appendix and the portal.",
    )
    note = fields.Text()
    state = fields.Selection(
        PROGRESS_STATES, default="proposed", required=True, tracking=True, copy=False
    )
    proposed_by_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user, copy=False
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    pay_application_id = fields.Many2one(
        "construction.pay.application",
        string="Billed in",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    @api.depends("basis", "percent", "quantity", "sale_line_id")
    def _compute_amount(self):
        """A percent or an installed quantity values the work on the line's
        scheduled value; an amount is entered as it is."""
        for progress in self:
            line = progress.sale_line_id
            scheduled = line.construction_scheduled_value
            if progress.basis == "percent":
                value = scheduled * progress.percent / 100
            elif progress.basis == "quantity" and line.construction_quantity:
                value = scheduled * progress.quantity / line.construction_quantity
            else:
                continue
            progress.amount = line.currency_id.round(value) if line else 0.0

    @api.constrains("basis", "sale_line_id")
    def _check_quantity_basis(self):
        for progress in self:
            if progress.basis == "quantity" and not progress.sale_line_id.construction_quantity:
                raise UserError(
                    self.env._(
                        "%(line)s has no contract quantity: report its progress as a percent "
                        "or an amount.",
                        line=progress.sale_line_id.name,
                    )
                )

    def write(self, vals):
        decided = self.filtered(lambda progress: progress.state != "proposed")
        if decided and set(vals) - {"pay_application_id"}:
            raise UserError(
                self.env._(
                    "Progress a controller approved or rejected cannot change: propose the "
                    "difference as new progress."
                )
            )
        return super().write(vals)

    def _check_reviewer(self):
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller may approve or reject progress."))
        if any(progress.proposed_by_id == self.env.user for progress in self):
            raise UserError(
                self.env._("Progress is approved by someone other than the person who proposed it.")
            )
        if any(progress.state != "proposed" for progress in self):
            raise UserError(self.env._("Only proposed progress can be approved or rejected."))

    def action_approve(self):
        self._check_reviewer()
        self.write({"state": "approved", "approved_by_id": self.env.user.id})

    def action_reject(self):
        self._check_reviewer()
        self.write({"state": "rejected", "approved_by_id": self.env.user.id})

    @api.model
    def _to_date(self, sale_line, but=None):
        """``(work, stored)``: the work completed and the materials stored on
        ``sale_line`` by the progress approved or proposed on it, ``but``
        that progress."""
        counted = sale_line.construction_progress_ids.filtered(
            lambda progress: progress.state != "rejected"
        ) - (but or self.browse())
        return sum(counted.mapped("amount")), sum(counted.mapped("stored_amount"))

    @api.model
    def _propose_to_date(self, sale_line, percent_to_date, **vals):
        """Propose what brings ``sale_line`` to ``percent_to_date`` complete,
        counting the progress already approved or proposed; nothing when it
        is already there."""
        done, _stored = self._to_date(sale_line)
        target = sale_line.currency_id.round(
            sale_line.construction_scheduled_value * percent_to_date / 100
        )
        if sale_line.currency_id.compare_amounts(target, done) <= 0:
            return self.browse()
        return self.create(
            dict(vals, sale_line_id=sale_line.id, basis="amount", amount=target - done)
        )

    # ------------------------------------------------------------------
    # progress.reported: a field platform's progress, as a proposal
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_progress_reported(self, event):
        """Handler of ``progress.reported``: what a field platform reports
        complete and stored on a schedule line to the end of a period is
        proposed as the difference with the progress already approved or
        proposed on the line. A later report of the same source item
        replaces its proposal while no controller decided on it; once
        decided, the report proposes what it adds."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        item = data["source_item_id"]
        binding, reported = Resolver._binding(system, self._name, item)
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        line = self._sync_reported_line(system, data)
        replaced = reported.filtered(lambda progress: progress.state == "proposed")
        vals = self._prepare_reported_vals(line, data, but=replaced)
        vals["note"] = self.env._(
            "Reported by %(system)s (item %(item)s, correlation %(correlation)s). %(notes)s",
            system=system.name,
            item=item,
            correlation=event.correlation_id,
            notes=data.get("notes") or "",
        ).strip()
        currency = line.currency_id
        if replaced:
            replaced.write(vals)
            proposal = replaced
        elif currency.is_zero(vals["amount"]) and currency.is_zero(vals["stored_amount"]):
            # Nothing that the line's progress does not hold already.
            proposal = reported
        else:
            proposal = self.create(vals)
        if proposal:
            Resolver._bind(event, binding, proposal, item)
        return proposal

    @api.model
    def _sync_reported_line(self, system, data):
        """The schedule line a report names: the line bound to
        ``schedule_line``, or the line of ``cost_code`` on the confirmed
        contract of ``project``."""
        Resolver = self.env["construction.sync.resolver"]
        if data.get("schedule_line"):
            line = Resolver._resolve(
                system, "sale.order.line", data["schedule_line"], "/payload/schedule_line"
            )
            lines = line.filtered(
                lambda record: record.construction_cost_code_id and record.order_id.state == "sale"
            )
            where = line.display_name
        else:
            project = Resolver._resolve(
                system, "project.project", data["project"], "/payload/project", "project"
            )
            cost_code = Resolver._resolve(
                system,
                "construction.cost.code",
                data["cost_code"],
                "/payload/cost_code",
                "cost_code",
                natural=True,
            )
            lines = self.env["sale.order.line"].search(
                [
                    ("order_id.construction_project_id", "=", project.id),
                    ("order_id.state", "=", "sale"),
                    ("construction_cost_code_id", "=", cost_code.id),
                ]
            )
            where = self.env._(
                "cost code %(code)s of project %(project)s",
                code=cost_code.code,
                project=project.display_name,
            )
        if len(lines) != 1:
            raise UserError(
                self.env._(
                    "%(where)s is on %(count)s schedule lines of confirmed contracts, not one: "
                    "bind the line meant to the report's schedule_line (Synchronization → "
                    "Bindings), then replay the event.",
                    where=where,
                    count=len(lines),
                )
            )
        return lines

    @api.model
    def _prepare_reported_vals(self, line, data, but):
        """The proposal of a report on ``line``: the work and materials it
        reports to date, less what the line's other progress holds (all of
        it but ``but``, the proposal the report replaces)."""
        currency = line.currency_id
        scheduled = line.construction_scheduled_value
        if "percent_complete" in data:
            reported = scheduled * data["percent_complete"] / 100
            figure = self.env._("%(percent)s%% complete", percent=data["percent_complete"])
        else:
            if not line.construction_quantity:
                raise UserError(
                    self.env._(
                        "%(line)s has no contract quantity: report its progress as a percent.",
                        line=line.display_name,
                    )
                )
            reported = scheduled * data["installed_quantity"] / line.construction_quantity
            figure = self.env._(
                "%(installed)s of %(quantity)s installed",
                installed=data["installed_quantity"],
                quantity=line.construction_quantity,
            )
        work = currency.round(reported)
        stored = currency.round(data.get("stored_materials", 0.0))
        if currency.compare_amounts(work + stored, scheduled) > 0:
            raise UserError(
                self.env._(
                    "%(line)s: %(figure)s and %(stored)s of materials stored exceed its scheduled "
                    "value of %(scheduled)s. Correct the report in the field platform.",
                    line=line.display_name,
                    figure=figure,
                    stored=stored,
                    scheduled=scheduled,
                )
            )
        done, stored_done = self._to_date(line, but=but)
        if currency.compare_amounts(work, done) < 0:
            raise UserError(
                self.env._(
                    "%(line)s: the report says %(figure)s (%(work)s), less than the %(done)s of "
                    "work already approved or proposed. A project controller rejects the "
                    "progress that is too much, then replays the event.",
                    line=line.display_name,
                    figure=figure,
                    work=work,
                    done=done,
                )
            )
        return {
            "sale_line_id": line.id,
            "date": fields.Date.to_date(data["period_to"]),
            "basis": "amount",
            "amount": currency.round(work - done),
            "stored_amount": currency.round(stored - stored_done),
            "source": "platform",
        }
