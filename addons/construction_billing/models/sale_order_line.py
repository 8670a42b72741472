from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    construction_cost_code_id = fields.Many2one(
        "construction.cost.code",
        string="Cost Code",
        index="btree_not_null",
        check_company=True,
        help="Set on a line of a contract's schedule of values.",
    )
    construction_original_value = fields.Monetary(
        "Original Value", help="Scheduled value when the contract was made."
    )
    construction_change_value = fields.Monetary(
        "Change Orders", readonly=True, help="Net change by approved owner change orders."
    )
    construction_scheduled_value = fields.Monetary(
        "Scheduled Value", compute="_compute_construction_scheduled_value", store=True
    )
    construction_quantity = fields.Float(
        "Contract Quantity",
        digits="Product Unit of Measure",
        help="Quantity the scheduled value pays for; progress may be reported as an "
        "installed quantity of it.",
    )
    construction_uom_id = fields.Many2one("uom.uom", string="Contract Unit")
    construction_estimate_line_ids = fields.One2many(
        "construction.estimate.line", "sale_line_id", string="Estimate Lines", readonly=True
    )
    construction_change_order_ids = fields.Many2many(
        "construction.change.order",
        "construction_billing_sale_line_change_order_rel",
        "sale_line_id",
        "change_order_id",
        string="Revised by",
        readonly=True,
    )
    construction_progress_ids = fields.One2many(
        "construction.billing.progress", "sale_line_id", string="Progress"
    )

    @api.depends("construction_original_value", "construction_change_value")
    def _compute_construction_scheduled_value(self):
        for line in self:
            line.construction_scheduled_value = (
                line.construction_original_value + line.construction_change_value
            )

    def _compute_display_name(self):
        """A schedule line is known by its contract and its description."""
        result = super()._compute_display_name()
        for line in self.filtered("construction_cost_code_id"):
            line.display_name = f"{line.order_id.name} - {line.name}"
        return result
