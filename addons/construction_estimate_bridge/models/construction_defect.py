from odoo import fields, models


class ConstructionDefect(models.Model):
    _inherit = "construction.defect"

    estimate_line_ids = fields.Many2many(
        "construction.estimate.line",
        "construction_estimate_line_defect_rel",
        "defect_id",
        "line_id",
        string="Estimate Lines",
        readonly=True,
        groups="construction_sync.group_construction_sync_reviewer",
        help="Estimate lines that price this defect (Price Defects).",
    )
