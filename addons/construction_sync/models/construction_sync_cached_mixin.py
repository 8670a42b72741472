from odoo import api, models


class ConstructionSyncCachedMixin(models.AbstractModel):
    """Configuration read on every received event and therefore cached
    (``ormcache``): any change to it clears the caches."""

    _name = "construction.sync.cached.mixin"
    _description = "Configuration Cached for the Event Intake"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
