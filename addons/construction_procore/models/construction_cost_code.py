from odoo import models


class ConstructionCostCode(models.Model):
    _inherit = "construction.cost.code"

    def _publish(self):
        """Also push the changed codes to the projects of each Procore
        system that may read them, in a job per system."""
        result = super()._publish()
        self.env["construction.sync.system"]._procore_push_cost_codes(self)
        return result
