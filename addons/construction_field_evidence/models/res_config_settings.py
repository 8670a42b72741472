from odoo import fields, models
from odoo.addons.base.models.res_partner import _tz_get


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_photo_retention_days = fields.Integer(
        string="Keep Photos (days)",
        config_parameter="construction_field_evidence.photo_retention_days",
        help="Photos uploaded longer ago are purged every night, each leaving its trace "
        "on its site; 0 keeps every photo.",
    )
    construction_rendition_retention_days = fields.Integer(
        string="Keep Annotated Previews (days)",
        config_parameter="construction_field_evidence.rendition_retention_days",
        default=90,
        help="Annotated previews (the boxes drawn on a photo) drawn longer ago are removed "
        "every night and drawn again when next shown; originals, previews and thumbnails "
        "stay. 0 keeps them.",
    )
    construction_share_link_retention_days = fields.Integer(
        string="Keep Expired Share Links (days)",
        config_parameter="construction_field_evidence.share_link_retention_days",
        default=180,
        help="Share links expired or revoked longer ago are removed every night, unless a "
        "client answered through them. 0 keeps them.",
    )
    construction_photo_clock_tolerance = fields.Integer(
        string="Camera Clock Tolerance (min)",
        default=5,
        config_parameter="construction_field_evidence.clock_tolerance_minutes",
        help="A photo whose camera time and GPS time differ by more minutes keeps the GPS "
        "time and is flagged Camera Clock Off.",
    )
    construction_photo_timezone = fields.Selection(
        _tz_get,
        string="Photo Time Zone",
        config_parameter="construction_field_evidence.photo_timezone",
        help="Zone a camera time is read in when nothing else tells it: no EXIF offset, no "
        "device zone, no GPS time, no zone on the site, none on the company's address.",
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

    construction_onboarding_lowest_threshold = fields.Float(
        string="Lowest Review Threshold", compute="_compute_construction_onboarding_thresholds"
    )

    def _compute_construction_onboarding_thresholds(self):
        [(lowest,)] = self.env["construction.defect.category"]._read_group(
            [("company_id", "in", [self.env.company.id, False])], [], ["confidence_threshold:min"]
        )
        for settings in self:
            settings.construction_onboarding_lowest_threshold = lowest or 0.0
