from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import AssistCase


@tagged("post_install", "-at_install")
class TestTriage(AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.john = cls.env["hr.employee"].create(
            {
                "name": "John Doe",
                "identification_id": "EMP-042",
                "hourly_cost": 35.0,
                "company_id": cls.company.id,
            }
        )
        cls.env["hr.employee"].create(
            {"name": "Jane Dodd", "hourly_cost": 35.0, "company_id": cls.company.id}
        )

    def labor(self, key, employee="J. Doe / EMP-042"):
        return self.receive_event(
            "labor.approved",
            key,
            "2026-03-10T17:00:00+00:00",
            {
                "source_entry_id": key,
                "employee": employee,
                "project": "JOB-100",
                "work_date": "2026-03-10",
                "hours": 2,
            },
            enqueue=False,
        )

    def test_the_fix_applied_to_a_group_of_five_events_replays_all_five(self):
        events = self.Event.browse()
        for n in range(5):
            events |= self.labor(f"tk-tr{n}")
        odd = self.labor("tk-tr9", employee="Somebody Else")
        (events | odd)._job_apply()
        self.assertEqual(set(events.mapped("state")), {"needs_review"})
        manager = self.users["sync_manager"]
        Triage = self.env["construction.assist.triage"].with_user(manager)
        groups = Triage.browse(Triage.action_open()["domain"][0][2])
        group = groups.filtered(lambda g: g.reference == "J. Doe / EMP-042")
        self.assertEqual(group.event_ids, events, "one cause, one group of five")
        self.assertEqual(group.pointer, "/payload/employee")
        self.assertEqual(group.fix_record, self.john)
        self.assertEqual(group.reason, "code EMP-042")
        self.assertIn(odd, (groups - group).event_ids, "another cause, another group")
        with trap_jobs() as trap:
            group.action_apply()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(
            self.Line.search([("construction_source_entry", "like", "tk-tr")]).employee_id,
            self.john,
        )
        self.assertEqual(odd.state, "needs_review", "only the group is replayed")
        fix = self.Decision.search([("kind", "=", "fix")])
        self.assertEqual((fix.state, fix.decided_by_id), ("accepted", manager))

    def test_a_name_alone_is_matched_to_the_employee(self):
        self.labor("tk-tr20", employee="J. Doe")._job_apply()
        Triage = self.env["construction.assist.triage"]
        group = Triage.browse(Triage.action_open()["domain"][0][2]).filtered(
            lambda g: g.reference == "J. Doe"
        )
        self.assertEqual(group.fix_record, self.john)
        self.assertTrue(group.reason.startswith("name like"))

    def test_a_review_goes_to_whoever_fixed_the_most_similar_ones(self):
        first = self.labor("tk-rt1", employee="Ghost 1")
        first._job_apply()
        self.assertEqual(first.assist_assignee_id, self.owner, "nobody fixed one yet: the owner")
        fixer = self.users["administrator"]
        first.with_user(fixer).payload = first.payload.replace("Ghost 1", "EMP-17")
        with trap_jobs() as trap:
            first.with_user(fixer).action_replay()
            trap.perform_enqueued_jobs()
        self.assertEqual((first.state, first.assist_fixed_by_id), ("done", fixer))
        second = self.labor("tk-rt2", employee="Ghost 2")
        second._job_apply()
        self.assertEqual(second.assist_assignee_id, fixer)
