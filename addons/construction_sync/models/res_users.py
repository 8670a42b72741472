from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def unlink(self):
        """A deleted user's API keys go with it: forget the keys checked
        (``res.users.apikeys._check_credentials``). Archiving a user clears
        the caches in Odoo already."""
        self.env.registry.clear_cache()
        return super().unlink()
