from odoo import fields, models

CHANGE_KINDS = [
    ("added", "Added"),
    ("removed", "Removed"),
    ("changed", "Changed"),
]


class ConstructionEstimateImportChange(models.TransientModel):
    _name = "construction.estimate.import.change"
    _description = "Estimate Revision Change"
    _order = "is_blocked desc, line_ref, id"

    wizard_id = fields.Many2one(
        "construction.estimate.import.wizard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    kind = fields.Selection(CHANGE_KINDS, required=True)
    line_ref = fields.Char("Line Id")
    cost_code = fields.Char()
    name = fields.Char("Description")
    changed_fields = fields.Char("Changed")
    old_quantity = fields.Float(digits="Product Unit of Measure")
    new_quantity = fields.Float(digits="Product Unit of Measure")
    old_amount = fields.Monetary()
    new_amount = fields.Monetary()
    blocked_reason = fields.Char(
        help="Why the overwrite rule refuses this change: purchases already commit "
        "more on the cost code than the new revision budgets."
    )
    is_blocked = fields.Boolean()
