from odoo import api, fields, models
from odoo.exceptions import UserError

CHANGE_ORDER_SOURCES = [
    ("field", "Field"),
    ("estimator", "Estimator"),
    ("client", "Client"),
]

CHANGE_ORDER_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


class ConstructionChangeOrder(models.Model):
    _name = "construction.change.order"
    _description = "Construction Change Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        "Number", required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    title = fields.Char(required=True, tracking=True)
    budget_id = fields.Many2one(
        "construction.budget", required=True, index=True, tracking=True, check_company=True
    )
    project_id = fields.Many2one(related="budget_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="budget_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="budget_id.currency_id")
    source = fields.Selection(CHANGE_ORDER_SOURCES, required=True, default="field", tracking=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        CHANGE_ORDER_STATES, default="draft", required=True, tracking=True, copy=False
    )
    line_ids = fields.One2many("construction.change.order.line", "change_order_id", copy=True)
    amount_total = fields.Monetary(compute="_compute_amount_total", store=True)
    proposed_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        tracking=True,
        default=lambda self: self.env.user,
        help="Who wrote the change order; another person approves it.",
    )
    submitted_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        tracking=True,
        help="Who submitted the change order for approval; not its approver.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("line_ids.amount_delta")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = sum(order.line_ids.mapped("amount_delta"))

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = sequence.next_by_code("construction.change.order") or "/"
        return super().create(vals_list)

    def action_submit(self):
        if any(order.state != "draft" for order in self):
            raise UserError(self.env._("Only draft change orders can be submitted."))
        if any(not order.line_ids for order in self):
            raise UserError(self.env._("A change order needs at least one cost code line."))
        self.write({"state": "submitted", "submitted_by_id": self.env.user.id})

    def _check_controller(self):
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(
                self.env._("Only a project controller may approve or reject change orders.")
            )

    def action_approve(self):
        """Approve and revise the budget: each line adds its deltas to its
        cost code. Neither who wrote nor who submitted the order approves
        it, and above the company's limit only an administrator does."""
        self._check_controller()
        if any(order.state not in ("draft", "submitted") for order in self):
            raise UserError(self.env._("Only draft or submitted change orders can be approved."))
        if any(not order.line_ids for order in self):
            raise UserError(self.env._("A change order needs at least one cost code line."))
        for order in self:
            order.company_id._construction_check_approval(
                order.proposed_by_id | order.submitted_by_id,
                order.amount_total,
                self.env._("change order %(order)s", order=order.name),
            )
        self._approve()

    def _approve(self):
        """Revise the budget and mark the orders approved by the current
        user: after :meth:`action_approve`'s checks, or for an order a
        system of record approved already."""
        for order in self:
            order._revise_budget()
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )

    def action_reject(self):
        self._check_controller()
        if any(order.state not in ("draft", "submitted") for order in self):
            raise UserError(self.env._("Only draft or submitted change orders can be rejected."))
        self.state = "rejected"

    def _revise_budget(self):
        self.ensure_one()
        budget = self.budget_id.sudo()
        BudgetLine = self.env["construction.budget.line"].sudo()
        by_code = {line.cost_code_id: line for line in budget.line_ids}
        new_codes = self.line_ids.cost_code_id - budget.line_ids.cost_code_id
        by_code.update(
            zip(
                new_codes,
                BudgetLine.create(
                    [
                        {
                            "budget_id": budget.id,
                            "cost_code_id": code.id,
                            "uom_id": code.uom_id.id,
                        }
                        for code in new_codes
                    ]
                ),
                strict=True,
            )
        )
        trail = []
        for change in self.line_ids:
            budget_line = by_code[change.cost_code_id]
            before = budget_line.revised
            budget_line.write(
                {
                    "approved_changes": budget_line.approved_changes + change.amount_delta,
                    "approved_quantity_changes": budget_line.approved_quantity_changes
                    + change.quantity_delta,
                }
            )
            trail.append(
                self.env._(
                    "%(code)s: %(before)s → %(after)s",
                    code=change.cost_code_id.display_name,
                    before=budget.currency_id.format(before),
                    after=budget.currency_id.format(budget_line.revised),
                )
            )
        budget.message_post(
            body=self.env._(
                "Change order %(order)s (%(title)s, from %(origin)s) approved by %(user)s "
                "revised the budget by %(amount)s. %(trail)s",
                order=self.name,
                title=self.title,
                origin=dict(CHANGE_ORDER_SOURCES)[self.source],
                user=self.env.user.name,
                amount=budget.currency_id.format(self.amount_total),
                trail="; ".join(trail),
            )
        )
