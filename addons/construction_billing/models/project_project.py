from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    pay_application_count = fields.Integer(
        compute="_compute_pay_application_count",
        groups="construction_sync.group_construction_sync_estimator",
    )

    def _compute_pay_application_count(self):
        counts = dict(
            self.env["construction.pay.application"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["__count"]
            )
        )
        for project in self:
            project.pay_application_count = counts.get(project, 0)

    def action_view_pay_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_billing.construction_pay_application_action"
        )
        action["domain"] = [("project_id", "=", self.id)]
        return action
