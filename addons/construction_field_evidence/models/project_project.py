from collections import defaultdict

from odoo import fields, models

EVIDENCE_GROUP = (
    "construction_sync.group_construction_sync_reviewer,"
    "construction_sync.group_construction_sync_manager"
)


class ProjectProject(models.Model):
    _inherit = "project.project"

    construction_photo_count = fields.Integer(
        "Photos", compute="_compute_construction_evidence_counts", groups=EVIDENCE_GROUP
    )
    construction_defect_count = fields.Integer(
        "Open Defects", compute="_compute_construction_evidence_counts", groups=EVIDENCE_GROUP
    )
    construction_defect_review_count = fields.Integer(
        "Defects to Review", compute="_compute_construction_evidence_counts", groups=EVIDENCE_GROUP
    )
    construction_daily_log_count = fields.Integer(
        "Daily Logs", compute="_compute_construction_evidence_counts", groups=EVIDENCE_GROUP
    )

    def _compute_construction_evidence_counts(self):
        sites = self.env["construction.site"].search([("project_id", "in", self.ids)])
        domain = [("site_id", "in", sites.ids)]
        photos = defaultdict(int)
        for site, count in self.env["construction.photo"]._read_group(
            domain, ["site_id"], ["__count"]
        ):
            photos[site.project_id] += count
        defects = defaultdict(int)
        for site, state, count in self.env["construction.defect"]._read_group(
            [*domain, ("state", "not in", ("verified", "rejected"))],
            ["site_id", "state"],
            ["__count"],
        ):
            defects[site.project_id, state] += count
        logs = dict(
            self.env["construction.daily.log"]._read_group(
                [("project_id", "in", self.ids)], ["project_id"], ["__count"]
            )
        )
        for project in self:
            project.construction_photo_count = photos[project]
            project.construction_defect_count = sum(
                count for (owner, _state), count in defects.items() if owner == project
            )
            project.construction_defect_review_count = defects[project, "needs_review"]
            project.construction_daily_log_count = logs.get(project, 0)

    def _construction_open(self, xmlid, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context or {}
        action["display_name"] = f"{self.name}: {action['name']}"
        return action

    def action_construction_open_photos(self):
        return self._construction_open(
            "construction_field_evidence.construction_photo_action",
            [("site_id.project_id", "=", self.id)],
        )

    def action_construction_open_defects(self):
        context = {"search_default_open": 1}
        if self.construction_defect_review_count:
            context = {"search_default_needs_review": 1}
        return self._construction_open(
            "construction_field_evidence.construction_defect_action",
            [("site_id.project_id", "=", self.id)],
            context,
        )

    def action_construction_open_daily_logs(self):
        return self._construction_open(
            "construction_field_evidence.construction_daily_log_action",
            [("project_id", "=", self.id)],
            {"default_project_id": self.id},
        )
