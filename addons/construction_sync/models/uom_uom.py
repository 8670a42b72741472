from odoo import api, models

from ..lib.reference import like_literal


class UomUom(models.Model):
    _inherit = "uom.uom"

    @api.model
    def _construction_sync_match(self, reference, _company):
        """Natural key for the sync resolver: the unit's name, blanks around
        it and case ignored (``kg`` is ``KG``), never a pattern."""
        return self.search([("name", "=ilike", like_literal((reference or "").strip()))])
