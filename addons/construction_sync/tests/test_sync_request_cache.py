import json
import time

from odoo.tests import HttpCase, tagged

from ..lib import signature
from .common import SyncCase

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestSyncRequestCache(HttpCase, SyncCase):
    """What every request reads of its system and event type is kept by
    each worker, so that a request costs no query for it; every change an
    administrator makes to it still takes effect on the very next request."""

    def post(self, key, headers=None):
        body = json.dumps(self.envelope(key)).encode()
        headers = dict(
            headers or {},
            **{"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        return self.opener.post(self.base_url() + API + "/events", data=body, headers=headers)

    def signed(self, key, secret):
        body = json.dumps(self.envelope(key)).encode()
        signed = signature.SignedRequest.from_url("POST", API + "/events", body, "")
        return self.post(key, signature.signed_headers(secret, signed, time.time()))

    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.json()["code"], code)

    def received(self, key):
        return self.Event.sudo().search([("idempotency_key", "=", key)])

    def test_a_new_secret_is_required_from_the_next_request(self):
        self.assertEqual(self.post("before-secret").status_code, 202)
        self.system.sudo().webhook_secret = "whsec-first"
        self.assertProblem(self.post("unsigned"), 401, "invalid_signature")
        self.assertEqual(self.signed("signed-first", "whsec-first").status_code, 202)
        self.system.sudo().webhook_secret = "whsec-rotated"
        self.assertProblem(self.signed("old-secret", "whsec-first"), 401, "invalid_signature")
        self.assertEqual(self.signed("signed-rotated", "whsec-rotated").status_code, 202)
        self.assertFalse(self.received("unsigned") | self.received("old-secret"))

    def test_a_service_user_moved_to_another_system_posts_as_that_system(self):
        self.assertEqual(self.post("as-bidmaster").status_code, 202)
        other = self.System.create(
            {"name": "QuoteDesk", "code": "quotedesk_test", "kind": "estimating"}
        )
        self.system.service_user_id = False
        other.service_user_id = self.service_user
        self.assertEqual(self.post("as-quotedesk").status_code, 202)
        self.assertEqual(self.received("as-bidmaster").system_id, self.system)
        self.assertEqual(self.received("as-quotedesk").system_id, other)
        self.assertEqual(self.received("as-quotedesk").company_id, other.company_id)

    def test_an_archived_or_moved_system_is_refused_at_once(self):
        self.assertEqual(self.post("while-active").status_code, 202)
        self.system.company_id = self.other_company
        self.assertProblem(self.post("other-company"), 403, "forbidden")
        self.system.company_id = self.company
        self.assertEqual(self.post("back-home").status_code, 202)
        self.system.active = False
        self.assertProblem(self.post("archived"), 403, "no_system")
        self.assertFalse(self.received("other-company") | self.received("archived"))
