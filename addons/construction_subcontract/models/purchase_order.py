from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    construction_subcontract = fields.Boolean(
        "Subcontract",
        tracking=True,
        help="A subcontract: its lines are a schedule of values billed by pay applications "
        "with retainage, and paid only while the subcontractor's compliance is valid.",
    )
    construction_retainage_percent = fields.Float(
        "Retainage (%)",
        digits=(5, 2),
        compute="_compute_construction_retainage_percent",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    construction_requires_insurance = fields.Boolean(
        "Requires Insurance",
        default=True,
        help="Bills of this subcontract are paid only while the subcontractor has a "
        "certificate of insurance valid on the payment date.",
    )
    construction_requires_lien_waivers = fields.Boolean(
        "Requires Lien Waivers",
        default=True,
        help="A bill is paid only once the subcontractor gave the unconditional waiver "
        "of the previous payment; retainage is released only against the final one.",
    )
    construction_pay_application_ids = fields.One2many(
        "construction.subcontract.pay.application", "order_id", "Pay Applications"
    )
    construction_pay_application_count = fields.Integer(
        compute="_compute_construction_pay_application_count"
    )
    construction_back_charge_ids = fields.One2many(
        "construction.subcontract.back.charge", "order_id", "Back Charges"
    )
    construction_document_ids = fields.One2many(
        "construction.subcontract.document", "order_id", "Compliance Documents"
    )
    construction_retainage_held = fields.Monetary(
        "Retainage Held",
        compute="_compute_construction_retainage_held",
        help="Retainage withheld by the approved pay applications and not released yet.",
    )
    construction_retainage_release_id = fields.Many2one(
        "account.move", "Retainage Release Bill", readonly=True, copy=False
    )

    @api.constrains("construction_subcontract", "project_id", "construction_retainage_percent")
    def _check_construction_subcontract(self):
        for order in self.filtered("construction_subcontract"):
            if not order.project_id:
                raise ValidationError(
                    self.env._("Subcontract %(order)s needs a project.", order=order.name)
                )
            if not 0 <= order.construction_retainage_percent <= 100:
                raise ValidationError(self.env._("Retainage is a percent between 0 and 100."))

    @api.depends("construction_subcontract", "company_id")
    def _compute_construction_retainage_percent(self):
        """The company's default when an order becomes a subcontract."""
        for order in self:
            if order.construction_subcontract and not order.construction_retainage_percent:
                order.construction_retainage_percent = (
                    order.company_id.construction_subcontract_retainage_percent
                )
            else:
                order.construction_retainage_percent = order.construction_retainage_percent

    @api.depends("construction_pay_application_ids")
    def _compute_construction_pay_application_count(self):
        for order in self:
            order.construction_pay_application_count = len(order.construction_pay_application_ids)

    @api.depends(
        "construction_pay_application_ids.state",
        "construction_retainage_release_id.state",
    )
    def _compute_construction_retainage_held(self):
        for order in self:
            last = order.construction_pay_application_ids._last_approved()
            released = order.construction_retainage_release_id.state in ("draft", "posted")
            order.construction_retainage_held = (
                0.0 if released or not last else last.retainage_total
            )

    def write(self, vals):
        """A confirmed subcontract whose schedule of values or retainage
        changes (edited here, or by its project platform or a change order)
        tells its subscribers with ``commitment.changed``."""
        result = super().write(vals)
        if {"order_line", "construction_retainage_percent"} & vals.keys():
            self.filtered(
                lambda order: order.construction_subcontract and order.state in ("purchase", "done")
            )._construction_publish_commitment()
        return result

    def button_confirm(self):
        result = super().button_confirm()
        self.filtered("construction_subcontract")._construction_publish_commitment()
        return result

    def button_cancel(self):
        if self.construction_pay_application_ids.filtered(lambda app: app.state == "approved"):
            raise UserError(
                self.env._(
                    "A subcontract with approved pay applications cannot be cancelled; "
                    "close it with a final pay application instead."
                )
            )
        result = super().button_cancel()
        self.filtered("construction_subcontract")._construction_publish_commitment()
        return result

    def _construction_schedule_lines(self):
        """The lines that make the subcontract's schedule of values."""
        return self.order_line.filtered(lambda line: not line.display_type)

    @api.model
    def _construction_schedule_line(self, project, cost_code, name, amount):
        """Values of a schedule of values line worth ``amount`` on the
        project and ``cost_code``, in currency units (quantity = value, unit
        price 1, -1 for a deduction) so that progress bills to the cent."""
        product = self.env.ref("construction_subcontract.product_subcontract_work")
        return {
            "product_id": product.id,
            "name": name,
            "product_qty": abs(amount),
            "product_uom": product.uom_po_id.id,
            "price_unit": 1.0 if amount >= 0 else -1.0,
            "taxes_id": [Command.clear()],
            "analytic_distribution": {
                f"{project.account_id.id},{cost_code.analytic_account_id.id}": 100
            },
        }

    def _construction_apply_change_order(self, change_order):
        """Add a schedule of values line per line of the approved
        ``change_order``, traced to it: the subcontract sum and what the
        budget counts as committed follow, and subscribers hear of it."""
        self.ensure_one()
        lines = [
            Command.create(
                dict(
                    self._construction_schedule_line(
                        self.project_id,
                        line.cost_code_id,
                        f"{change_order.name}: "
                        f"{line.description or line.cost_code_id.display_name}",
                        line.amount_delta,
                    ),
                    construction_change_order_id=change_order.id,
                )
            )
            for line in change_order.line_ids
            if not self.currency_id.is_zero(line.amount_delta)
        ]
        # The approval's checks are the rights: a controller need not be a buyer.
        self.sudo().write({"order_line": lines})
        self.construction_pay_application_ids.filtered(
            lambda application: application.state in ("draft", "submitted")
        )._complete_schedule()
        self.sudo().message_post(
            body=self.env._(
                "Change order %(order)s approved by %(user)s changed the subcontract sum by "
                "%(amount)s.",
                order=change_order.name,
                user=self.env.user.name,
                amount=self.currency_id.format(change_order.amount_total),
            )
        )

    def action_construction_pay_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_subcontract.construction_subcontract_pay_application_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Commitment
    # ------------------------------------------------------------------

    def _construction_commitment_payload(self):
        """What ``commitment.changed`` tells of this subcontract."""
        self.ensure_one()
        lines = []
        for line in self._construction_schedule_lines():
            billed = line._construction_posted_amount()
            open_amount = line.price_subtotal - billed if self.state in ("purchase", "done") else 0
            lines.append(
                {
                    "id": line.id,
                    "description": line.name,
                    "cost_code": line._construction_cost_code().code or None,
                    "change_order": line.construction_change_order_id.name or None,
                    "scheduled_value": line.price_subtotal,
                    "billed": billed,
                    "committed": self.currency_id.round(open_amount),
                }
            )
        return {
            "id": self.id,
            "order": self.name,
            "vendor": self.partner_id.commercial_partner_id.name,
            "project": self.project_id.name,
            "state": self.state,
            "currency": self.currency_id.name,
            "retainage_percent": self.construction_retainage_percent,
            "retainage_held": self.construction_retainage_held,
            "lines": lines,
        }

    def _construction_publish_commitment(self):
        if not self:
            return
        self.env["construction.sync.delivery"]._emit(
            "commitment.changed",
            [(order.company_id, order._construction_commitment_payload()) for order in self],
        )

    # ------------------------------------------------------------------
    # Retainage release
    # ------------------------------------------------------------------

    def action_construction_release_retainage(self):
        """Draft the bill that pays the retainage held, once the work is
        complete and the subcontractor gave its final unconditional waiver."""
        self.ensure_one()
        if not self.env.user.has_group("construction_sync.group_construction_sync_controller"):
            raise UserError(self.env._("Only a project controller releases retainage."))
        if self.construction_retainage_release_id.state in ("draft", "posted"):
            raise UserError(
                self.env._("The retainage of %(order)s is already released.", order=self.name)
            )
        last = self.construction_pay_application_ids._last_approved()
        if not last or any(line.percent_complete < 100 for line in last.line_ids):
            raise UserError(
                self.env._(
                    "%(order)s is not complete: retainage is released once an approved pay "
                    "application bills every line in full.",
                    order=self.name,
                )
            )
        if self.construction_pay_application_ids.filtered(
            lambda app: app.state in ("draft", "submitted")
        ):
            raise UserError(
                self.env._("Approve or cancel the open pay application of %s first.", self.name)
            )
        Document = self.env["construction.subcontract.document"]
        if self.construction_requires_lien_waivers and not Document._final_waiver(self):
            raise UserError(
                self.env._(
                    "%(vendor)s has not given the final unconditional lien waiver of "
                    "%(order)s: add it under Compliance before releasing the retainage.",
                    vendor=self.partner_id.commercial_partner_id.name,
                    order=self.name,
                )
            )
        amount = self.construction_retainage_held
        if self.currency_id.is_zero(amount):
            raise UserError(self.env._("%s holds no retainage.", self.name))
        account = self.company_id._construction_retainage_account()
        values = self.with_company(self.company_id)._prepare_invoice()
        values.update(
            {
                "invoice_date": fields.Date.context_today(self),
                "ref": self.env._("Retainage release %s", self.name),
                "construction_retainage_order_id": self.id,
                "invoice_line_ids": [
                    fields.Command.create(
                        {
                            "name": self.env._("Release of retainage held on %s", self.name),
                            "account_id": account.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [fields.Command.clear()],
                        }
                    )
                ],
            }
        )
        # A controller need not be an accountant: the checks above are the rights.
        bill = self.env["account.move"].sudo().with_company(self.company_id).create(values)
        self.sudo().construction_retainage_release_id = bill
        self.message_post(
            body=self.env._(
                "Retainage of %(amount)s released: bill %(bill)s drafted.",
                amount=self.currency_id.format(amount),
                bill=bill.display_name,
            )
        )
        self._construction_publish_commitment()
        return bill
