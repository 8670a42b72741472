from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    construction_commitment_line = fields.Char(
        "Commitment Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The commitment line this purchase line is in the project management platform: "
        "a new version of it changes this line.",
    )

    def _sync_check_commitment_quantity(self, quantity):
        """Refuse a commitment line going below what was received or billed on it."""
        self.ensure_one()
        floor = max(self.qty_received, self.qty_invoiced)
        if float_compare(quantity, floor, precision_rounding=self.product_uom.rounding) < 0:
            raise UserError(
                self.env._(
                    "The commitment line %(line)s of %(order)s would go down to %(quantity)s "
                    "while %(floor)s is already received or billed on it: settle the bills "
                    "first, then replay the event.",
                    line=self.name,
                    order=self.order_id.name,
                    quantity=quantity,
                    floor=floor,
                )
            )
