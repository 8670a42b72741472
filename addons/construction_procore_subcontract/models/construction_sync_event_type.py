from odoo import api, models


class ConstructionSyncEventType(models.Model):
    _inherit = "construction.sync.event.type"

    @api.model
    def _handlers(self):
        """A commitment's ``retainage_percent`` writes the subcontract's
        retainage: an ownership rule on it is checked like on its lines."""
        handlers = super()._handlers()
        upsert = handlers["commitment_upsert"]
        writes = dict(upsert.writes, retainage_percent=("construction_retainage_percent",))
        return handlers | {"commitment_upsert": upsert._replace(writes=writes)}
