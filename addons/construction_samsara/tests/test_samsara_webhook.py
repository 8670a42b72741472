"""Samsara webhooks at the system's URL, signed as Samsara documents it
(developers.samsara.com/docs/webhooks: ``X-Samsara-Timestamp`` and
``X-Samsara-Signature: v1=<hex HMAC-SHA256 of "v1:<timestamp>:<raw body>">``
keyed by the base64-decoded secret key). Bodies from the Webhooks 1.0
reference (developers.samsara.com/docs/webhooks-v1-reference: ``eventId``,
``eventMs``, ``eventType`` ``Alert`` or ``Ping``, ``event``)."""

import base64
import json
import time

from odoo.tests import HttpCase, tagged

from ..lib import webhook
from .common import WEBHOOK_SECRET, SamsaraCase, SamsaraDouble

ALERT = {
    "eventId": "bf72239c-bebd-4c22-b64c-6fc692ef7c46",
    "eventMs": 1587597109477,
    "eventType": "Alert",
    "event": {
        "alertConditionId": "DeviceEngineOn",
        "alertConditionDescription": "Engine on",
        "details": "EX-320 engine turned on",
        "orgId": 20936,
        "resolved": False,
        "startMs": 1587597100000,
        "summary": "EX-320 engine on",
        "device": {"id": 281474977001, "name": "EX-320"},
    },
}
PING = {
    "eventId": "d2f1a2f4-8a65-4f0f-9d8e-5a6b4d0c1e11",
    "eventMs": 1587597109477,
    "eventType": "Ping",
}


@tagged("post_install", "-at_install")
class TestSamsaraWebhook(HttpCase, SamsaraCase):
    def post(self, document, secret=WEBHOOK_SECRET, timestamp=None, raw=None):
        body = raw if raw is not None else json.dumps(document).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": "application/json",
            webhook.TIMESTAMP_HEADER: str(timestamp),
            webhook.SIGNATURE_HEADER: webhook.sign(secret, timestamp, body),
        }
        return self.opener.post(
            self.base_url() + f"/construction/api/v1/webhooks/{self.samsara.webhook_uuid}",
            data=body,
            headers=headers,
            timeout=30,
        )

    def deliveries(self):
        return self.env["construction.sync.exchange"].search(
            [("system_id", "=", self.samsara.id), ("kind", "=", "webhook")]
        )

    def page_jobs(self):
        return self.jobs_of(self.pull, "_job_pull_page")

    def test_a_signed_alert_is_acknowledged_and_pulls_the_engine_hours(self):
        response = self.post(ALERT)
        self.assertEqual(response.status_code, 200, response.text)
        delivery = self.deliveries()
        self.assertEqual(
            (delivery.vendor_event, delivery.vendor_delivery), ("Alert", ALERT["eventId"])
        )
        self.assertEqual(self.pull.state, "running", "fetch after notify, in a queue job")
        self.assertEqual(len(self.page_jobs()), 1)
        self.assertFalse(self.samsara_events(), "an alert carries no engine hours itself")

    def test_a_ping_is_acknowledged_and_does_nothing_else(self):
        response = self.post(PING)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.deliveries().vendor_event, "Ping")
        self.assertFalse(self.page_jobs())

    def test_a_wrong_or_stale_signature_is_refused_and_nothing_is_written(self):
        other = base64.b64encode(b"another-webhook-key").decode()
        refused = self.post(ALERT, secret=other)
        self.assertEqual(refused.status_code, 401)
        self.assertEqual(refused.json()["code"], "invalid_signature")
        stale = self.post(ALERT, timestamp=int(time.time()) - 3600)
        self.assertEqual(stale.status_code, 401)
        self.assertEqual(stale.json()["code"], "stale_timestamp")
        unsigned = self.opener.post(
            self.base_url() + f"/construction/api/v1/webhooks/{self.samsara.webhook_uuid}",
            data=json.dumps(ALERT),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        self.assertEqual(unsigned.status_code, 401)
        self.assertFalse(self.deliveries())
        self.assertFalse(self.page_jobs())
        self.assertNotIn(WEBHOOK_SECRET, refused.text + stale.text + unsigned.text)

    def test_a_signed_body_that_is_not_a_samsara_event_waits_for_review(self):
        response = self.post({"hello": "world"})
        self.assertEqual(response.status_code, 200, "acknowledged, so Samsara does not retry")
        (kept,) = self.samsara_events("connector.unmapped")
        self.assertEqual((kept.state, kept.error_code), ("needs_review", "unmappable"))
        self.assertIn("eventType", kept.error_message)

    def test_registering_from_odoo_keeps_the_key_samsara_made(self):
        with SamsaraDouble() as double:
            self.connect(double)
            self.assertTrue(self.samsara.action_register_webhook())
            first = self.samsara.webhook_external_id
            self.assertEqual(double.webhooks[first]["url"], self.samsara.webhook_url)
            self.assertTrue(self.samsara.action_register_webhook(), "re-registered")
        second = self.samsara.webhook_external_id
        self.assertNotEqual(first, second)
        self.assertEqual(double.deleted_webhooks(), [first], "the old subscription is replaced")
        self.assertEqual(self.samsara.webhook_status, "registered")
        key = double.webhooks[second]["secretKey"]
        self.assertEqual(self.samsara.sudo().webhook_secret, key)
        self.assertEqual(self.post(PING, secret=key).status_code, 200)
        self.assertEqual(self.post(PING).status_code, 401, "the former secret no longer signs")
