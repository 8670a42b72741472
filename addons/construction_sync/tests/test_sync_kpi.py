import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldActualsCase


@tagged("post_install", "-at_install")
class TestSyncKpi(FieldActualsCase):
    def labor(self, key, occurred_at, **payload):
        payload = dict(
            {
                "source_entry_id": f"K-{key}",
                "employee": "EMP-17",
                "project": "JOB-100",
                "work_date": "2026-03-10",
                "hours": 8,
            },
            **payload,
        )
        return self.receive_event("labor.approved", key, occurred_at, payload, enqueue=False)

    def kpi(self, project):
        self.env.flush_all()
        return self.env["construction.sync.kpi"].search([("project_id", "=", project.id)])

    def test_business_figures_per_project(self):
        now = fields.Datetime.now()
        recent = (now - timedelta(hours=1)).isoformat() + "+00:00"
        old = (now - timedelta(days=2)).isoformat() + "+00:00"
        self.labor("k-1", recent, hours=8)
        self.labor("k-2", old, hours=3.5)
        review = self.labor("k-3", recent, hours=2, employee="EMP-404")
        applied = self.labor("k-4", recent, hours=6)
        (review | applied)._job_apply()
        self.assertEqual((review.state, applied.state), ("needs_review", "done"))
        self.labor("k-5", old, project="JOB-UNBOUND", hours=1)
        self.receive_event(
            "equipment.usage.recorded",
            "k-6",
            recent,
            {
                "source_entry_id": "K-k-6",
                "equipment": "EQ-UNKNOWN",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "date": "2026-03-10",
                "hours": 4,
            },
            enqueue=False,
        )._job_apply()
        self.env["construction.sync.variance"].create(
            {
                "system_id": self.system.id,
                "project_id": self.project.id,
                "cost_code_id": self.cost_code.id,
                "period": "2026-03",
                "measure": "amount",
                "external_total": 100,
                "odoo_total": 160,
            }
        )
        kpi = self.kpi(self.project)
        self.assertEqual(len(kpi), 1)
        self.assertEqual(kpi.unposted_labor_hours, 13.5, "8 + 3.5 queued, 2 in review")
        self.assertEqual(kpi.review_count, 2, "the labor and the unknown equipment")
        self.assertEqual(kpi.unmatched_equipment_count, 1)
        self.assertEqual(kpi.delayed_actuals, 1)
        self.assertEqual((kpi.open_variance_count, kpi.open_variance_amount), (1, 60.0))
        unbound = self.env["construction.sync.kpi"].search(
            [("project_id", "=", False), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(unbound.unposted_labor_hours, 1.0)

        self.assertTrue(self.kpi(self.project).with_user(self.users["controller"]).read())
        with self.assertRaises(AccessError):
            self.kpi(self.project).with_user(self.users["estimator"]).read()

    def test_the_cards_draw_field_actuals_per_day_and_what_waits(self):
        now = fields.Datetime.now()
        today = fields.Date.context_today(self.env["construction.sync.kpi"])
        for key, days_ago in (("g-1", 0), ("g-2", 0), ("g-3", 2), ("g-4", 20)):
            moment = now - timedelta(days=days_ago)
            self.labor(key, moment.isoformat() + "+00:00", hours=1)
        self.labor("g-5", now.isoformat() + "+00:00", employee="EMP-404")._job_apply()

        kpi = self.kpi(self.project)
        actuals = json.loads(kpi.actuals_graph)[0]["values"]
        self.assertEqual(len(actuals), 14, "two weeks, one point a day")
        self.assertEqual(actuals[-1], {"x": today.strftime("%d %b"), "y": 3})
        by_day = {point["x"]: point["y"] for point in actuals}
        self.assertEqual(by_day[(today - timedelta(days=1)).strftime("%d %b")], 0)
        self.assertEqual(by_day[(today - timedelta(days=2)).strftime("%d %b")], 1)
        self.assertEqual(sum(by_day.values()), 4, "the event of 20 days ago is outside the graph")
        waiting = json.loads(kpi.waiting_graph)[0]["values"]
        self.assertEqual(
            [(bar["label"], bar["value"]) for bar in waiting],
            [("To review", 1), ("Equipment", 0), ("Delayed", 2), ("Variances", 0)],
        )
