from datetime import timedelta

from odoo import fields
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests.common import new_test_user

from .common import SyncCase


class TestSyncAlerts(SyncCase):
    """An alert fires on a system's real backlog, notifies its owner,
    escalates to the Sync Managers after the delay and resolves itself once
    the backlog is applied; its history stays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_manager = new_test_user(
            cls.env,
            login="alerts_second_manager",
            groups="construction_sync.group_construction_sync_manager",
        )
        cls.Rule = cls.env["construction.sync.alert.rule"]
        cls.Alert = cls.env["construction.sync.alert"]
        cls.backlog_rule = cls.Rule.create(
            {
                "system_id": cls.system.id,
                "measure": "queue_depth",
                "threshold": 3,
                "severity": "critical",
                "escalate_after": 30,
            }
        )

    def alerts(self):
        return self.Alert.search([("system_id", "=", self.system.id)])

    def test_a_backlog_alert_fires_escalates_and_resolves_itself(self):
        with trap_jobs() as trap:
            events = self.Event
            for number in range(5):
                events |= self.receive(
                    f"backlog-{number}", code=f"32 12 16.{10 + number}", name="Paving"
                )
            self.Rule._cron_evaluate()
            alert = self.alerts()
            self.assertEqual((alert.state, alert.value, alert.severity), ("open", 5, "critical"))
            activity = alert.activity_ids
            self.assertEqual(activity.user_id, self.owner)
            self.assertIn("5 (threshold 3)", activity.summary)
            notice = alert.message_ids.filtered(lambda message: message.partner_ids)
            self.assertEqual(notice.partner_ids, self.owner.partner_id)

            # still behind, but not yet for the delay: nothing new
            self.Rule._cron_evaluate()
            self.assertEqual((self.alerts(), alert.state), (alert, "open"))
            alert.opened_at = fields.Datetime.now() - timedelta(minutes=31)
            self.Rule._cron_evaluate()
            self.assertEqual(alert.state, "escalated")
            escalation = alert.message_ids.filtered(lambda message: "Escalated" in message.body)
            self.assertIn(self.other_manager.partner_id, escalation.partner_ids)

            # the backlog is applied: the alert resolves itself
            trap.perform_enqueued_jobs()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.Rule._cron_evaluate()
        self.assertEqual((alert.state, alert.last_value), ("resolved", 0))
        self.assertFalse(alert.activity_ids)
        self.assertTrue(alert.resolved_at)
        # a new crossing is a new alert; the history keeps the first
        with trap_jobs():
            for number in range(4):
                self.receive(f"again-{number}", code=f"32 12 16.{20 + number}", name="Paving")
            self.Rule._cron_evaluate()
        self.assertEqual(self.alerts().mapped("state"), ["open", "resolved"])

    def test_the_oldest_waiting_item_and_dead_items_have_their_thresholds(self):
        self.Rule.create(
            [
                {"system_id": self.system.id, "measure": "oldest_wait", "threshold": 60},
                {"system_id": self.system.id, "measure": "dead_count", "threshold": 0},
            ]
        )
        with trap_jobs():
            event = self.receive("old-1")
        self.Rule._cron_evaluate()
        self.assertFalse(self.alerts(), "one fresh item is no alert")
        event.received_at = fields.Datetime.now() - timedelta(hours=2)
        event._bury("gave up", 3)
        self.Rule._cron_evaluate()
        self.assertEqual(self.alerts().measure, "dead_count")
        event.write({"state": "queued", "received_at": fields.Datetime.now() - timedelta(hours=2)})
        self.Rule._cron_evaluate()
        alerts = self.alerts()
        self.assertEqual(
            {(alert.measure, alert.state) for alert in alerts},
            {("dead_count", "resolved"), ("oldest_wait", "open")},
        )
        self.assertGreater(alerts.filtered(lambda a: a.measure == "oldest_wait").value, 119)
