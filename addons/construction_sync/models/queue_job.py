from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def _construction_failure_reason(self):
        """Why this job (failed or cancelled) did not do its work, for the
        records it leaves dead to say."""
        self.ensure_one()
        if self.state == "cancelled":
            return self.env._("its job %(job)s was cancelled", job=self.uuid)
        return self.env._(
            "its job %(job)s failed: %(error)s",
            job=self.uuid,
            error=" ".join(filter(None, [self.exc_name, self.exc_message])) or self.exc_info,
        )
