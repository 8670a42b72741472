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
