from odoo import Command, api, fields, models
from odoo.addons.construction_estimate_bridge.lib import pay_app
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    construction_project_id = fields.Many2one(
        "project.project",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Set on a prime contract: its lines are the project's schedule of values.",
    )
    construction_estimate_id = fields.Many2one(
        "construction.estimate", string="From Estimate", readonly=True, copy=False
    )
    retainage_percent = fields.Float(
        "Retainage %", digits=(16, 4), tracking=True, help="Held on completed work."
    )
    retainage_stored_percent = fields.Float(
        "Retainage on Stored %", digits=(16, 4), tracking=True, help="Held on stored materials."
    )
    retainage_reduced_percent = fields.Float(
        "Reduced Retainage %",
        digits=(16, 4),
        tracking=True,
        help="Held once the work is at least Reduce After % complete (when set).",
    )
    retainage_reduce_after = fields.Float(
        "Reduce After % Complete",
        digits=(16, 4),
        tracking=True,
        help="Percent complete from which the reduced retainage applies; 0 never reduces it.",
    )
    pay_application_ids = fields.One2many(
        "construction.pay.application", "contract_id", string="Pay Applications"
    )
    pay_application_count = fields.Integer(compute="_compute_pay_application_count")
    retainage_release_ids = fields.One2many(
        "construction.retainage.release", "contract_id", string="Retainage Releases"
    )
    contract_original_sum = fields.Monetary(
        "Original Contract Sum", compute="_compute_contract_sums", store=True
    )
    contract_change_sum = fields.Monetary(
        "Net Change by Change Orders", compute="_compute_contract_sums", store=True
    )

    @api.depends("order_line.construction_original_value", "order_line.construction_change_value")
    def _compute_contract_sums(self):
        for order in self:
            lines = order.order_line.filtered("construction_cost_code_id")
            order.contract_original_sum = sum(lines.mapped("construction_original_value"))
            order.contract_change_sum = sum(lines.mapped("construction_change_value"))

    def _compute_pay_application_count(self):
        counts = dict(
            self.env["construction.pay.application"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for order in self:
            order.pay_application_count = counts.get(order, 0)

    def _retainage_percent_at(self, percent_complete):
        """The retainage percent the contract holds at ``percent_complete``."""
        self.ensure_one()
        reduces = self.retainage_reduce_after > 0
        return pay_app.retainage_percent(
            self.retainage_percent,
            self.retainage_reduced_percent if reduces else None,
            self.retainage_reduce_after if reduces else None,
            percent_complete,
        )

    def _check_contract(self):
        if any(not order.construction_project_id for order in self):
            raise UserError(self.env._("This sale order is not a construction contract."))

    def action_view_pay_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_billing.construction_pay_application_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id}
        return action

    def action_new_pay_application(self):
        """Prepare the next pay application of this contract."""
        self._check_contract()
        application = self.env["construction.pay.application"].create(
            [{"contract_id": order.id} for order in self]
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.pay.application",
            "res_id": application[:1].id,
            "view_mode": "form",
        }

    def action_open_progress(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_billing.construction_billing_progress_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"search_default_proposed": 1}
        return action

    def action_release_retainage(self):
        """Prepare the release of the retainage the client holds."""
        self.ensure_one()
        release = self.env["construction.retainage.release"].create({"contract_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.retainage.release",
            "res_id": release.id,
            "view_mode": "form",
        }

    def _construction_invoice(self, origin, lines, **values):
        """Draft the client's invoice of this contract: one line, untaxed,
        per item of ``lines`` (invoice line values). Drafted for the person
        or client whose approval calls for it: an accountant posts it."""
        self.ensure_one()
        return (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                dict(
                    values,
                    move_type="out_invoice",
                    partner_id=self.partner_id.id,
                    company_id=self.company_id.id,
                    invoice_origin=origin,
                    invoice_line_ids=[
                        Command.create(dict(vals, quantity=1.0, tax_ids=[Command.clear()]))
                        for vals in lines
                    ],
                )
            )
        )
