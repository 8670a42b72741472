from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    construction_pay_application_id = fields.Many2one(
        "construction.pay.application",
        string="Pay Application",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        invoices = posted.filtered("construction_pay_application_id")
        self.env["construction.sync.delivery"]._emit(
            "invoice.posted",
            [
                (
                    move.company_id,
                    {
                        "id": move.id,
                        "number": move.name,
                        "pay_application": move.construction_pay_application_id.name,
                        "partner": move.partner_id.name,
                        "amount_total": move.amount_total,
                        "currency": move.currency_id.name,
                        "date": fields.Date.to_string(move.invoice_date),
                    },
                )
                for move in invoices
            ],
        )
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    construction_pay_line_id = fields.Many2one(
        "construction.pay.application.line",
        string="Pay Application Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
