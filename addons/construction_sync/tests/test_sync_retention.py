import json
import logging

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user
from odoo.tools import SQL

from .common import SyncCase

PURGE_LOGGER = "odoo.addons.construction_sync.models.construction_sync_purge"
KINDS = ("event", "delivery", "event_link", "variance")


@tagged("post_install", "-at_install")
class TestSyncRetention(SyncCase):
    """Every night the retention policy removes what is past its period,
    kind by kind, and says how much; what still needs a person, what is
    within its period and everything of a project on legal hold stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Purge = cls.env["construction.sync.purge"]
        cls.project = cls.env["project.project"].create({"name": "Harbor Lot Resurfacing"})
        cls.task = cls.env["project.task"].create({"name": "Mill", "project_id": cls.project.id})
        cls.cost_code = cls.create_codes("32 12 16.50")
        cls.outbound_type = cls.env.ref("construction_sync.event_type_vendor_upserted_out")
        parameters = cls.env["ir.config_parameter"].sudo()
        for name, days in (
            ("construction_sync.event_retention_days", 30),
            ("construction_sync.delivery_retention_days", 90),
            ("construction_sync.event_link_retention_days", 365),
            ("construction_sync.variance_retention_days", 365),
        ):
            parameters.set_param(name, days)

    def age(self, records, days, *columns):
        """Make ``records`` ``days`` old in ``columns`` (and create_date)."""
        assignments = SQL(", ").join(
            SQL(
                "%s = now() at time zone 'UTC' - make_interval(days => %s)",
                SQL.identifier(column),
                days,
            )
            for column in ("create_date", *columns)
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s WHERE id IN %s",
                SQL.identifier(records._table),
                assignments,
                tuple(records.ids),
            )
        )
        records.invalidate_recordset()

    def event(self, key, state, days, **vals):
        event = self.Event.sudo().create(
            {
                "system_id": self.system.id,
                "company_id": self.company.id,
                "event_type_id": self.upsert_type.id,
                "idempotency_key": key,
                "correlation_id": f"corr-{key}",
                "payload": "{}",
                "state": state,
                **vals,
            }
        )
        self.age(event, days, "received_at", "applied_at")
        return event

    def delivery(self, state, days, correlation_id=None, event_type=None, payload="{}"):
        delivery = (
            self.env["construction.sync.delivery"]
            .sudo()
            .create(
                {
                    "system_id": self.system.id,
                    "event_type_id": (event_type or self.outbound_type).id,
                    "payload": payload,
                    "state": state,
                    "correlation_id": correlation_id,
                }
            )
        )
        self.age(delivery, days, "sent_at")
        return delivery

    def variance(self, state, days, project=None, period="2025-01"):
        variance = (
            self.env["construction.sync.variance"]
            .sudo()
            .create(
                {
                    "system_id": self.system.id,
                    "project_id": (project or self.project).id,
                    "cost_code_id": self.cost_code.id,
                    "period": period,
                    "measure": "hours",
                    "state": state,
                }
            )
        )
        self.age(variance, days, "write_date")
        return variance

    def link(self, event, record, days):
        link = (
            self.env["construction.sync.event.link"]
            .sudo()
            .create({"event_id": event.id, "res_model": record._name, "res_id": record.id})
        )
        self.age(link, days)
        return link

    def hub_counts(self):
        """What the nightly purge removed of the engine's own kinds."""
        counts = self.Purge._cron_purge()
        return {kind: counts[kind] for kind in KINDS if kind in counts}

    def test_items_past_their_period_go_and_each_kind_s_count_is_logged(self):
        other = self.env["project.project"].create({"name": "Depot Yard"})
        old_done = self.event("old-done", "done", 40)
        kept_events = (
            self.event("old-review", "needs_review", 400)
            | self.event("old-dead", "dead", 400)
            | self.event("old-queued", "queued", 400)
            | self.event("recent-done", "done", 10)
        )
        recent = kept_events[-1]
        old_link = self.link(recent, other, 400)
        new_link = self.link(recent, self.cost_code, 10)
        old_sent = self.delivery("sent", 100)
        kept_deliveries = (
            self.delivery("pending", 100)
            | self.delivery("dead", 100)
            | self.delivery("needs_review", 100)
            | self.delivery("sent", 20)
        )
        old_resolved = self.variance("resolved", 400, other)
        kept_variances = self.variance("open", 400, other, "2025-02") | self.variance(
            "resolved", 20, other, "2025-03"
        )

        with self.assertLogs(PURGE_LOGGER, logging.INFO) as logged:
            counts = self.hub_counts()

        self.assertEqual(counts, {"event": 1, "delivery": 1, "event_link": 1, "variance": 1})
        self.assertFalse(
            any(record.exists() for record in (old_done, old_link, old_sent, old_resolved))
        )
        self.assertEqual(kept_events.exists(), kept_events)
        self.assertEqual(new_link.exists(), new_link)
        self.assertEqual(kept_deliveries.exists(), kept_deliveries)
        self.assertEqual(kept_variances.exists(), kept_variances)
        self.assertIn("1 event record(s) older than 30 days removed", "\n".join(logged.output))
        self.assertIn("1 delivery record(s) older than 90 days removed", "\n".join(logged.output))
        # the history an administrator reads, one row per kind
        history = self.Purge.search([("kind", "in", KINDS)], limit=4)
        self.assertEqual(
            {row.kind: (row.purged_count, row.period_days) for row in history},
            {"event": (1, 30), "delivery": (1, 90), "event_link": (1, 365), "variance": (1, 365)},
        )
        self.assertEqual(
            self.Purge.with_user(self.users["sync_manager"]).search_count(
                [("id", "in", history.ids)]
            ),
            4,
        )

    def test_a_legal_hold_stops_the_purge_of_everything_of_its_project(self):
        # an event that produced a task of the project, the delivery it
        # caused, a link straight to the project and the project's variance
        held_event = self.event("held-done", "done", 400)
        self.link(held_event, self.task, 400)
        held_link = self.link(self.event("held-link", "done", 10), self.project, 400)
        held_delivery = self.delivery("sent", 400, correlation_id=held_event.correlation_id)
        told = self.delivery(
            "sent",
            400,
            event_type=self.env.ref("construction_sync.event_type_project_upserted_out"),
            payload=json.dumps({"id": self.project.id, "name": self.project.name}),
        )
        held_variance = self.variance("resolved", 400)
        held = (held_event, held_link, held_delivery, told, held_variance)
        loose = self.event("loose-done", "done", 400)

        wizard = Form(
            self.env["construction.legal.hold.wizard"]
            .with_user(self.owner)
            .with_context(default_project_id=self.project.id)
        )
        wizard.reason = "Claim 2026-114 by the port authority: keep everything until settled."
        wizard.save().action_place()
        self.assertEqual(
            (self.project.construction_legal_hold, self.project.construction_legal_hold_by_id),
            (True, self.owner),
        )

        counts = self.hub_counts()
        self.assertEqual(counts["event"], 1, "only the event of no held project goes")
        self.assertFalse(loose.exists())
        self.assertEqual((counts["delivery"], counts["event_link"], counts["variance"]), (0, 0, 0))
        self.assertTrue(all(record.exists() for record in held))
        self.assertEqual(self.Purge.search([("kind", "=", "delivery")], limit=1).purged_count, 0)
        self.assertEqual(self.Purge.search([("kind", "=", "event")], limit=1).held_project_count, 1)

        # lifted, the purge reaches them
        self.project.with_user(self.owner).action_construction_lift_legal_hold()
        counts = self.hub_counts()
        self.assertEqual(counts, {"event": 1, "delivery": 2, "event_link": 1, "variance": 1})
        self.assertFalse(any(record.exists() for record in held))

    def test_a_long_backlog_is_purged_in_batches_over_several_runs(self):
        backlog = self.event("b-1", "done", 40) | self.event("b-2", "done", 40)
        backlog |= self.event("b-3", "done", 40)
        cron = self.env.ref("construction_sync.ir_cron_retention_purge")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Purge = self.Purge.with_context(ir_cron_progress_id=progress.id)
        # two batches of one per run: work remains, the scheduler runs it again
        self.assertEqual(Purge._cron_purge(batch_size=1, max_batches=2)["event"], 2)
        self.assertEqual(len(backlog.exists()), 1)
        self.assertEqual(progress.remaining, 1)
        self.assertEqual(Purge._cron_purge(batch_size=1, max_batches=2)["event"], 1)
        self.assertFalse(backlog.exists())
        self.assertEqual(progress.remaining, 0)

    def test_a_period_of_zero_keeps_records_for_ever(self):
        # the parameters are cached: forget the zeros once the test rolls back
        self.addCleanup(self.env.registry.clear_all_caches)
        parameters = self.env["ir.config_parameter"].sudo()
        for name in (
            "construction_sync.event_retention_days",
            "construction_sync.delivery_retention_days",
            "construction_sync.event_link_retention_days",
            "construction_sync.variance_retention_days",
        ):
            parameters.set_param(name, 0)
        old = (
            self.event("ancient", "done", 4000),
            self.delivery("sent", 4000),
            self.variance("resolved", 4000),
        )
        counts = self.Purge._cron_purge()
        self.assertFalse(set(counts) & set(KINDS), "no kind purged, none logged")
        self.assertTrue(all(record.exists() for record in old))

    def test_only_a_sync_manager_places_or_lifts_a_legal_hold(self):
        project = self.project.with_context(tracking_disable=False)
        for role in ("controller", "reviewer"):
            user = self.users[role]
            with self.assertRaises(AccessError, msg=role):
                project.with_user(user).action_construction_place_legal_hold()
            with self.assertRaises(AccessError, msg=role):
                project.with_user(user)._construction_place_legal_hold("mine")
        # a project manager writing the flag straight is refused as well
        project_manager = new_test_user(
            self.env, login="retention_pm", groups="project.group_project_manager"
        )
        with self.assertRaises(AccessError):
            project.with_user(project_manager).write({"construction_legal_hold": True})
        with self.assertRaisesRegex(UserError, "Say why"):
            project.with_user(self.owner)._construction_place_legal_hold("  ")

        project.with_user(self.owner)._construction_place_legal_hold("Audit of 2026")
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.assertEqual(project.construction_legal_hold_reason, "Audit of 2026")
        tracked = project.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("construction_legal_hold", tracked)
        self.assertIn("construction_legal_hold_by_id", tracked)
        with self.assertRaises(AccessError):
            project.with_user(self.users["controller"]).action_construction_lift_legal_hold()
        self.assertTrue(project.construction_legal_hold)
        project.with_user(self.users["administrator"]).action_construction_lift_legal_hold()
        self.assertFalse(project.construction_legal_hold)
