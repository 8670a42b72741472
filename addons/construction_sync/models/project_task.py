from datetime import UTC, datetime

from odoo import api, fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    construction_completed_at = fields.Datetime(
        "Completed in the Field",
        readonly=True,
        copy=False,
        help="When the field platform reported the task complete (UTC).",
    )

    @api.model
    def _sync_apply_completed(self, event):
        """Handler of ``field.task.completed``: the task is done, moved to
        its project's closing stage, the field's note is kept in the chatter
        and the project manager gets a "ready to invoice" activity on it."""
        data = event._payload()
        Resolver = self.env["construction.sync.resolver"]
        task = Resolver._resolve(event.system_id, self._name, data["task"], "/payload/task", "task")
        binding, _record = Resolver._binding(event.system_id, self._name, data["task"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        if task.construction_completed_at and task.state == "1_done":
            if binding:
                Resolver._bind(event, binding, task, data["task"])
            return task
        completed_at = (
            datetime.fromisoformat(data["completed_at"]).astimezone(UTC).replace(tzinfo=None)
        )
        vals = {"state": "1_done", "construction_completed_at": completed_at}
        closing = task.project_id.type_ids.filtered("fold").sorted("sequence")[:1]
        if closing:
            vals["stage_id"] = closing.id
        task.write(vals)
        task.message_post(
            body=self.env._(
                "Completed in the field at %(completed)s UTC (%(system)s, correlation "
                "%(correlation)s). Progress: %(progress)s%%. Note: %(notes)s",
                completed=completed_at,
                system=event.system_id.name,
                correlation=event.correlation_id,
                progress=data.get("progress_percent", 100),
                notes=data.get("notes") or "-",
            ),
            subtype_xmlid="mail.mt_note",
        )
        manager = task.project_id.user_id or event.system_id.owner_id
        if manager:
            # On the task: the handler user works on tasks, not on projects.
            task.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Ready to invoice: %s", task.name),
                note=self.env._(
                    "Task %(task)s was completed in the field; its work can be invoiced.",
                    task=task.display_name,
                ),
            )
        if binding:
            Resolver._bind(event, binding, task, data["task"])
        return task
