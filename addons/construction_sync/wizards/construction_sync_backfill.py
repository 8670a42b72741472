from odoo import api, fields, models
from odoo.exceptions import UserError


class ConstructionSyncBackfill(models.TransientModel):
    """Pull a platform again from a chosen date: what was missed while a
    webhook was down, or the history before the system was connected."""

    _name = "construction.sync.backfill"
    _description = "Backfill Since"

    system_id = fields.Many2one("construction.sync.system", required=True, readonly=True)
    since = fields.Datetime(
        required=True,
        default=lambda self: fields.Datetime.subtract(fields.Datetime.now(), days=30),
        help="Items of the platform from this moment on are pulled again; those "
        "already in Odoo are recognised and not doubled.",
    )
    pull_ids = fields.Many2many(
        "construction.sync.pull",
        string="Resources",
        domain="[('system_id', '=', system_id)]",
        compute="_compute_pull_ids",
        store=True,
        readonly=False,
    )

    @api.depends("system_id")
    def _compute_pull_ids(self):
        for wizard in self:
            wizard.pull_ids = wizard.system_id.pull_ids.filtered("active")

    def action_start(self):
        self.ensure_one()
        if not self.pull_ids:
            raise UserError(self.env._("Choose at least one resource to pull again."))
        if self.since > fields.Datetime.now():
            raise UserError(self.env._("A backfill starts in the past, not on a future date."))
        self.pull_ids.sudo()._start(since=self.since)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.system_id.name,
                "message": self.env._(
                    "Pulling %(resources)s again since %(since)s UTC; the pages are "
                    "listed on each pull.",
                    resources=", ".join(self.pull_ids.mapped("resource")),
                    since=self.since,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
