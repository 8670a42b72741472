from odoo import api, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the project's exact name."""
        return self.search([("name", "=", reference), ("company_id", "in", [company.id, False])])
