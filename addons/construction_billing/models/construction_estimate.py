from collections import defaultdict

from odoo import Command, fields, models
from odoo.exceptions import UserError


class ConstructionEstimate(models.Model):
    _inherit = "construction.estimate"

    contract_id = fields.Many2one("sale.order", readonly=True, copy=False, check_company=True)

    def action_create_contract(self):
        """The prime contract of an approved estimate: a quotation whose
        lines are the schedule of values, one per cost code, each the sum of
        its estimate lines' cost with their markup."""
        self.ensure_one()
        if self.state not in ("approved", "budgeted"):
            raise UserError(self.env._("Only an approved estimate becomes a contract."))
        if self.contract_id:
            raise UserError(
                self.env._(
                    "%(estimate)s already has contract %(contract)s.",
                    estimate=self.display_name,
                    contract=self.contract_id.name,
                )
            )
        if not self.partner_id:
            raise UserError(self.env._("Set the estimate's customer before making its contract."))
        markups = self.env["construction.billing.markup"]._percents(self.company_id)
        lines = self.line_ids.filtered("in_budget")
        if not lines.cost_code_id or lines.filtered(lambda line: not line.cost_code_id):
            raise UserError(
                self.env._("Every budgeted line of the estimate needs a cost code to be billed.")
            )
        groups = defaultdict(lambda: self.env["construction.estimate.line"])
        for line in lines:
            groups[line.cost_code_id] |= line
        product = self.env.ref("construction_billing.product_contract_work")
        codes = sorted(groups, key=lambda code: code.code)
        contract = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "construction_project_id": self.project_id.id,
                "construction_estimate_id": self.id,
                "origin": self.display_name,
                "order_line": [
                    Command.create(
                        self._prepare_contract_line(code, groups[code], markups, product)
                    )
                    for code in codes
                ],
            }
        )
        for code, sale_line in zip(codes, contract.order_line, strict=True):
            groups[code].sale_line_id = sale_line
        self.contract_id = contract
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": contract.id,
            "view_mode": "form",
        }

    def _prepare_contract_line(self, code, lines, markups, product):
        value = sum(line._billing_price(markups) for line in lines)
        units = lines.uom_id
        return {
            "product_id": product.id,
            "name": f"{code.code} {code.name}",
            "construction_cost_code_id": code.id,
            "construction_original_value": value,
            "construction_quantity": sum(lines.mapped("quantity")) if len(units) == 1 else 0.0,
            "construction_uom_id": units.id if len(units) == 1 else False,
            "product_uom_qty": 1.0,
            "price_unit": value,
            "tax_id": [Command.clear()],
        }
