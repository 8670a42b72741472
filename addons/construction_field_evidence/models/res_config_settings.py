from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_photo_retention_days = fields.Integer(
        string="Keep Photos (days)",
        config_parameter="construction_field_evidence.photo_retention_days",
        help="Photos uploaded longer ago are purged every night, each leaving its trace "
        "on its site; 0 keeps every photo.",
    )
    construction_site_match_radius_m = fields.Float(
        string="Site Matching Radius (m)",
        config_parameter="construction_field_evidence.site_match_radius_m",
        default=100.0,
        help="A platform's project with no binding, no site of its name and no site at its "
        "address is the site within this distance of its position (two such sites: it "
        "waits for review).",
    )
    construction_repair_task_grouping = fields.Selection(
        related="company_id.construction_repair_task_grouping", readonly=False
    )
