from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_photo_retention_days = fields.Integer(
        string="Keep Photos (days)",
        config_parameter="construction_field_evidence.photo_retention_days",
        help="Photos uploaded longer ago are purged every night, each leaving its trace "
        "on its site; 0 keeps every photo.",
    )
