import json
from datetime import UTC, datetime

import pytz

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldActualsCase

T1 = "2026-03-10T17:00:00+00:00"


@tagged("post_install", "-at_install")
class TestSyncGuidance(FieldActualsCase):
    """What a person sees where the sync needs them: the dashboard's graphs,
    what to do about an event and where, the project's events, first steps."""

    def labor(self, key, **payload):
        payload = dict(
            {
                "source_entry_id": f"TC-{key}",
                "employee": "EMP-17",
                "project": "JOB-100",
                "task": "JOB-100-T1",
                "cost_code": "31231626",
                "work_date": "2026-03-10",
                "hours": 8,
                "pay_class": "regular",
            },
            **payload,
        )
        return self.receive_event("labor.approved", key, T1, payload, enqueue=False)

    def monitor(self):
        return self.env["construction.sync.monitor"].search([("system_id", "=", self.system.id)])

    def test_dashboard_graphs_count_todays_applied_and_failed_events(self):
        applied = self.labor("g-1") | self.labor("g-2")
        unknown = self.labor("g-3", employee="EMP-404")
        (applied | unknown)._job_apply()
        self.assertEqual(applied.mapped("state"), ["done", "done"])
        self.assertEqual(unknown.state, "needs_review")
        monitor = self.monitor()
        throughput = json.loads(monitor.throughput_graph)[0]["values"]
        failures = json.loads(monitor.failure_graph)[0]["values"]
        latency = json.loads(monitor.latency_graph)[0]["values"]
        self.assertEqual(len(throughput), 14, "two weeks, one point a day")
        self.assertEqual(throughput[-1]["y"], 2, "today: two events applied")
        self.assertEqual(sum(point["y"] for point in throughput[:-1]), 0)
        self.assertEqual(failures[-1]["value"], 1, "today: one event waits for a person")
        self.assertGreaterEqual(latency[-1]["y"], 0.0)
        # One click from the card to what needs a person, of this system only.
        action = monitor.action_open_attention()
        self.assertEqual(
            self.Event.search(action["domain"] + [("state", "=", "needs_review")]), unknown
        )

    def test_the_graphs_count_days_in_the_readers_time_zone(self):
        # A zone whose date is not UTC's at this hour: twelve hours behind
        # before noon UTC, fourteen ahead after.
        tz = "Etc/GMT+12" if datetime.now(UTC).hour < 12 else "Etc/GMT-14"
        applied = self.labor("z-1") | self.labor("z-2")
        applied._job_apply()
        monitor = self.monitor().with_context(tz=tz)
        throughput = json.loads(monitor.throughput_graph)[0]["values"]
        today = datetime.now(pytz.timezone(tz)).strftime("%d %b")
        self.assertNotEqual(today, datetime.now(UTC).strftime("%d %b"))
        self.assertEqual(throughput[-1], {"x": today, "y": 2}, "applied today, where the reader is")
        self.assertEqual(sum(point["y"] for point in throughput[:-1]), 0)

    def test_an_unknown_reference_says_to_bind_it_and_opens_the_bindings(self):
        event = self.labor("h-1", employee="EMP-404")
        event._job_apply()
        self.assertEqual(event.error_code, "unknown_reference")
        self.assertEqual(event.fix_target, "binding")
        self.assertIn("Bindings", event.review_hint)
        self.assertIn("Replay", event.review_hint)
        bindings = self.env["construction.sync.binding"].search(event.action_open_fix()["domain"])
        self.assertEqual(bindings.mapped("system_id"), self.system)
        self.assertIn(("system_id", "=", self.system.id), event.action_open_value_maps()["domain"])

    def test_a_locked_period_says_so_and_opens_the_lock_dates(self):
        self.company.fiscalyear_lock_date = "2025-06-30"
        event = self.labor("h-2", work_date="2025-06-25")
        event._job_apply()
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertTrue(event.error_locked_period)
        self.assertEqual(event.fix_target, "lock")
        self.assertIn("locked accounting period", event.review_hint)
        action = event.action_open_fix()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.company", self.company.id))
        view = self.env.ref("construction_sync.res_company_view_form_lock_dates")
        self.assertEqual(action["views"], [(view.id, "form")])

    def test_another_business_rule_is_no_locked_period(self):
        other = self.env["project.project"].create({"name": "Elm Street"})
        self.bind(other, "JOB-200")
        event = self.labor("h-3", project="JOB-200")
        event._job_apply()
        self.assertEqual(event.error_code, "business_rule")
        self.assertFalse(event.error_locked_period)
        self.assertEqual(event.fix_target, "none")
        self.assertNotIn("locked", event.review_hint)

    def test_an_applied_event_needs_no_advice(self):
        event = self.labor("h-4")
        event._job_apply()
        self.assertEqual(event.state, "done")
        self.assertFalse(event.review_hint)
        self.assertFalse(event.fix_target)

    def test_the_project_counts_its_events_and_those_to_review(self):
        (self.labor("p-1") | self.labor("p-2", employee="EMP-404"))._job_apply()
        elsewhere = self.env["project.project"].create({"name": "Elm Street"})
        controller = self.users["controller"]
        project = self.project.with_user(controller)
        self.assertEqual(project.construction_event_count, 2)
        self.assertEqual(project.construction_event_review_count, 1)
        self.assertEqual(elsewhere.with_user(controller).construction_event_count, 0)
        action = project.action_construction_open_events()
        self.assertEqual(len(self.Event.search(action["domain"])), 2)
        self.assertEqual(action["context"].get("search_default_needs_review"), 1)

    def test_a_field_reviewer_does_not_read_the_projects_sync_events(self):
        self.labor("p-3")._job_apply()
        with self.assertRaises(AccessError):
            self.project.with_user(self.users["reviewer"]).read(["construction_event_count"])

    def test_the_first_run_steps_follow_what_is_set_up(self):
        settings = self.env["res.config.settings"].create({})
        maps = settings.construction_onboarding_cost_code_map_count
        self.assertGreaterEqual(settings.construction_onboarding_system_count, 1)
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "cost_code",
                "external_value": "PAVE-01",
                "internal_reference": f"construction.cost.code,{self.cost_code.id}",
            }
        )
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.construction_onboarding_cost_code_map_count, maps + 1)
