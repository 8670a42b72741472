from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ConstructionSubcontractBackCharge(models.Model):
    _name = "construction.subcontract.back.charge"
    _description = "Subcontract Back Charge"
    _inherit = ["construction.subcontract.record.mixin", "mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Description", required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount = fields.Monetary(required=True, tracking=True)
    cost_code_id = fields.Many2one(
        "construction.cost.code",
        check_company=True,
        help="Cost code the contractor booked the cost on; the deduction credits it.",
    )
    defect_id = fields.Many2one(
        "construction.defect",
        "Field Defect",
        check_company=True,
        help="The subcontractor's defect found in the field that this charge is for.",
    )
    photo_ids = fields.Many2many(related="defect_id.photo_ids", string="Photos")
    state = fields.Selection(
        selection_add=[("agreed", "Agreed"), ("deducted", "Deducted"), ("cancel",)],
        ondelete={"agreed": "set default", "deducted": "set default"},
    )
    pay_application_id = fields.Many2one(
        "construction.subcontract.pay.application",
        "Deducted On",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    @api.constrains("amount")
    def _check_amount(self):
        for charge in self:
            if charge.currency_id.compare_amounts(charge.amount, 0) <= 0:
                raise ValidationError(self.env._("A back charge is a positive amount."))

    def write(self, vals):
        if set(vals) & {"amount", "order_id", "cost_code_id"} and self.filtered(
            lambda charge: charge.state == "deducted"
        ):
            raise UserError(self.env._("A back charge already deducted cannot change."))
        return super().write(vals)

    def action_agree(self):
        """The subcontractor agreed: the next pay application deducts it."""
        if self.filtered(lambda charge: charge.state != "draft"):
            raise UserError(self.env._("Only a draft back charge is agreed."))
        self.state = "agreed"

    def action_cancel(self):
        if self.filtered(lambda charge: charge.state == "deducted"):
            raise UserError(self.env._("A back charge already deducted cannot be cancelled."))
        self.state = "cancel"

    def _analytic_distribution(self):
        """Project and cost code the deduction credits (the project alone without a code)."""
        self.ensure_one()
        accounts = [self.project_id.account_id.id, self.cost_code_id.analytic_account_id.id]
        key = ",".join(str(account) for account in accounts if account)
        return {key: 100} if key else False
