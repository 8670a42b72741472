from odoo import fields, models


class ConstructionBudgetRfqWizardLine(models.TransientModel):
    _name = "construction.budget.rfq.wizard.line"
    _description = "Quantity to Order from an Estimate Line"

    wizard_id = fields.Many2one("construction.budget.rfq.wizard", required=True, ondelete="cascade")
    estimate_line_id = fields.Many2one("construction.estimate.line", required=True)
    cost_code_id = fields.Many2one(related="estimate_line_id.cost_code_id")
    name = fields.Char(related="estimate_line_id.name")
    product_id = fields.Many2one(related="estimate_line_id.product_id")
    vendor_id = fields.Many2one(related="estimate_line_id.vendor_id")
    currency_id = fields.Many2one(related="estimate_line_id.currency_id")
    unit_cost = fields.Monetary(related="estimate_line_id.unit_cost")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    needed_quantity = fields.Float(
        "Needed",
        digits="Product Unit of Measure",
        help="The estimate's quantity, revised by the approved change orders of its cost code.",
    )
    ordered_quantity = fields.Float(
        "Already Ordered",
        digits="Product Unit of Measure",
        help="Quantity of this product on purchase orders (not cancelled) of the project "
        "and cost code.",
    )
    quantity = fields.Float(
        "To Order", digits="Product Unit of Measure", help="Needed minus already ordered."
    )
