from odoo import models


class ConstructionChangeOrder(models.Model):
    _inherit = "construction.change.order"

    def _construction_changes_commitment(self, commitment):
        """A Procore commitment change order on a subcontract changes it
        like one approved here: its lines join the schedule of values on
        approval, traced to the change order (once it is confirmed)."""
        if not commitment.construction_subcontract or commitment.state not in ("purchase", "done"):
            return super()._construction_changes_commitment(commitment)
        self.subcontract_id = commitment
        return True
