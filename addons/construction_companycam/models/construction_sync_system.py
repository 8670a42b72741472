from odoo import fields, models


class ConstructionSyncSystem(models.Model):
    _inherit = "construction.sync.system"

    platform = fields.Selection(
        selection_add=[("companycam", "CompanyCam")], ondelete={"companycam": "set default"}
    )
