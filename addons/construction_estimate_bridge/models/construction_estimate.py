from odoo import api, fields, models
from odoo.exceptions import UserError

ESTIMATE_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("budgeted", "Budgeted"),
    ("superseded", "Superseded"),
    ("cancelled", "Cancelled"),
]


class ConstructionEstimate(models.Model):
    _name = "construction.estimate"
    _description = "Construction Estimate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "project_id, external_ref, revision desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    project_id = fields.Many2one(
        "project.project", required=True, index=True, tracking=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    system_id = fields.Many2one(
        "construction.sync.system",
        string="Source System",
        tracking=True,
        check_company=True,
        help="Estimating platform the estimate was imported from.",
    )
    external_ref = fields.Char(
        "External Reference",
        index=True,
        tracking=True,
        help="Number of the estimate in the estimating platform; revisions share it.",
    )
    revision = fields.Integer(default=1, required=True, readonly=True, tracking=True)
    previous_revision_id = fields.Many2one(
        "construction.estimate", readonly=True, copy=False, index=True, check_company=True
    )
    state = fields.Selection(
        ESTIMATE_STATES, default="draft", required=True, tracking=True, copy=False
    )
    line_ids = fields.One2many("construction.estimate.line", "estimate_id", "Lines", copy=True)
    amount_total = fields.Monetary(
        compute="_compute_amount_total",
        store=True,
        string="Budgeted Total",
        help="Sum of the lines that reach the budget: assemblies and excluded "
        "alternates are left out.",
    )
    budget_id = fields.Many2one("construction.budget", readonly=True, copy=False)
    note = fields.Html()

    _sql_constraints = [
        ("revision_positive", "check (revision > 0)", "A revision number starts at 1."),
    ]

    @api.depends("line_ids.amount", "line_ids.in_budget")
    def _compute_amount_total(self):
        for estimate in self:
            estimate.amount_total = sum(estimate.line_ids.filtered("in_budget").mapped("amount"))

    @api.depends("name", "revision")
    def _compute_display_name(self):
        for estimate in self:
            estimate.display_name = f"{estimate.name} (rev. {estimate.revision})"

    # ------------------------------------------------------------------
    # Revisions
    # ------------------------------------------------------------------

    @api.model
    def _find_current_revision(self, project, external_ref):
        """The live revision of an estimate, which a new import supersedes."""
        if not external_ref:
            return self.browse()
        return self.search(
            [
                ("project_id", "=", project.id),
                ("external_ref", "=", external_ref),
                ("state", "not in", ("superseded", "cancelled")),
            ],
            order="revision desc",
            limit=1,
        )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda estimate: estimate.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(estimates)s in its current state.",
                    action=action,
                    estimates=", ".join(wrong.mapped("display_name")),
                )
            )

    def action_approve(self):
        self._check_state(("draft",), self.env._("Approval"))
        empty = self.filtered(lambda estimate: not estimate.line_ids.filtered("in_budget"))
        if empty:
            raise UserError(
                self.env._(
                    "%(estimates)s has no line to budget.",
                    estimates=", ".join(empty.mapped("display_name")),
                )
            )
        self.state = "approved"

    def action_create_budget(self):
        """Turn approved estimates into their project's budget, one line per cost code."""
        self._check_state(("approved",), self.env._("Creating the budget"))
        Budget = self.env["construction.budget"]
        for estimate in self:
            estimate.budget_id = Budget._from_estimate(estimate)
        self.state = "budgeted"
        return self.budget_id._action_open() if len(self) == 1 else True

    def action_cancel(self):
        self._check_state(("draft", "approved"), self.env._("Cancelling"))
        self.state = "cancelled"

    def action_reset_to_draft(self):
        self._check_state(("approved", "cancelled"), self.env._("Resetting to draft"))
        self.state = "draft"

    def action_open_budget(self):
        self.ensure_one()
        return self.budget_id._action_open()
