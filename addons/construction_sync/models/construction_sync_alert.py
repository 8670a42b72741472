from odoo import api, fields, models

from .construction_sync_alert_rule import ALERT_MEASURES, ALERT_SEVERITIES

ALERT_STATES = [
    ("open", "Open"),
    ("escalated", "Escalated"),
    ("resolved", "Resolved"),
]


class ConstructionSyncAlert(models.Model):
    """One crossing of an alert rule's threshold, from its opening to its
    resolution: the history the dashboard shows."""

    _name = "construction.sync.alert"
    _description = "Sync Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "opened_at desc, id desc"
    _check_company_auto = True

    rule_id = fields.Many2one(
        "construction.sync.alert.rule", required=True, ondelete="cascade", index=True
    )
    system_id = fields.Many2one(
        "construction.sync.system", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    measure = fields.Selection(ALERT_MEASURES, required=True, readonly=True)
    severity = fields.Selection(ALERT_SEVERITIES, required=True, readonly=True)
    threshold = fields.Float(readonly=True)
    value = fields.Float("Figure When Opened", readonly=True)
    last_value = fields.Float("Latest Figure", readonly=True)
    state = fields.Selection(ALERT_STATES, default="open", required=True, readonly=True, index=True)
    opened_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    escalated_at = fields.Datetime(readonly=True)
    resolved_at = fields.Datetime(readonly=True)

    @api.depends("system_id", "measure", "opened_at")
    def _compute_display_name(self):
        measures = dict(ALERT_MEASURES)
        for alert in self:
            alert.display_name = f"{alert.system_id.name}: {measures.get(alert.measure)}"

    @api.model
    def _open(self, rule, value):
        """A new alert of ``rule`` at ``value``: the system's owner gets an
        activity and an e-mail."""
        alert = self.create(
            {
                "rule_id": rule.id,
                "system_id": rule.system_id.id,
                "measure": rule.measure,
                "severity": rule.severity,
                "threshold": rule.threshold,
                "value": value,
                "last_value": value,
            }
        )
        owner = rule.system_id.owner_id
        summary = alert._summary(value)
        if owner:
            alert.activity_schedule(
                "mail.mail_activity_data_todo", user_id=owner.id, summary=summary
            )
        alert.message_post(
            body=summary,
            partner_ids=owner.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return alert

    def _summary(self, value):
        self.ensure_one()
        figure, threshold = f"{value:g}", f"{self.threshold:g}"
        return self.env._(
            "%(severity)s: %(system)s, %(measure)s at %(value)s (threshold %(threshold)s).",
            severity=dict(ALERT_SEVERITIES)[self.severity],
            system=self.system_id.name,
            measure=dict(ALERT_MEASURES)[self.measure],
            value=figure,
            threshold=threshold,
        )

    def _escalate(self):
        """Still open after the rule's delay: the Sync Manager group is told."""
        self.ensure_one()
        managers = self.env.ref("construction_sync.group_construction_sync_manager").users
        self.write({"state": "escalated", "escalated_at": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Escalated to the Sync Managers: %(summary)s",
                summary=self._summary(self.last_value),
            ),
            partner_ids=managers.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _resolve(self, value):
        """The figure recovered: the alert closes, and its activities with it."""
        self.ensure_one()
        self.write({"state": "resolved", "resolved_at": fields.Datetime.now(), "last_value": value})
        figure = f"{value:g}"
        note = self.env._("Resolved: the figure is back at %(value)s.", value=figure)
        self.activity_ids.action_feedback(feedback=note)
        self.message_post(body=note)
