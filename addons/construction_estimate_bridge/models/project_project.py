from odoo import models


class ProjectProject(models.Model):
    _inherit = "project.project"

    def _construction_publish_created(self, estimate):
        """Tell the subscribed systems of the project's company that the
        award of ``estimate`` made this job."""
        self.ensure_one()
        self.env["construction.sync.delivery"]._emit(
            "project.created",
            [
                (
                    self.company_id,
                    {
                        "id": self.id,
                        "name": self.name,
                        "customer": self.partner_id.name or None,
                        "analytic_account": self.account_id.name,
                        "estimate": estimate.external_ref or estimate.name,
                        "revision": estimate.revision,
                        "budget": estimate.budget_id.revised,
                        "tasks": self.task_ids.sorted("name").mapped("name"),
                    },
                )
            ],
        )
