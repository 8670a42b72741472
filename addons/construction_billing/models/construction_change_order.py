from odoo import Command, fields, models


class ConstructionChangeOrder(models.Model):
    _inherit = "construction.change.order"

    contract_id = fields.Many2one(
        "sale.order",
        check_company=True,
        domain="[('construction_project_id', '=', project_id)]",
        tracking=True,
        help="An owner change order revises this contract's schedule of values when approved, "
        "by its amounts with the company's markup.",
    )

    def action_approve(self):
        result = super().action_approve()
        for order in self.filtered("contract_id"):
            order._revise_contract()
        return result

    def _revise_contract(self):
        """Add each line's amount (with markup) to the contract line of its
        cost code, or a new line for a new cost code; the contract's chatter
        keeps the trace."""
        self.ensure_one()
        contract = self.contract_id.sudo()
        markups = self.env["construction.billing.markup"].sudo()._percents(contract.company_id)
        by_code = {line.construction_cost_code_id: line for line in contract.order_line}
        product = self.env.ref("construction_billing.product_contract_work")
        trail = []
        for change in self.line_ids:
            delta = contract.currency_id.round(
                change.amount_delta * (1 + markups.get(change.cost_code_id.cost_type, 0.0) / 100)
            )
            line = by_code.get(change.cost_code_id)
            if line:
                value = line.construction_change_value + delta
                line.write(
                    {
                        "construction_change_value": value,
                        "price_unit": line.construction_original_value + value,
                        "construction_change_order_ids": [Command.link(self.id)],
                    }
                )
            else:
                code = change.cost_code_id
                line = contract.order_line.create(
                    {
                        "order_id": contract.id,
                        "product_id": product.id,
                        "name": f"{code.code} {code.name}",
                        "construction_cost_code_id": code.id,
                        "construction_change_value": delta,
                        "product_uom_qty": 1.0,
                        "price_unit": delta,
                        "tax_id": [Command.clear()],
                        "construction_change_order_ids": [Command.link(self.id)],
                    }
                )
                by_code[code] = line
            trail.append(f"{change.cost_code_id.code}: {contract.currency_id.format(delta)}")
        contract.message_post(
            body=self.env._(
                "Change order %(order)s (%(title)s) approved by %(user)s revised the schedule "
                "of values: %(trail)s",
                order=self.name,
                title=self.title,
                user=self.env.user.name,
                trail="; ".join(trail),
            )
        )
