from odoo import fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    construction_estimate_line_id = fields.Many2one(
        "construction.estimate.line",
        string="Estimate Line",
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        groups="construction_sync.group_construction_sync_reviewer",
        help="Estimate line this purchase orders (Requests for Quotation from budget lines).",
    )
    construction_defect_ids = fields.Many2many(
        related="construction_estimate_line_id.defect_ids",
        string="Defects",
        groups="construction_sync.group_construction_sync_reviewer",
    )
    construction_photo_ids = fields.Many2many(
        related="construction_estimate_line_id.photo_ids",
        string="Photos",
        groups="construction_sync.group_construction_sync_reviewer",
    )
    construction_field_correlation = fields.Char(
        related="construction_estimate_line_id.field_correlation",
        string="Field Correlation",
        groups="construction_sync.group_construction_sync_reviewer",
    )
