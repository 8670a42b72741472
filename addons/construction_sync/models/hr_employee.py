from odoo import api, models

from ..lib.reference import like_literal


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the badge id (exactly) or the
        work e-mail (case aside), in ``company``."""
        return self.search(
            [
                ("company_id", "in", [company.id, False]),
                "|",
                ("barcode", "=", reference),
                ("work_email", "=ilike", like_literal(reference)),
            ]
        )
