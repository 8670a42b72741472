from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare, float_round


class ConstructionSubcontractPayApplicationLine(models.Model):
    _name = "construction.subcontract.pay.application.line"
    _description = "Subcontractor Pay Application Line"
    _order = "application_id, purchase_line_id"
    _check_company_auto = True

    application_id = fields.Many2one(
        "construction.subcontract.pay.application", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="application_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="application_id.currency_id")
    state = fields.Selection(related="application_id.state")
    purchase_line_id = fields.Many2one(
        "purchase.order.line",
        "Schedule Line",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    name = fields.Text(related="purchase_line_id.name")
    uom_id = fields.Many2one(related="purchase_line_id.product_uom", string="Unit")
    ordered_quantity = fields.Float(
        related="purchase_line_id.product_qty", digits="Product Unit of Measure"
    )
    price_unit = fields.Float(related="purchase_line_id.price_unit")
    scheduled_value = fields.Monetary(related="purchase_line_id.price_subtotal")
    previous_quantity = fields.Float(
        compute="_compute_previous_quantity", digits="Product Unit of Measure"
    )
    completed_quantity = fields.Float(
        "Done to Date", digits="Product Unit of Measure", help="Quantity done to date."
    )
    percent_complete = fields.Float(
        "% Complete", compute="_compute_amounts", inverse="_inverse_percent_complete"
    )
    this_period_quantity = fields.Float(
        "This Period", compute="_compute_amounts", digits="Product Unit of Measure"
    )
    previous_amount = fields.Monetary(compute="_compute_amounts")
    this_period_amount = fields.Monetary(compute="_compute_amounts")
    completed_amount = fields.Monetary("Completed to Date", compute="_compute_amounts")
    stored_amount = fields.Monetary(
        "Materials Presently Stored",
        help="Materials delivered for this line and not installed yet: billed, with their own "
        "retainage, apart from the work done to date.",
    )
    previous_stored_amount = fields.Monetary("Stored Before", compute="_compute_previous_quantity")

    _sql_constraints = [
        (
            "line_uniq",
            "unique (application_id, purchase_line_id)",
            "A pay application has one line per schedule line.",
        )
    ]

    @api.depends("purchase_line_id", "application_id.number")
    def _compute_previous_quantity(self):
        for line in self:
            previous = line.application_id._previous() if line.application_id else False
            previous_line = previous and previous.line_ids.filtered(
                lambda item, pl=line.purchase_line_id: item.purchase_line_id == pl
            )
            line.previous_quantity = previous_line.completed_quantity if previous_line else 0.0
            line.previous_stored_amount = previous_line.stored_amount if previous_line else 0.0

    @api.depends("completed_quantity", "previous_quantity", "price_unit", "ordered_quantity")
    def _compute_amounts(self):
        for line in self:
            currency = line.currency_id
            line.previous_amount = currency.round(line.previous_quantity * line.price_unit)
            line.completed_amount = currency.round(line.completed_quantity * line.price_unit)
            line.this_period_amount = line.completed_amount - line.previous_amount
            line.this_period_quantity = line.completed_quantity - line.previous_quantity
            line.percent_complete = (
                100.0 * line.completed_quantity / line.ordered_quantity
                if line.ordered_quantity
                else 0.0
            )

    def _inverse_percent_complete(self):
        for line in self:
            line.completed_quantity = float_round(
                line.ordered_quantity * line.percent_complete / 100.0,
                precision_rounding=line.uom_id.rounding,
            )

    def write(self, vals):
        if {"completed_quantity", "stored_amount", "purchase_line_id"} & vals.keys():
            self.application_id._check_editable()
        return super().write(vals)

    def _billed_quantity(self):
        """Purchase quantity the bill of this application takes: the work of
        the period and the change in the materials stored, at the line's price."""
        self.ensure_one()
        stored = self.stored_amount - self.previous_stored_amount
        return self.this_period_quantity + (stored / self.price_unit if self.price_unit else 0.0)

    @api.constrains("stored_amount")
    def _check_stored_amount(self):
        """Never negative, and with the work done never beyond the
        scheduled value (the shared arithmetic's check)."""
        for line in self:
            if line.currency_id.compare_amounts(line.stored_amount, 0) < 0:
                raise ValidationError(
                    self.env._("%(line)s: materials stored are not negative.", line=line.name)
                )
        for application in self.application_id:
            application._sheet()

    @api.constrains("completed_quantity")
    def _check_completed_quantity(self):
        for line in self:
            rounding = line.uom_id.rounding
            if (
                float_compare(
                    line.completed_quantity, line.ordered_quantity, precision_rounding=rounding
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(line)s: %(done)s done to date is more than the %(ordered)s of the "
                        "subcontract; a change to the subcontract comes first.",
                        line=line.name,
                        done=line.completed_quantity,
                        ordered=line.ordered_quantity,
                    )
                )
            if (
                float_compare(
                    line.completed_quantity, line.previous_quantity, precision_rounding=rounding
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(line)s: %(done)s done to date is less than the %(previous)s "
                        "already approved.",
                        line=line.name,
                        done=line.completed_quantity,
                        previous=line.previous_quantity,
                    )
                )
