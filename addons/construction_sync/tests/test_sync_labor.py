from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldActualsCase

T1 = "2026-03-10T17:00:00+00:00"
T2 = "2026-03-11T09:00:00+00:00"
T3 = "2026-03-12T09:00:00+00:00"


@tagged("post_install", "-at_install")
class TestSyncLabor(FieldActualsCase):
    def labor(self, key, occurred_at=T1, event_type="labor.approved", enqueue=True, **payload):
        payload = dict(
            {
                "source_entry_id": "TC-9001",
                "employee": "EMP-17",
                "project": "JOB-100",
                "task": "JOB-100-T1",
                "cost_code": "31231626",
                "work_date": "2026-03-10",
                "hours": 8,
                "pay_class": "regular",
                "crew": "Paving crew 2",
                "approver": "J. Foreman",
            },
            **payload,
        )
        return self.receive_event(event_type, key, occurred_at, payload, enqueue=enqueue)

    def correct(self, key, occurred_at=T2, **payload):
        payload.setdefault("reason", "Foreman keyed 8 h instead of 6 h")
        return self.labor(key, occurred_at, event_type="labor.corrected", **payload)

    def test_approved_labor_becomes_one_timesheet_on_the_cost_code(self):
        with trap_jobs() as trap:
            event = self.labor("tk-1", pay_class="overtime")
            trap.assert_jobs_count(1, only=event._job_apply)
            trap.perform_enqueued_jobs()
        self.assertEqual((event.state, event.error_code), ("done", False))
        line = self.entry_lines("TC-9001")
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.employee_id, line.project_id, line.task_id, line.unit_amount),
            (self.employee, self.project, self.task, 8.0),
        )
        self.assertEqual(line[self.column], self.cost_code.analytic_account_id)
        self.assertEqual(str(line.date), "2026-03-10")
        self.assertEqual(
            (line.construction_crew, line.construction_approver), ("Paving crew 2", "J. Foreman")
        )
        self.assertAlmostEqual(line.amount, -8 * 40.0 * 1.5, msg="overtime costs 1.5 times")
        link = event.link_ids
        self.assertEqual((link.res_model, link.res_id), ("account.analytic.line", line.id))
        self.assertEqual(link.correlation_id, "corr-tk-1")
        self.assertEqual(self.env["construction.sync.event.link"]._events_of(line), event)
        self.assertEqual(self.task.effective_hours, 8.0, "the task counts the hours")

    def test_timesheet_shows_in_analytic_reporting_by_cost_code(self):
        other_code = self.create_codes("31 23 16.13")
        self.labor("tk-r1")
        self.labor("tk-r2", source_entry_id="TC-9002", hours=2.5)
        self.labor("tk-r3", source_entry_id="TC-9003", hours=3, cost_code="31 23 16.13")
        self.apply()
        totals = dict(
            self.Line._read_group(
                [(self.column, "in", (self.cost_code | other_code).analytic_account_id.ids)],
                [self.column],
                ["unit_amount:sum"],
            )
        )
        self.assertEqual(totals[self.cost_code.analytic_account_id], 10.5)
        self.assertEqual(totals[other_code.analytic_account_id], 3.0)

    def test_resends_never_double_the_hours(self):
        event = self.labor("tk-2")
        self.apply()
        again = self.labor("tk-2")
        self.assertEqual(again, event, "same key: the original event, nothing new")
        other_key = self.labor("tk-2-bis", occurred_at=T2)
        same_figures_new_crew = self.labor("tk-2-ter", occurred_at=T3, crew="Paving crew 3")
        self.apply()
        line = self.entry_lines("TC-9001")
        self.assertEqual(len(line), 1)
        self.assertEqual(sum(line.mapped("unit_amount")), 8.0)
        self.assertEqual(other_key.state, "done")
        self.assertEqual(other_key.link_ids.res_id, line.id)
        self.assertEqual(same_figures_new_crew.link_ids.res_id, line.id)

    def test_correction_reverses_and_replaces_with_a_trail(self):
        approved = self.labor("tk-3")
        self.apply()
        original = self.entry_lines("TC-9001")
        corrected = self.correct("tk-3-fix", hours=6, cost_code="31 23 16.26")
        self.apply()
        self.assertEqual(corrected.state, "done")
        lines = self.entry_lines("TC-9001")
        self.assertEqual(len(lines), 3, "original, reversal and corrected entry are all kept")
        reversal = lines.filtered(lambda line: line.construction_entry_state == "reversal")
        new = lines.filtered(lambda line: line.construction_entry_state == "current")
        self.assertEqual(original.construction_entry_state, "superseded")
        self.assertEqual(original.construction_superseded_by_id, new)
        self.assertEqual(reversal.construction_reversed_line_id, original)
        self.assertEqual((reversal.unit_amount, reversal.amount), (-8.0, 320.0))
        self.assertEqual((new.unit_amount, new.amount), (6.0, -240.0))
        self.assertEqual(sum(lines.mapped("unit_amount")), 6.0)
        self.assertEqual(self.task.effective_hours, 6.0)
        self.assertEqual(
            {(link.res_id, link.correlation_id) for link in corrected.link_ids},
            {(reversal.id, "corr-tk-3-fix"), (new.id, "corr-tk-3-fix")},
        )
        self.assertEqual(approved.link_ids.res_id, original.id)
        note = self.task.message_ids.filtered(lambda message: "TC-9001" in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("8.00 h", note.body)
        self.assertIn("6.00 h", note.body)
        self.assertIn("Foreman keyed 8 h instead of 6 h", note.body)

    def test_an_older_fact_arriving_late_never_undoes_a_newer_one(self):
        corrected = self.correct("tk-4-fix", hours=6)
        self.apply()
        late = self.labor("tk-4")
        self.apply()
        self.assertEqual((late.state, late.error_code), ("done", "out_of_order"))
        self.assertIn("Skipped", late.error_message)
        self.assertIn("TC-9001", late.error_message)
        self.assertFalse(late.link_ids)
        line = self.entry_lines("TC-9001")
        self.assertEqual((len(line), line.unit_amount), (1, 6.0))
        self.assertEqual(corrected.link_ids.res_id, line.id)
        binding = self.env["construction.sync.binding"].search(
            [("external_id", "=", "TC-9001"), ("res_model", "=", "account.analytic.line")]
        )
        self.assertEqual(str(binding.source_occurred_at), "2026-03-11 09:00:00")

    def test_events_of_one_batch_are_applied_in_the_order_they_happened(self):
        corrected = self.labor("tk-5-fix", T2, hours=6, enqueue=False)
        approved = self.labor("tk-5", T1, enqueue=False)
        self.assertLess(corrected.id, approved.id, "the later fact was received first")
        with trap_jobs() as trap:
            (corrected | approved)._enqueue()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual((approved.state, approved.error_code), ("done", False))
        self.assertEqual((corrected.state, corrected.error_code), ("done", False))
        lines = self.entry_lines("TC-9001")
        self.assertEqual(len(lines), 3)
        self.assertEqual(sum(lines.mapped("unit_amount")), 6.0)

    def test_unknown_employee_waits_for_a_map_then_replays(self):
        event = self.labor("tk-6", employee="EMP-404")
        self.apply()
        self.assertEqual((event.state, event.error_code), ("needs_review", "unknown_reference"))
        self.assertIn("'EMP-404'", event.error_message)
        self.assertIn("/payload/employee", event.error_message)
        self.assertFalse(self.entry_lines("TC-9001"))
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "employee",
                "external_value": "EMP-404",
                "internal_reference": f"hr.employee,{self.employee.id}",
            }
        )
        with trap_jobs() as trap:
            event.action_replay()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.entry_lines("TC-9001").employee_id, self.employee)

    def test_employee_by_badge_or_work_email_and_unknown_project_or_code(self):
        by_badge = self.labor("tk-7", employee="4471")
        by_email = self.labor("tk-8", source_entry_id="TC-9008", employee="Maria.Lopez@example.com")
        no_project = self.labor("tk-9", source_entry_id="TC-9009", project="JOB-999")
        no_code = self.labor("tk-10", source_entry_id="TC-9010", cost_code="99 99 99")
        wrong_task = self.labor("tk-11", source_entry_id="TC-9011", project="JOB-200")
        other_project = self.env["project.project"].create({"name": "Elm Street"})
        self.bind(other_project, "JOB-200")
        self.apply()
        self.assertEqual((by_badge | by_email).mapped("state"), ["done", "done"])
        self.assertEqual(
            self.Line.search([("construction_source_entry", "in", ["TC-9001", "TC-9008"])]).mapped(
                "employee_id"
            ),
            self.employee,
        )
        self.assertEqual(no_project.error_code, "unknown_reference")
        self.assertIn("/payload/project", no_project.error_message)
        self.assertEqual(no_code.error_code, "unknown_reference")
        self.assertIn("/payload/cost_code", no_code.error_message)
        self.assertEqual(wrong_task.error_code, "business_rule")
        self.assertIn("belongs to project Main Street Resurfacing", wrong_task.error_message)

    def test_locked_period_goes_to_review_and_posts_nothing(self):
        approved = self.labor("tk-12", work_date="2025-06-20")
        self.apply()
        self.company.fiscalyear_lock_date = "2025-06-30"
        late_entry = self.labor("tk-13", source_entry_id="TC-9013", work_date="2025-06-25")
        correction = self.correct("tk-12-fix", hours=6, work_date="2025-07-02")
        self.apply()
        for event in (late_entry, correction):
            self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
            self.assertIn("locked accounting period", event.error_message)
        self.assertIn("2025-06-25", late_entry.error_message)
        self.assertIn("Global Lock Date", late_entry.error_message)
        self.assertFalse(self.entry_lines("TC-9013"))
        self.assertEqual(len(self.entry_lines("TC-9001")), 1, "the locked entry is not reversed")
        self.assertEqual(approved.state, "done")

    def test_hard_lock_is_honoured_too(self):
        self.company.hard_lock_date = "2025-06-15"
        event = self.labor("tk-14", work_date="2025-06-10")
        self.apply()
        self.assertEqual(event.error_code, "business_rule")
        self.assertIn("Hard Lock Date", event.error_message)

    def test_service_user_posts_events_but_cannot_write_timesheets(self):
        service = self.service_user
        with self.assertRaises(AccessError):
            self.Line.with_user(service).create(
                {
                    "name": "direct",
                    "project_id": self.project.id,
                    "employee_id": self.employee.id,
                    "unit_amount": 1,
                }
            )
        event = self.labor("tk-15")
        self.apply()
        line = self.entry_lines("TC-9001")
        self.assertEqual(event.state, "done")
        self.assertEqual(event.create_uid, self.env.user)
        with self.assertRaises(AccessError):
            line.with_user(service).write({"unit_amount": 2})
        with self.assertRaises(AccessError):
            line.with_user(self.users["reviewer"]).unlink()

    def test_applying_a_labor_event_costs_a_fixed_number_of_queries(self):
        self.labor("tk-warm", source_entry_id="TC-8000")
        self.apply()
        event = self.labor("tk-16", source_entry_id="TC-8001")
        self.env.flush_all()
        self.env.invalidate_all()
        # Resolving (each record checked to be of the system's company and
        # readable by the handler user), the timesheet with its cost, the
        # binding, the link, the event's state, the budgets of
        # construction_estimate_bridge, and the anomaly check of
        # construction_assist (the worker's, crew's, cost code's and
        # company's days, the worker's working day, and the approved budget
        # line's pace).
        with self.assertQueryCount(83):
            event._job_apply()
            self.env.flush_all()
        self.assertEqual(event.state, "done")
