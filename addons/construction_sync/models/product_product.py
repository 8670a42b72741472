from odoo import api, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the internal reference or the
        barcode, exactly, among ``company``'s products and shared ones."""
        return self.search(
            [
                ("company_id", "in", [company.id, False]),
                "|",
                ("default_code", "=", reference),
                ("barcode", "=", reference),
            ]
        )
