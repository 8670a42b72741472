from datetime import datetime

from odoo import api, fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    billing_line_id = fields.Many2one(
        "sale.order.line",
        string="Schedule Line",
        index="btree_not_null",
        domain="[('order_id.construction_project_id', '=', project_id), "
        "('construction_cost_code_id', '!=', False)]",
        help="The line of the contract's schedule of values this task's work is billed on: "
        "its completion in the field proposes progress on it.",
    )

    @api.model
    def _sync_apply_completed(self, event):
        """A task completed in the field with its progress proposes that
        progress on its schedule line (a person approves it)."""
        task = super()._sync_apply_completed(event)
        line = task.sudo().billing_line_id
        if line:
            data = event._payload()
            self.env["construction.billing.progress"].sudo()._propose_to_date(
                line,
                data.get("progress_percent", 100),
                source="task",
                # the site's day, as its platform wrote it: an evening's
                # completion on the 31st is March's work, whatever UTC says
                date=datetime.fromisoformat(data["completed_at"]).date(),
                task_id=task.id,
                note=data.get("notes") or False,
            )
        return task
