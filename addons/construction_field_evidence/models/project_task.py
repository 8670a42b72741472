from odoo import api, fields, models
from odoo.exceptions import UserError


class ProjectTask(models.Model):
    _inherit = "project.task"

    construction_defect_ids = fields.One2many(
        "construction.defect",
        "task_id",
        string="Defects Repaired",
        groups="construction_sync.group_construction_sync_reviewer",
        help="Field defects this task repairs; it is done once each has its after photo.",
    )
    construction_defect_count = fields.Integer(
        compute="_compute_construction_defect_count",
        groups="construction_sync.group_construction_sync_reviewer",
    )

    @api.depends("construction_defect_ids")
    def _compute_construction_defect_count(self):
        for task in self:
            task.construction_defect_count = len(task.construction_defect_ids)

    @api.constrains("state")
    def _check_construction_after_photos(self):
        """A repair task is done only once every defect it repairs has the
        photos its verification needs (the after photo at least), whoever
        closes it."""
        for task in self.filtered(lambda task: task.state == "1_done"):
            missing = {
                defect: stages
                for defect in task.sudo().construction_defect_ids
                if (stages := defect._missing_repair_stages())
            }
            if missing:
                raise UserError(
                    self.env._(
                        "%(task)s cannot be done before each defect it repairs has its photos: "
                        "%(missing)s. Upload them (stage After) to the defects, then close "
                        "the task.",
                        task=task.display_name,
                        missing="; ".join(
                            self.env._(
                                "%(defect)s needs %(stages)s",
                                defect=defect.name,
                                stages=", ".join(stages.mapped("name")),
                            )
                            for defect, stages in missing.items()
                        ),
                    )
                )

    def action_open_construction_defects(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_field_evidence.construction_defect_action"
        )
        action.update(
            {
                "name": self.env._("Defects Repaired"),
                "domain": [("task_id", "=", self.id)],
                "context": {"create": False},
            }
        )
        return action
