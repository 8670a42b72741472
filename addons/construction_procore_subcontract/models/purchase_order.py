from odoo import api, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.model
    def _sync_commitment_values(self, data, project, vendor):
        """A platform's subcontract (a Procore work order contract) is a
        subcontract here: on its project, its lines the schedule of values,
        with the retainage the platform gives (the company's default
        otherwise)."""
        values = super()._sync_commitment_values(data, project, vendor)
        if data["kind"] == "subcontract":
            values.update(construction_subcontract=True, project_id=project.id)
            if "retainage_percent" in data:
                values["construction_retainage_percent"] = data["retainage_percent"]
        return values
