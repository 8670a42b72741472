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
    def _propose_to_date(self, sale_line, percent_to_date, **vals):
        """Propose what brings ``sale_line`` to ``percent_to_date`` complete,
        counting the progress already approved or proposed; nothing when it
        is already there."""
        done = sum(
            sale_line.construction_progress_ids.filtered(lambda p: p.state != "rejected").mapped(
                "amount"
            )
        )
        target = sale_line.currency_id.round(
            sale_line.construction_scheduled_value * percent_to_date / 100
        )
        if sale_line.currency_id.compare_amounts(target, done) <= 0:
            return self.browse()
        return self.create(
            dict(vals, sale_line_id=sale_line.id, basis="amount", amount=target - done)
        )
