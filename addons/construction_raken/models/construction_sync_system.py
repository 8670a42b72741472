from odoo import fields, models


class ConstructionSyncSystem(models.Model):
    _inherit = "construction.sync.system"

    platform = fields.Selection(
        selection_add=[("raken", "Raken")], ondelete={"raken": "set default"}
    )
