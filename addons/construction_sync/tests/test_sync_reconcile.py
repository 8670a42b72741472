import json
from urllib.parse import parse_qs, urlparse

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldActualsCase, LocalServer


class TotalsServer(LocalServer):
    """Answers GET /totals with the ``(status, body)`` of each period."""

    def __init__(self, answers):
        self.answers = answers
        super().__init__(self.respond, "/api")

    def respond(self, request):
        url = urlparse(request.path)
        period = parse_qs(url.query).get("period", [""])[0]
        status, body = self.answers.get(period, (404, {}))
        return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@tagged("post_install", "-at_install")
class TestSyncReconcile(FieldActualsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Variance = cls.env["construction.sync.variance"]
        # Only this test's system is a system of record.
        cls.System.search([]).write({"reconcile_totals": False})
        cls.paving = cls.create_codes("32 12 16.13")
        for entry, hours, code, day in (
            ("R-1", 8, "31 23 16.26", "2026-03-10"),
            ("R-2", 4, "31 23 16.26", "2026-03-11"),
            ("R-3", 6, "32 12 16.13", "2026-03-12"),
            ("R-4", 5, "31 23 16.26", "2026-04-01"),
        ):
            cls.Line.create(
                {
                    "name": entry,
                    "date": day,
                    "employee_id": cls.employee.id,
                    "project_id": cls.project.id,
                    "unit_amount": hours,
                    cls.column: cls.CostCode.search([("code", "=", code)]).analytic_account_id.id,
                }
            )

    def setup_system(self, url):
        self.system.write({"base_url": url, "reconcile_totals": True})
        self.system.sudo().api_token = "totals-token"

    def test_totals_are_compared_per_project_and_cost_code(self):
        march = {
            "totals": [
                {"project": "JOB-100", "cost_code": "31 23 16.26", "hours": 14},
                {"project": "JOB-100", "cost_code": "321216.13", "hours": 6},
                {"project": "JOB-100", "cost_code": "31 23 16.26", "amount": 560},
                {"project": "JOB-404", "cost_code": "31 23 16.26", "hours": 1},
            ]
        }
        with TotalsServer({"2026-03": (200, march)}) as server:
            self.setup_system(server.url)
            self.assertEqual(self.Variance._cron_reconcile("2026-03"), 1)
        asked = [(r.path, r.headers["Authorization"]) for r in server.requests]
        self.assertEqual(asked, [("/api/totals?period=2026-03", "Bearer totals-token")])
        variances = self.Variance.search([("system_id", "=", self.system.id)], order="measure")
        self.assertEqual(len(variances), 2, "equal totals (6 h of paving) record nothing")
        cost, hours = variances
        self.assertEqual(
            (hours.cost_code_id, hours.measure, hours.state), (self.cost_code, "hours", "open")
        )
        self.assertEqual((hours.external_total, hours.odoo_total, hours.difference), (14, 12, 2))
        self.assertEqual((cost.external_total, cost.odoo_total, cost.difference), (560, 480, 80))
        self.assertEqual(hours.period, "2026-03")
        note = self.system.message_ids[:1]
        self.assertIn("JOB-404", note.body)

        # The missing time card arrives: the next run resolves the variance.
        self.Line.create(
            {
                "name": "R-5",
                "date": "2026-03-20",
                "employee_id": self.employee.id,
                "project_id": self.project.id,
                "unit_amount": 2,
                self.column: self.cost_code.analytic_account_id.id,
            }
        )
        with TotalsServer({"2026-03": (200, march)}) as server:
            self.system.base_url = server.url
            self.Variance._cron_reconcile("2026-03")
        self.assertEqual(variances.mapped("state"), ["resolved", "resolved"])
        self.assertEqual(hours.odoo_total, 14.0)
        self.assertEqual(self.Variance.search_count([("system_id", "=", self.system.id)]), 2)

    def test_a_system_that_cannot_be_read_is_noted_and_skipped(self):
        with TotalsServer({"2026-03": (503, {})}) as server:
            self.setup_system(server.url)
            self.Variance._cron_reconcile("2026-03")
        self.assertFalse(self.Variance.search([("system_id", "=", self.system.id)]))
        self.assertIn("could not be read", self.system.message_ids[:1].body)
        with TotalsServer({"2026-03": (200, {"rows": []})}) as server:
            self.system.base_url = server.url
            self.Variance._cron_reconcile("2026-03")
        self.assertIn("totals", self.system.message_ids[:1].body)

    def test_variances_follow_roles_and_companies(self):
        variance = self.Variance.create(
            {
                "system_id": self.system.id,
                "project_id": self.project.id,
                "cost_code_id": self.cost_code.id,
                "period": "2026-03",
                "measure": "hours",
                "external_total": 3,
            }
        )
        controller = self.users["controller"]
        self.assertEqual(self.Variance.with_user(controller).search([]), variance)
        variance.with_user(controller).action_resolve()
        self.assertEqual(variance.state, "resolved")
        with self.assertRaises(AccessError):
            variance.with_user(self.users["estimator"]).read(["difference"])
        with self.assertRaises(AccessError):
            variance.with_user(controller).unlink()
        other = self.System.create(
            {"name": "Other", "code": "other_rec", "company_id": self.other_company.id}
        )
        hidden = variance.copy({"system_id": other.id})
        self.assertNotIn(hidden, self.Variance.with_user(controller).search([]))
