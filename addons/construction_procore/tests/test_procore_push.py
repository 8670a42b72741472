import time

from odoo.tests import tagged

from .common import PROJECT, ProcoreCase


@tagged("post_install", "-at_install")
class TestProcorePush(ProcoreCase):
    """Cost codes changed here are pushed to the cost code list of each
    project bound to Procore ("Create / Update Cost Code"), found again by
    ``origin_id``; a 429 ("Rate Limiting") is retried as Procore says."""

    def push_jobs(self):
        return self.env["queue.job"].search(
            [("method_name", "=", "_job_procore_push_cost_codes"), ("state", "=", "pending")]
        )

    def test_cost_code_change_is_pushed_once_through_a_429(self):
        # "Rate Limiting": X-Rate-Limit-Reset is the Unix time the window resets
        reset = str(int(time.time()) + 9)
        self.double.faults.append(
            ("POST", "/rest/v1.0/cost_codes", 429, {"X-Rate-Limit-Reset": reset}, False)
        )
        code = self.create_codes("03 31 13.21")
        self.assertEqual(len(self.push_jobs()), 1)

        retries = self.run_jobs()

        self.assertEqual(len(retries), 1)
        self.assertIn(retries[0].seconds, (8, 9), "X-Rate-Limit-Reset honoured")
        self.assertEqual(len(self.double.requests_to("POST", "/rest/v1.0/cost_codes")), 2)
        (pushed,) = self.double.cost_codes
        self.assertEqual(
            (pushed["code"], pushed["name"], pushed["origin_id"], pushed["project_id"]),
            ("03 31 13.21", "Cost code 03 31 13.21", str(code.id), int(PROJECT)),
        )

        # renamed: the same code at Procore changes
        code.name = "Reinforcement Bars"
        self.run_jobs()
        self.assertEqual(len(self.double.cost_codes), 1)
        self.assertEqual(self.double.cost_codes[0]["name"], "Reinforcement Bars")
        self.assertEqual(len(self.double.requests_to("PATCH", "/rest/v1.0/cost_codes/")), 1)

    def test_an_answer_lost_after_procore_created_the_code_never_doubles_it(self):
        # Procore creates the code but its answer is lost (503)
        self.double.faults.append(
            ("POST", "/rest/v1.0/cost_codes", 503, {"Retry-After": "3"}, True)
        )
        code = self.create_codes("03 31 13.22")
        retries = self.run_jobs()
        self.assertEqual([retry.seconds for retry in retries], [3])
        self.assertEqual(len(self.double.cost_codes), 1, "found by origin_id, never doubled")
        self.assertEqual(self.double.cost_codes[0]["origin_id"], str(code.id))

    def test_token_is_asked_once_and_again_before_it_expires(self):
        self.double.token_lifetime = 7200
        self.create_codes("03 31 13.23")
        self.run_jobs()
        self.create_codes("03 31 13.24")
        self.run_jobs()
        self.assertEqual(len(self.double.requests_to("POST", "/oauth/token")), 1)
        expires = self.system.sudo().procore_token_expires_at
        # within five minutes of its expiry the token is renewed first
        self.system.sudo().procore_token_expires_at = expires.replace(year=2000)
        self.create_codes("03 31 13.25")
        self.run_jobs()
        self.assertEqual(len(self.double.requests_to("POST", "/oauth/token")), 2)
        self.assertEqual(len(self.double.cost_codes), 3)

    def test_credentials_stay_out_of_the_form_chatter_and_job_results(self):
        self.create_codes("03 31 13.26")
        self.run_jobs()
        token = self.system.sudo().procore_access_token
        self.assertTrue(token)
        sync_manager = self.system.with_user(self.users["sync_manager"])
        self.assertNotIn("procore_access_token", sync_manager.fields_get())
        self.assertNotIn("api_token", sync_manager.fields_get())
        job = self.env["queue.job"].search(
            [("method_name", "=", "_job_procore_push_cost_codes")], limit=1
        )
        for text in (
            job.result or "",
            job.exc_info or "",
            " ".join(self.system.message_ids.mapped("body")),
        ):
            for secret in (token, "procore-client-secret-8c42"):
                self.assertNotIn(secret, text)

    def test_login_address_changed_by_a_sync_manager_forgets_the_secret(self):
        self.system.with_user(
            self.users["sync_manager"]
        ).procore_login_url = "https://login.example.com"
        self.assertFalse(self.system.sudo().api_token)
        self.assertFalse(self.system.sudo().procore_access_token)

    def test_job_cost_is_one_direct_cost_per_project_and_month_never_doubled(self):
        self.env["account.analytic.line"].create(
            [
                {
                    "name": "Formwork crew",
                    "project_id": self.project.id,
                    "employee_id": self.employee.id,
                    "unit_amount": 8.0,
                    "date": "2026-11-12",
                    self.column: self.concrete.analytic_account_id.id,
                },
                {
                    "name": "Concrete pump, vendor bill",
                    "account_id": self.project.account_id.id,
                    "amount": -1200.0,
                    "date": "2026-11-20",
                    self.column: self.concrete.analytic_account_id.id,
                },
            ]
        )
        reset = str(int(time.time()) + 4)
        self.double.faults.append(
            ("POST", "/rest/v1.1/projects/", 429, {"X-Rate-Limit-Reset": reset}, False)
        )
        self.System._cron_procore_push_job_cost()
        retries = self.run_jobs()
        self.assertEqual(len(retries), 1, "the 429 is waited out")

        (cost,) = self.double.direct_costs
        (code,) = self.double.cost_codes
        self.assertEqual(code["origin_id"], str(self.concrete.id), "the code is pushed first")
        self.assertEqual(
            (cost["project_id"], cost["origin_id"], cost["direct_cost_date"]),
            (int(PROJECT), f"odoo-job-cost:{self.project.id}:2026-11", "2026-11-30"),
        )
        self.assertEqual(
            [(line["cost_code_id"], line["amount"]) for line in cost["line_items"]],
            [(code["id"], "1520.00")],
            "8 h at 40 and the 1,200 bill",
        )

        # pushed again with nothing new: left as it is
        self.double.requests.clear()
        self.System._cron_procore_push_job_cost()
        self.run_jobs()
        self.assertFalse(self.double.requests_to("POST", "/rest/v1.1/"))
        self.assertFalse(self.double.requests_to("PATCH", "/rest/v1.1/"))

        # more cost in the month: the same direct cost changes
        self.env["account.analytic.line"].create(
            {
                "name": "Form ties",
                "account_id": self.project.account_id.id,
                "amount": -80.0,
                "date": "2026-11-21",
                self.column: self.concrete.analytic_account_id.id,
            }
        )
        self.System._cron_procore_push_job_cost()
        self.run_jobs()
        self.assertEqual(len(self.double.direct_costs), 1)
        self.assertEqual(self.double.direct_costs[0]["line_items"][0]["amount"], "1600.00")
