from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ConstructionChangeOrder(models.Model):
    _inherit = "construction.change.order"

    subcontract_id = fields.Many2one(
        "purchase.order",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('construction_subcontract', '=', True), ('project_id', '=', project_id), "
        "('state', 'in', ('purchase', 'done'))]",
        help="The subcontract this change order changes: once approved, each of its lines is "
        "added to the subcontract's schedule of values, traced to it.",
    )

    @api.constrains("subcontract_id", "budget_id")
    def _check_subcontract_id(self):
        for order in self.filtered("subcontract_id"):
            subcontract = order.subcontract_id
            if (
                not subcontract.construction_subcontract
                or subcontract.project_id != order.project_id
            ):
                raise ValidationError(
                    self.env._(
                        "Change order %(order)s changes a subcontract of its own project, not "
                        "%(subcontract)s.",
                        order=order.name,
                        subcontract=subcontract.name,
                    )
                )

    def write(self, vals):
        if "subcontract_id" in vals and self.filtered(
            lambda order: (
                order.state == "approved" and order.subcontract_id.id != vals["subcontract_id"]
            )
        ):
            raise UserError(
                self.env._("An approved change order keeps the subcontract it changed.")
            )
        return super().write(vals)

    def _approve(self):
        """Revise the budget, then the subcontract each order changes."""
        changing = self.filtered("subcontract_id")
        for order in changing:
            if order.subcontract_id.state not in ("purchase", "done"):
                raise UserError(
                    self.env._(
                        "Confirm subcontract %(subcontract)s before approving its change order "
                        "%(order)s.",
                        subcontract=order.subcontract_id.name,
                        order=order.name,
                    )
                )
        result = super()._approve()
        for order in changing:
            order.subcontract_id._construction_apply_change_order(order)
        return result
