from datetime import timedelta

from odoo import api, fields, models

ALERT_MEASURES = [
    ("queue_depth", "Items behind"),
    ("oldest_wait", "Oldest waiting (minutes)"),
    ("failure_rate", "Failure rate 24h (%)"),
    ("dead_count", "Dead items"),
]

ALERT_SEVERITIES = [
    ("warning", "Warning"),
    ("critical", "Critical"),
]


class ConstructionSyncAlertRule(models.Model):
    """A threshold on one figure of a system's health (the Sync Monitor's):
    crossing it opens an alert for the system's owner, which escalates to the
    Sync Managers after a delay and resolves itself once the figure recovers."""

    _name = "construction.sync.alert.rule"
    _description = "Sync Alert Rule"
    _inherit = ["mail.thread"]
    _order = "system_id, measure"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, ondelete="cascade", index=True, tracking=True
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    measure = fields.Selection(ALERT_MEASURES, required=True, tracking=True)
    threshold = fields.Float(
        required=True, tracking=True, help="The alert opens when the figure is above it."
    )
    severity = fields.Selection(ALERT_SEVERITIES, required=True, default="warning", tracking=True)
    escalate_after = fields.Integer(
        "Escalate After (minutes)",
        default=60,
        tracking=True,
        help="An alert still open this long is escalated to the Sync Manager group.",
    )
    active = fields.Boolean(default=True)
    alert_ids = fields.One2many("construction.sync.alert", "rule_id")

    _sql_constraints = [
        (
            "measure_uniq",
            "unique (system_id, measure, severity)",
            "A system has one threshold per figure and severity.",
        ),
        ("escalate_after_positive", "check (escalate_after > 0)", "Escalate after a delay."),
    ]

    @api.depends("system_id", "measure", "threshold")
    def _compute_display_name(self):
        measures = dict(ALERT_MEASURES)
        for rule in self:
            rule.display_name = (
                f"{rule.system_id.name}: {measures.get(rule.measure)} > {rule.threshold:g}"
            )

    @staticmethod
    def _figure(measure, row):
        """The rule's figure in a Sync Monitor row (0 for a system with no row)."""
        if not row:
            return 0.0
        if measure == "oldest_wait":
            return (row.oldest_pending_seconds or 0.0) / 60
        if measure == "dead_count":
            return row.dead_count + row.deliveries_failed
        if measure == "queue_depth":
            return row.queue_depth + row.deliveries_pending
        return row.failure_rate or 0.0

    @api.model
    def _cron_evaluate(self):
        """Compare every active rule of an active system with its figures:
        open, keep, escalate or resolve its alert."""
        rules = self.search([("system_id.active", "=", True)])
        # the monitor is a view over the inbox and the outbox: written
        # first, and read afresh
        self.env.flush_all()
        Monitor = self.env["construction.sync.monitor"]
        Monitor.invalidate_model()
        rows = {
            row.system_id: row for row in Monitor.search([("system_id", "in", rules.system_id.ids)])
        }
        Alert = self.env["construction.sync.alert"]
        open_alerts = {
            alert.rule_id: alert
            for alert in Alert.search(
                [("rule_id", "in", rules.ids), ("state", "in", ("open", "escalated"))]
            )
        }
        now = fields.Datetime.now()
        for rule in rules:
            value = self._figure(rule.measure, rows.get(rule.system_id))
            alert = open_alerts.get(rule)
            if value > rule.threshold:
                if not alert:
                    Alert._open(rule, value)
                    continue
                alert.last_value = value
                if (
                    alert.state == "open"
                    and alert.opened_at + timedelta(minutes=rule.escalate_after) <= now
                ):
                    alert._escalate()
            elif alert:
                alert._resolve(value)
