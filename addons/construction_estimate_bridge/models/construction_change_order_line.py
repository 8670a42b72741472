from odoo import fields, models


class ConstructionChangeOrderLine(models.Model):
    _name = "construction.change.order.line"
    _description = "Construction Change Order Line"
    _order = "change_order_id, id"
    _check_company_auto = True

    change_order_id = fields.Many2one(
        "construction.change.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="change_order_id.company_id", store=True)
    currency_id = fields.Many2one(related="change_order_id.currency_id")
    cost_code_id = fields.Many2one(
        "construction.cost.code", required=True, check_company=True, ondelete="restrict"
    )
    description = fields.Char()
    quantity_delta = fields.Float(
        "Quantity Change", digits="Product Unit of Measure", help="Negative to reduce scope."
    )
    uom_id = fields.Many2one(related="cost_code_id.uom_id", string="Unit")
    amount_delta = fields.Monetary("Amount Change", help="Negative to reduce scope.")
