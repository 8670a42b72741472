from odoo import fields, models


class ConstructionPayApplicationLine(models.Model):
    """One line of a pay application's continuation sheet (G703 columns)."""

    _name = "construction.pay.application.line"
    _description = "Construction Pay Application Line"
    _order = "application_id, sequence, id"
    _check_company_auto = True

    application_id = fields.Many2one(
        "construction.pay.application", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="application_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="application_id.currency_id")
    sequence = fields.Integer("Item No.")
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Schedule Line", required=True, index=True, ondelete="restrict"
    )
    name = fields.Char("Description of Work", required=True)
    scheduled_value = fields.Monetary()
    previous = fields.Monetary("From Previous Application")
    this_period = fields.Monetary()
    stored = fields.Monetary("Materials Presently Stored")
    completed_to_date = fields.Monetary("Total Completed and Stored to Date")
    percent = fields.Float("%", digits=(16, 2))
    balance_to_finish = fields.Monetary()
    retainage = fields.Monetary()

    def _progress(self):
        return self.application_id.progress_ids.filtered(
            lambda item: item.sale_line_id in self.sale_line_id
        )

    def _after_photos(self):
        """The after photos of the progress this line bills."""
        return self._progress().photo_ids

    def _verified_defects(self):
        """The verified repairs whose progress this line bills."""
        return self._progress().defect_id
