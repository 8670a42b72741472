import json
import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..lib import signature
from .common import SyncCase

API = "/construction/api/v1"
SECRET = "whsec-replay-guard"


@tagged("post_install", "-at_install")
class TestSyncSignature(HttpCase, SyncCase):
    """A signature (v2) is good for one request: its method, path, query,
    Idempotency-Key and body, once, within its time window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.system.sudo().webhook_secret = SECRET
        cls.Spent = cls.env["construction.sync.signature"]

    def signed_headers(self, method, path_and_query, body=b"", key="", now=None, secret=SECRET):
        signed = signature.SignedRequest.from_url(method, API + path_and_query, body, key)
        headers = signature.signed_headers(secret, signed, now or time.time())
        if key:
            headers[signature.IDEMPOTENCY_HEADER] = key
        return headers

    def send(self, method, path_and_query, headers, body=None):
        headers = dict(headers, Authorization=f"Bearer {self.api_key}")
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.opener.request(
            method, self.base_url() + API + path_and_query, data=body, headers=headers, timeout=30
        )

    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["code"], code)
        return response.json()

    def count_events(self):
        return self.Event.search_count([("system_id", "=", self.system.id)])

    def test_a_captured_signed_request_cannot_be_sent_again(self):
        event = self.receive("seen-1")
        get_headers = self.signed_headers("GET", f"/events/{event.id}")
        self.assertEqual(self.send("GET", f"/events/{event.id}", get_headers).status_code, 200)
        self.assertProblem(
            self.send("GET", f"/events/{event.id}", get_headers), 401, "replayed_signature"
        )

        body = json.dumps(self.envelope("seen-2")).encode()
        post_headers = self.signed_headers("POST", "/events", body)
        self.assertEqual(self.send("POST", "/events", post_headers, body).status_code, 202)
        replay = self.send("POST", "/events", post_headers, body)
        problem = self.assertProblem(replay, 401, "replayed_signature")
        self.assertNotIn(SECRET, replay.text)
        self.assertIn("sign each request anew", problem["detail"])
        self.assertEqual(self.count_events(), 2, "the replay wrote nothing")
        spent = self.Spent.search([("system_id", "=", self.system.id)])
        self.assertEqual(len(spent), 2, "one spent signature per request that passed")
        self.assertEqual(
            set(spent.mapped("digest")),
            {
                get_headers[signature.SIGNATURE_HEADER][3:],
                post_headers[signature.SIGNATURE_HEADER][3:],
            },
        )

    def test_a_refused_request_spends_no_signature(self):
        """A request that failed wrote nothing, its signature neither: the
        platform's resend of it (same bytes) is judged again."""
        self.system.rate_limit = 1
        self.receive("limit-1")
        body = json.dumps(self.envelope("limit-2")).encode()
        headers = self.signed_headers("POST", "/events", body)
        self.assertProblem(self.send("POST", "/events", headers, body), 429, "rate_limited")
        self.assertFalse(self.Spent.search([("system_id", "=", self.system.id)]))
        self.system.rate_limit = 0
        self.assertEqual(self.send("POST", "/events", headers, body).status_code, 202)
        self.assertEqual(self.count_events(), 2)

    def test_a_signature_authorizes_only_its_own_method_path_query_and_key(self):
        mine = self.receive("mine-1")
        other = self.receive("mine-2")
        headers = self.signed_headers("GET", f"/events/{mine.id}")
        for method, path in (
            ("GET", f"/events/{other.id}"),
            ("GET", "/cost-codes"),
            ("POST", "/events"),
        ):
            with self.subTest(method=method, path=path):
                body = b"{}" if method == "POST" else None
                self.assertProblem(self.send(method, path, headers, body), 401, "invalid_signature")

        page = self.signed_headers("GET", "/cost-codes?limit=1")
        self.assertProblem(
            self.send("GET", "/cost-codes?limit=500", page), 401, "invalid_signature"
        )
        self.assertEqual(self.send("GET", "/cost-codes?limit=1", page).status_code, 200)

        # The Idempotency-Key header names the event when the body does not.
        envelope = self.envelope("unused")
        del envelope["idempotency_key"]
        body = json.dumps(envelope).encode()
        signed = self.signed_headers("POST", "/events", body, key="key-A")
        swapped = dict(signed, **{signature.IDEMPOTENCY_HEADER: "key-B"})
        self.assertProblem(self.send("POST", "/events", swapped, body), 401, "invalid_signature")
        self.assertEqual(self.count_events(), 2, "nothing written by the refused requests")
        self.assertFalse(self.Event.search([("idempotency_key", "in", ["key-A", "key-B"])]))
        self.assertEqual(self.send("POST", "/events", signed, body).status_code, 202)
        self.assertTrue(self.Event.search([("idempotency_key", "=", "key-A")]))

    def test_v1_is_refused_unless_an_administrator_accepts_it_for_a_transition(self):
        body = json.dumps(self.envelope("legacy-1")).encode()
        now = int(time.time())
        legacy = {
            signature.TIMESTAMP_HEADER: str(now),
            signature.SIGNATURE_HEADER: signature.sign_v1(SECRET, now, body),
        }
        problem = self.assertProblem(
            self.send("POST", "/events", legacy, body), 401, "invalid_signature"
        )
        self.assertIn("v1 signatures", problem["detail"])
        self.assertEqual(self.count_events(), 0)

        manager = self.system.with_user(self.owner)
        with self.assertRaises(AccessError):
            manager.write({"signature_v1_accepted": True})
        self.system.sudo().signature_v1_accepted = True
        self.assertEqual(self.send("POST", "/events", legacy, body).status_code, 202)
        self.assertProblem(self.send("POST", "/events", legacy, body), 401, "replayed_signature")

        # Turned off again, v1 is refused at once.
        self.system.sudo().signature_v1_accepted = False
        again = json.dumps(self.envelope("legacy-2")).encode()
        legacy = {
            signature.TIMESTAMP_HEADER: str(now),
            signature.SIGNATURE_HEADER: signature.sign_v1(SECRET, now, again),
        }
        self.assertProblem(self.send("POST", "/events", legacy, again), 401, "invalid_signature")
        self.assertEqual(self.count_events(), 1)

    def test_spent_signatures_are_forgotten_once_out_of_their_window(self):
        event = self.receive("window-1")
        now = time.time()
        for offset in (-250, 0):
            headers = self.signed_headers("GET", f"/events/{event.id}", now=now + offset)
            self.assertEqual(self.send("GET", f"/events/{event.id}", headers).status_code, 200)
        spent = self.Spent.search([("system_id", "=", self.system.id)], order="expires_at")
        self.assertEqual(len(spent), 2)
        self.assertAlmostEqual(
            spent[0].expires_at,
            fields.Datetime.now() + timedelta(seconds=signature.TOLERANCE_SECONDS - 250),
            delta=timedelta(seconds=5),
        )
        # A signature older than the window is stale before it is looked up.
        old = self.signed_headers("GET", f"/events/{event.id}", now=now - 301)
        self.assertProblem(self.send("GET", f"/events/{event.id}", old), 401, "stale_timestamp")
        spent[0].sudo().write({"expires_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.assertEqual(self.Spent._cron_purge_expired(), 1)
        self.assertEqual(self.Spent.search([("system_id", "=", self.system.id)]), spent[1])

    def test_the_signed_path_is_the_one_the_server_decodes(self):
        """A client may write a path or query with escapes of its own: the
        signature covers what they mean, not how they were written."""
        event = self.receive("escaped-1")
        headers = self.signed_headers("GET", f"/events/{event.id}")
        self.assertEqual(self.send("GET", f"/%65vents/{event.id}", headers).status_code, 200)
        query = self.signed_headers("GET", "/cost-codes?limit=2&offset=0")
        self.assertEqual(self.send("GET", "/cost-codes?offset=%30&limit=2", query).status_code, 200)
