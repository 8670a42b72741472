import time
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SyncCase

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestSyncApiKey(HttpCase, SyncCase):
    """A bearer key is checked once per worker, and every change that makes
    it invalid still takes effect on the very next request."""

    def read_cost_codes(self, key):
        return self.opener.get(
            self.base_url() + API + "/cost-codes?limit=1",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    def test_a_removed_key_is_refused_on_the_next_request(self):
        key = self.new_api_key(self.service_user, "to revoke")
        self.assertEqual(self.read_cost_codes(key).status_code, 200)
        self.assertEqual(self.read_cost_codes(key).status_code, 200, "accepted again")
        self.env["res.users.apikeys"].sudo().search([("name", "=", "to revoke")])._remove()
        refused = self.read_cost_codes(key)
        self.assertEqual(refused.status_code, 401, refused.text)
        self.assertEqual(refused.json()["code"], "unauthorized")
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 200, "others still work")

    def test_a_key_is_refused_the_moment_it_expires(self):
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 200, "server warm")
        expires = fields.Datetime.now() + timedelta(seconds=5)
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.service_user)
            .sudo()
            ._generate(None, "short-lived", expires)
        )
        self.assertEqual(self.read_cost_codes(key).status_code, 200)
        time.sleep(max(0.0, (expires - fields.Datetime.now()).total_seconds()) + 1.1)
        self.assertEqual(self.read_cost_codes(key).status_code, 401)

    def test_an_archived_or_deleted_user_is_refused_on_the_next_request(self):
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 200)
        self.service_user.active = False
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 401)
        self.service_user.active = True
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 200)
        self.system.service_user_id = False
        self.service_user.unlink()
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 401)

    def test_a_wrong_key_sharing_the_first_characters_is_refused(self):
        self.assertEqual(self.read_cost_codes(self.api_key).status_code, 200)
        forged = self.api_key[:8] + "0" * (len(self.api_key) - 8)
        self.assertEqual(self.read_cost_codes(forged).status_code, 401)
        self.assertEqual(self.read_cost_codes(self.api_key[:-1]).status_code, 401)
