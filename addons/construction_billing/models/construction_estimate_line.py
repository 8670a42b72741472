from odoo import fields, models


class ConstructionEstimateLine(models.Model):
    _inherit = "construction.estimate.line"

    billing_markup_percent = fields.Float(
        "Markup %",
        digits=(16, 4),
        help="Markup of this line in the contract made from the estimate; empty takes the "
        "company's markup of the line's cost type.",
    )
    billing_markup_set = fields.Boolean(
        "Own Markup", help="Use this line's markup instead of its cost type's."
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Schedule Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The line of the contract's schedule of values this estimate line is priced in.",
    )

    def _billing_price(self, markups):
        """The line's cost with its markup: its own, else its cost type's."""
        self.ensure_one()
        percent = (
            self.billing_markup_percent
            if self.billing_markup_set
            else markups.get(self.cost_type, 0.0)
        )
        return self.currency_id.round(self.amount * (1 + percent / 100))
