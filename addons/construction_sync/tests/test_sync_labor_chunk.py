from datetime import date, timedelta

from odoo.tests import tagged

from .common import FieldActualsCase

T1 = "2026-03-10T17:00:00+00:00"


def day(index):
    """One work day per entry: a worker's day stays a normal one."""
    return (date(2026, 5, 1) + timedelta(days=index)).isoformat()


@tagged("post_install", "-at_install")
class TestSyncLaborChunk(FieldActualsCase):
    """A job's labor events are applied together: one query per lookup for
    the whole chunk, one create of timesheets, bindings and links; anything
    the chunk cannot take goes one by one and ends as it would alone."""

    def labor(self, entry, occurred_at=T1, key=None, **payload):
        payload = dict(
            {
                "source_entry_id": entry,
                "employee": "EMP-17",
                "project": "JOB-100",
                "task": "JOB-100-T1",
                "cost_code": "31 23 16.26",
                "work_date": "2026-03-10",
                "hours": 2,
            },
            **payload,
        )
        key = key or f"key-{entry}"
        return self.receive_event("labor.approved", key, occurred_at, payload, False)

    def test_a_chunk_of_new_entries_costs_the_queries_of_a_few(self):
        small = self.Event.browse(
            [self.labor(f"TC-S{i}", work_date=f"2026-04-{1 + i:02d}").id for i in range(5)]
        )
        large = self.Event.browse([self.labor(f"TC-L{i}", work_date=day(i)).id for i in range(40)])
        small_queries = self.apply_counting(small)
        large_queries = self.apply_counting(large)
        self.assertEqual(set((small | large).mapped("state")), {"done"})
        self.assertLess(
            large_queries,
            small_queries * 2,
            f"40 events cost {large_queries} queries, 5 cost {small_queries}",
        )
        for event in large:
            line = self.entry_lines(event._payload()["source_entry_id"])
            self.assertEqual(len(line), 1)
            self.assertEqual(
                (line.employee_id, line.task_id, line.unit_amount), (self.employee, self.task, 2)
            )
            self.assertEqual(line[self.column], self.cost_code.analytic_account_id)
            self.assertEqual(
                (event.link_ids.res_model, event.link_ids.res_id, event.link_ids.correlation_id),
                ("account.analytic.line", line.id, event.correlation_id),
            )
            self.assertEqual(event.attempts, 1)
            self.assertTrue(event.applied_at)
            self.assertEqual(
                event.latency_seconds, (event.applied_at - event.received_at).total_seconds()
            )
            binding = self.env["construction.sync.binding"].search(
                [
                    ("system_id", "=", self.system.id),
                    ("external_id", "=", line.construction_source_entry),
                ]
            )
            self.assertEqual(
                (
                    binding.res_model,
                    binding.res_id,
                    binding.company_id,
                    binding.sync_hash,
                    binding.source_occurred_at,
                ),
                (
                    "account.analytic.line",
                    line.id,
                    self.system.company_id,
                    event.payload_hash,
                    event.occurred_at,
                ),
            )
        self.assertEqual(self.task.effective_hours, 90.0, "45 entries of 2 h")
        # The chunk's bindings serve the entries' later corrections and resends.
        corrected = self.labor("TC-L0", "2026-03-11T09:00:00+00:00", "key-TC-L0-2", hours=3)
        resent = self.labor("TC-L1", key="key-TC-L1-again", work_date=day(1))
        (corrected | resent)._job_apply()
        self.assertEqual(self.entry_lines("TC-L0").mapped("unit_amount"), [2, -2, 3])
        self.assertEqual(len(self.entry_lines("TC-L1")), 1)
        self.assertEqual(set((corrected | resent).mapped("state")), {"done"})

    def test_what_a_chunk_cannot_take_ends_as_it_would_alone(self):
        self.labor("TC-OLD", hours=4)._job_apply()
        self.company.fiscalyear_lock_date = "2025-06-30"
        events = (
            self.labor("TC-N1", work_date="2026-03-12")
            | self.labor("TC-OLD", "2026-03-11T09:00:00+00:00", "key-TC-OLD-2", hours=6)
            | self.labor("TC-N2", employee="EMP-UNKNOWN")
            | self.labor("TC-N3", work_date="2025-06-15")
            | self.labor("TC-TWICE", hours=3)
            | self.labor("TC-N4", work_date="2026-03-13")
        )
        twice = self.receive_event(
            "labor.approved",
            "key-TC-TWICE-2",
            "2026-03-11T10:00:00+00:00",
            dict(events[4]._payload(), hours=5),
            False,
        )
        (events | twice)._job_apply()
        outcome = [(event.state, event.error_code) for event in events | twice]
        self.assertEqual(
            outcome,
            [
                ("done", False),
                ("done", False),
                ("needs_review", "unknown_reference"),
                ("needs_review", "business_rule"),
                ("done", False),
                ("done", False),
                ("done", False),
            ],
        )
        self.assertIn("EMP-UNKNOWN", events[2].error_message)
        self.assertIn("locked accounting period", events[3].error_message)
        old = self.entry_lines("TC-OLD")
        self.assertEqual(old.mapped("unit_amount"), [4, -4, 6], "corrected: reversed, replaced")
        self.assertEqual(sum(self.entry_lines("TC-TWICE").mapped("unit_amount")), 5)
        self.assertFalse(self.entry_lines("TC-N2") | self.entry_lines("TC-N3"))
        self.assertEqual(len(self.entry_lines("TC-N1") | self.entry_lines("TC-N4")), 2)

    def test_events_applied_again_change_nothing(self):
        events = self.labor("TC-R1") | self.labor("TC-R2", work_date="2026-03-11")
        events._job_apply()
        events._job_apply()
        self.assertEqual(len(self.entry_lines("TC-R1") | self.entry_lines("TC-R2")), 2)
        self.assertEqual(len(events.link_ids), 2)

    def test_a_chunk_costs_each_timesheet_as_alone(self):
        alone = self.labor("TC-C0", pay_class="overtime", work_date="2026-06-01")
        alone._job_apply()
        chunk = self.Event.browse(
            [
                self.labor(f"TC-C{i}", pay_class=pay_class, hours=hours, work_date=day(40 + i)).id
                for i, (pay_class, hours) in enumerate(
                    [("overtime", 2), ("regular", 2), ("double", 3), ("regular", 1.5)], start=1
                )
            ]
        )
        chunk._job_apply()
        self.assertEqual(set(chunk.mapped("state")), {"done"})
        amounts = [self.entry_lines(f"TC-C{i}").amount for i in range(5)]
        # 40.0 an hour: overtime 1.5 times, double time twice
        self.assertEqual(amounts, [-120.0, -120.0, -80.0, -240.0, -60.0])
