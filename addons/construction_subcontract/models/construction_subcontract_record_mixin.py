from odoo import fields, models


class ConstructionSubcontractRecordMixin(models.AbstractModel):
    """What a record kept against one subcontract holds: the subcontract
    and what follows from it, and a tracked state that only its actions
    change (each model adds its own steps between draft and cancelled)."""

    _name = "construction.subcontract.record.mixin"
    _description = "Record of a Subcontract"

    order_id = fields.Many2one(
        "purchase.order",
        "Subcontract",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain=[("construction_subcontract", "=", True), ("state", "in", ("purchase", "done"))],
    )
    partner_id = fields.Many2one(
        related="order_id.partner_id", store=True, index=True, string="Subcontractor"
    )
    project_id = fields.Many2one(related="order_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    state = fields.Selection(
        [("draft", "Draft"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
