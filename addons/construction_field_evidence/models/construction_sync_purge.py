from odoo import api, fields, models


class ConstructionSyncPurge(models.Model):
    _inherit = "construction.sync.purge"

    kind = fields.Selection(
        selection_add=[
            ("photo_rendition", "Annotated photo previews"),
            ("share_link", "Expired and revoked share links"),
        ],
        ondelete={"photo_rendition": "cascade", "share_link": "cascade"},
    )

    @api.model
    def _policies(self):
        return dict(
            super()._policies(),
            photo_rendition=(
                "construction.photo",
                "construction_field_evidence.rendition_retention_days",
                90,
            ),
            share_link=(
                "construction.share.link",
                "construction_field_evidence.share_link_retention_days",
                180,
            ),
        )
