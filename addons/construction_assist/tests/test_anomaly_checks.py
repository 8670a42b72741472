from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import AssistCase

# Twenty past days of one worker: 8 h most days, now and then a bit more.
PAST_DAYS = [8.0, 8.0, 7.5, 8.0, 8.5, 8.0, 8.0, 9.0, 8.0, 8.0] * 2


@tagged("post_install", "-at_install")
class TestAnomalyChecks(AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worked_days(cls.employee, PAST_DAYS)

    def labor(self, key, hours, work_date="2026-03-02"):
        return self.receive_event(
            "labor.approved",
            key,
            f"{work_date}T17:00:00+00:00",
            {
                "source_entry_id": key,
                "employee": "EMP-17",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "work_date": work_date,
                "hours": hours,
            },
            enqueue=False,
        )

    def test_a_flagged_event_does_not_post_until_released(self):
        event = self.labor("tk-an1", 14.5)
        event._job_apply()
        self.assertEqual(event.state, "needs_review")
        self.assertIn("14.5 h; this worker's days: median 8.0", event.error_message)
        self.assertFalse(self.entry_lines("tk-an1"), "nothing posted")
        flag = event.assist_open_flag_id
        self.assertEqual(flag.kind, "anomaly")
        self.assertGreater(flag.confidence, 0.5)
        # Replayed as it is, it is held again: only a person's release posts it.
        manager = self.users["sync_manager"]
        with trap_jobs() as trap:
            event.with_user(manager).action_replay()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "needs_review")
        self.assertFalse(self.entry_lines("tk-an1"))
        with trap_jobs() as trap:
            event.with_user(manager).action_assist_release()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.entry_lines("tk-an1").unit_amount, 14.5)
        self.assertEqual((flag.state, flag.decided_by_id, flag.hit), ("overridden", manager, 0.0))

    def test_a_day_in_line_with_the_history_posts_as_before(self):
        event = self.labor("tk-an2", 8.5)
        event._job_apply()
        self.assertEqual(event.state, "done")
        self.assertFalse(event.assist_decision_ids)

    def test_hours_already_booked_that_day_count(self):
        self.labor("tk-an3", 8.0, "2026-03-03")._job_apply()
        second = self.labor("tk-an4", 7.0, "2026-03-03")
        second._job_apply()
        self.assertEqual(second.state, "needs_review", "15 h that day")
        self.assertIn("15 h", second.error_message)

    def test_the_administrators_hard_limit_holds_whatever_the_history(self):
        self.company.construction_assist_max_labor_hours = 8.0
        event = self.labor("tk-an5", 8.5)
        event._job_apply()
        self.assertEqual(event.state, "needs_review")
        self.assertIn("administrator's limit of 8 h", event.error_message)

    def newcomer_labor(self, key, hours, work_date="2026-03-02"):
        """A labor event of a worker hired today, with no cost code."""
        if not self.env["construction.sync.binding"].search([("external_id", "=", "EMP-99")]):
            newcomer = self.env["hr.employee"].create(
                {"name": "New Hire", "company_id": self.company.id, "hourly_cost": 30.0}
            )
            self.bind(newcomer, "EMP-99")
        return self.receive_event(
            "labor.approved",
            key,
            f"{work_date}T17:00:00+00:00",
            {
                "source_entry_id": key,
                "employee": "EMP-99",
                "project": "JOB-100",
                "work_date": work_date,
                "hours": hours,
            },
            enqueue=False,
        )

    def test_a_worker_without_history_is_compared_with_the_company(self):
        event = self.newcomer_labor("tk-an6", 13)
        event._job_apply()
        self.assertEqual(event.state, "needs_review")
        self.assertIn("the company's worker-days", event.error_message)

    def test_a_newcomer_is_compared_with_the_days_worked_on_the_cost_code(self):
        # half days of several workers on the paving code; the company's
        # worker-days are full ones (each worker's day, never all summed)
        for n in range(3):
            other = self.env["hr.employee"].create(
                {"name": f"Paver {n}", "company_id": self.company.id, "hourly_cost": 30.0}
            )
            self.Line.create(
                [
                    {
                        "name": "Past paving",
                        "employee_id": other.id,
                        "project_id": self.project.id,
                        self.column: self.cost_code.analytic_account_id.id,
                        "date": f"2026-01-{day:02d}",
                        "unit_amount": 4.0,
                    }
                    for day in range(5, 15)
                ]
            )
        newcomer = self.env["hr.employee"].create(
            {"name": "New Paver", "company_id": self.company.id, "hourly_cost": 30.0}
        )
        self.bind(newcomer, "EMP-98")
        event = self.receive_event(
            "labor.approved",
            "tk-an7",
            "2026-03-02T17:00:00+00:00",
            {
                "source_entry_id": "tk-an7",
                "employee": "EMP-98",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "work_date": "2026-03-02",
                "hours": 9,
            },
            enqueue=False,
        )
        event._job_apply()
        self.assertEqual(event.state, "needs_review")
        self.assertIn("9 h; this cost code's worker-days: median 4.0", event.error_message)

    def test_a_meter_jump_of_more_than_a_day_is_held(self):
        excavator = self.env["maintenance.equipment"].create(
            {
                "name": "Excavator 7",
                "company_id": self.company.id,
                "construction_meter_hours": 1000.0,
                "construction_meter_read_at": "2026-03-01 18:00:00",
            }
        )
        self.env["construction.equipment.rate"].create(
            {"equipment_id": excavator.id, "date_from": "2026-01-01", "hourly_rate": 90.0}
        )
        self.bind(excavator, "EX-7")
        event = self.receive_event(
            "equipment.usage.recorded",
            "eq-an1",
            "2026-03-02T17:00:00+00:00",
            {
                "source_entry_id": "eq-an1",
                "equipment": "EX-7",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "date": "2026-03-02",
                "meter_reading": 1030.0,
            },
            enqueue=False,
        )
        event._job_apply()
        self.assertEqual(event.state, "needs_review")
        self.assertIn("30 h; above the administrator's limit of 24 h", event.error_message)
        self.assertFalse(self.entry_lines("eq-an1"))
        self.assertEqual(excavator.construction_meter_hours, 1000.0, "the meter is not taken")

    def test_cost_running_ahead_of_the_budgets_pace_is_held(self):
        # March's job: 4,000 for the cost code; a vendor bill already took 1,000
        self.project.write({"date_start": "2026-03-01", "date": "2026-03-31"})
        budget = self.env["construction.budget"].create(
            {
                "name": "Main Street budget",
                "project_id": self.project.id,
                "line_ids": [(0, 0, {"cost_code_id": self.cost_code.id, "original": 4000.0})],
            }
        )
        budget.action_approve()
        self.Line.create(
            {
                "name": "Trucking bill",
                "account_id": self.project.account_id.id,
                self.column: self.cost_code.analytic_account_id.id,
                "date": "2026-03-01",
                "amount": -1000.0,
            }
        )
        # a day into the schedule, 8 h (320) more makes 33 % of the budget
        early = self.labor("tk-pace1", 8.0)
        early._job_apply()
        self.assertEqual(early.state, "needs_review")
        self.assertIn(
            "31 23 16.26: 1,320.00 spent, 33% of the budget at 3% of the project's schedule "
            "(limit 28%)",
            early.error_message,
        )
        self.assertFalse(self.entry_lines("tk-pace1"), "nothing posted")
        self.assertEqual(budget.line_ids.actual, 1000.0)
        self.assertEqual(early.assist_open_flag_id.kind, "anomaly")
        # two thirds into the schedule the same day's work is in pace
        later = self.labor("tk-pace2", 8.0, "2026-03-21")
        later._job_apply()
        self.assertEqual(later.state, "done")
        self.assertEqual(budget.line_ids.actual, 1320.0)
        # a draft budget drives nothing, as for procurement
        budget.action_reset_to_draft()
        self.labor("tk-pace3", 8.0)._job_apply()
        self.assertEqual(self.entry_lines("tk-pace3").unit_amount, 8.0)

    def test_in_a_chunk_only_the_event_out_of_line_is_held(self):
        events = (
            self.labor("tk-ch1", 8.0, "2026-03-04")
            | self.labor("tk-ch2", 14.5, "2026-03-05")
            | self.labor("tk-ch3", 8.5, "2026-03-06")
        )
        events._job_apply()
        self.assertEqual(events.mapped("state"), ["done", "needs_review", "done"])
        self.assertIn("14.5 h; this worker's days", events[1].error_message)
        self.assertEqual(events[1].assist_open_flag_id.kind, "anomaly")
        self.assertFalse(self.entry_lines("tk-ch2"), "nothing posted for the held one")
        self.assertEqual(
            (self.entry_lines("tk-ch1") | self.entry_lines("tk-ch3")).mapped("unit_amount"),
            [8.0, 8.5],
        )

    def test_in_a_chunk_a_day_is_judged_in_the_order_its_entries_happened(self):
        first = self.labor("tk-ch4", 8.0, "2026-03-03")
        second = self.receive_event(
            "labor.approved",
            "tk-ch5",
            "2026-03-03T18:00:00+00:00",
            {
                "source_entry_id": "tk-ch5",
                "employee": "EMP-17",
                "project": "JOB-100",
                "work_date": "2026-03-03",
                "hours": 7.0,
            },
            enqueue=False,
        )
        (first | second)._job_apply()
        self.assertEqual((first.state, second.state), ("done", "needs_review"), "15 h that day")
        self.assertIn("15 h", second.error_message)

    def test_in_a_chunk_a_newcomer_is_compared_with_the_company_a_veteran_with_his_days(self):
        veteran, newcomer = (
            self.labor("tk-ch6", 8.0, "2026-03-04"),
            self.newcomer_labor("tk-ch7", 8),
        )
        (veteran | newcomer)._job_apply()
        self.assertEqual((veteran.state, newcomer.state), ("done", "done"))
        verdicts = (veteran | newcomer)._assist_check_many()
        self.assertIn("this worker's days", verdicts[veteran].reason)
        self.assertIn("the company's worker-days", verdicts[newcomer].reason)
        # the same days in a chunk as alone
        self.assertEqual(verdicts[newcomer], newcomer._assist_check())
        held, fine = (
            self.newcomer_labor("tk-ch8", 13, "2026-03-03"),
            self.labor("tk-ch9", 8.0, "2026-03-05"),
        )
        (held | fine)._job_apply()
        self.assertEqual((held.state, fine.state), ("needs_review", "done"))
        self.assertIn("the company's worker-days", held.error_message)
