import json
import time

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged

from ..lib import signature
from .common import LocalServer, SyncCase
from .test_sync_pipeline import JobRunnerMixin


class ScriptedReceiver(LocalServer):
    """Answers POSTs with a script of (status, headers), then 200."""

    def __init__(self, script):
        self.script = list(script)
        super().__init__(self.respond, "/hooks/odoo")

    def respond(self, request):
        status, headers = self.script.pop(0) if self.script else (200, {})
        return status, headers, b"{}"


@tagged("post_install", "-at_install")
class TestSyncOutbox(JobRunnerMixin, SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.changed_type = cls.env.ref("construction_sync.event_type_cost_code_changed")
        cls.Delivery = cls.env["construction.sync.delivery"]

    def subscribe(self, system, url, secret="out-secret"):
        system.write({"outbound_url": url, "outbound_event_type_ids": [(4, self.changed_type.id)]})
        system.sudo().outbound_secret = secret

    def deliveries(self, system):
        return self.Delivery.search([("system_id", "=", system.id)])

    def test_500_then_429_then_200_delivers_once_signed(self):
        with ScriptedReceiver([(500, {}), (429, {"Retry-After": "7"}), (200, {})]) as receiver:
            self.subscribe(self.system, receiver.url)
            code = self.CostCode.create({"code": "32 31 13", "name": "Chain Link Fences"})
            delivery = self.deliveries(self.system)
            self.assertEqual(len(delivery), 1)
            job = self.jobs_of(delivery, "_job_deliver")
            self.assertEqual(job.channel, "root.construction_outbound")

            first = self.run_job(job)
            self.assertIsInstance(first, RetryableJobError)
            self.assertTrue(5 <= first.seconds <= 10, "backoff with jitter")
            second = self.run_job(job)
            self.assertEqual(second.seconds, 7, "Retry-After is honoured")
            self.assertIsNone(self.run_job(job))

        self.assertEqual(
            (delivery.state, delivery.attempts, delivery.last_status), ("sent", 3, 200)
        )
        self.assertEqual(len(receiver.requests), 3)
        keys = {request.headers["Idempotency-Key"] for request in receiver.requests}
        self.assertEqual(keys, {delivery.idempotency_key}, "one idempotency key for every attempt")
        last = receiver.requests[-1]
        signature.verify(
            "out-secret",
            last.headers[signature.TIMESTAMP_HEADER],
            last.headers[signature.SIGNATURE_HEADER],
            signature.SignedRequest.from_url(
                "POST", last.path, last.body, last.headers["Idempotency-Key"]
            ),
            time.time(),
        )
        body = last.body
        sent = json.loads(body)
        self.assertEqual(sent["event_type"], "cost_code.changed")
        self.assertEqual(sent["payload"]["code"], "32 31 13")
        self.assertEqual(sent["payload"]["id"], code.id)

    def test_receiver_down_until_the_limit_is_dead_then_replayed(self):
        with ScriptedReceiver([(503, {})] * 3 + [(200, {})]) as receiver:
            self.subscribe(self.system, receiver.url)
            self.CostCode.create({"code": "32 31 13", "name": "Fences"})
            delivery = self.deliveries(self.system)
            job = self.jobs_of(delivery, "_job_deliver")
            self.run_job(job)
            self.run_job(job)
            self.assertIsNone(self.run_job(job))
            self.assertEqual(
                (delivery.state, delivery.attempts, delivery.last_status), ("dead", 3, 503)
            )
            self.assertEqual(delivery.activity_ids.user_id, self.owner)

            delivery.action_replay()
            self.assertEqual(delivery.state, "pending")
            replay_job = self.jobs_of(delivery, "_job_deliver") - job
            self.assertIsNone(self.run_job(replay_job))
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(len(receiver.requests), 4)

    def test_connection_refused_is_retried(self):
        with ScriptedReceiver([]) as receiver:
            url = receiver.url
        self.subscribe(self.system, url)
        self.CostCode.create({"code": "32 31 13", "name": "Fences"})
        delivery = self.deliveries(self.system)
        error = self.run_job(self.jobs_of(delivery, "_job_deliver"))
        self.assertIsInstance(error, RetryableJobError)
        self.assertEqual(delivery.state, "pending")

    def test_client_error_waits_for_review(self):
        with ScriptedReceiver([(422, {})]) as receiver:
            self.subscribe(self.system, receiver.url)
            self.CostCode.create({"code": "32 31 13", "name": "Fences"})
            delivery = self.deliveries(self.system)
            self.assertIsNone(self.run_job(self.jobs_of(delivery, "_job_deliver")))
        self.assertEqual((delivery.state, delivery.last_status), ("needs_review", 422))

    def test_changes_are_not_echoed_to_the_system_they_came_from(self):
        other = self.System.create({"name": "Accounting", "code": "acct_test"})
        self.subscribe(self.system, "http://127.0.0.1:9/origin")
        self.subscribe(other, "http://127.0.0.1:9/other")
        event = self.receive("echo-1", code="32 31 13", name="Fences")
        event._job_apply()
        self.assertEqual(event.state, "done")
        self.assertFalse(self.deliveries(self.system))
        self.assertEqual(len(self.deliveries(other)), 1)
        self.assertEqual(self.deliveries(other).correlation_id, event.correlation_id)

    def test_unrelated_writes_send_nothing(self):
        self.subscribe(self.system, "http://127.0.0.1:9/x")
        self.division_32.description = "Paving, site improvements"
        self.assertFalse(self.deliveries(self.system))
