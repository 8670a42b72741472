from odoo import fields, models


class ConstructionEstimateImportIssue(models.TransientModel):
    _name = "construction.estimate.import.issue"
    _description = "Estimate Import Validation Error"
    _order = "row, id"

    wizard_id = fields.Many2one(
        "construction.estimate.import.wizard", required=True, ondelete="cascade"
    )
    row = fields.Integer(help="Row of the file; row 1 is the header of a CSV or XLSX file.")
    column = fields.Char()
    message = fields.Char(required=True)
