from odoo import api, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the order's number or the
        vendor's reference, exactly, in ``company``."""
        return self.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("name", "=", reference),
                ("partner_ref", "=", reference),
            ]
        )
