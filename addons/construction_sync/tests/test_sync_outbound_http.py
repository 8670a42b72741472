import json
import socket
import ssl
import tempfile
import traceback
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..lib import http_client
from .common import LocalServer, SyncCase
from .test_sync_pipeline import JobRunnerMixin

ALLOWED = "construction_sync.outbound_allowed_hosts"


class Receiver(LocalServer):
    """Answers every request with ``(status, headers, body)``."""

    def __init__(self, status=200, headers=None, body=b"{}"):
        self.answer = (status, headers or {}, body)
        super().__init__(lambda request: self.answer, "/hooks/odoo")


def loopback_name(url):
    """``url`` with its address written as a name that resolves to it."""
    return url.replace("127.0.0.1", "localhost")


@tagged("post_install", "-at_install")
class TestSyncOutboundHttp(JobRunnerMixin, SyncCase):
    """Outbound calls reach public addresses only (and what an administrator
    listed), follow no redirect, read a bounded answer and keep a bounded
    excerpt of it; deliveries stay within the company and never wait for
    ever."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.changed_type = cls.env.ref("construction_sync.event_type_cost_code_changed")
        cls.Delivery = cls.env["construction.sync.delivery"]
        cls.parameters = cls.env["ir.config_parameter"]

    def subscribe(self, system, url):
        system.write({"outbound_url": url, "outbound_event_type_ids": [(4, self.changed_type.id)]})

    def deliveries(self, system):
        return self.Delivery.search([("system_id", "=", system.id)])

    def deliver(self, system):
        """Run the delivery job of ``system``'s one delivery; the delivery."""
        delivery = self.deliveries(system)
        self.assertEqual(len(delivery), 1)
        self.run_job(self.jobs_of(delivery, "_job_deliver"))
        return delivery

    # ------------------------------------------------------------------
    # Where outbound calls may go
    # ------------------------------------------------------------------

    def test_a_sync_manager_cannot_point_a_system_inside_the_network(self):
        manager_view = self.system.with_user(self.owner)
        manager_view.write({"outbound_url": "https://hooks.bidmaster.example/odoo"})
        for field, url in (
            ("outbound_url", "http://169.254.169.254/latest/meta-data/iam/"),
            ("outbound_url", "http://10.0.0.8:5432/"),
            ("base_url", "http://[::1]:8069/web"),
            ("base_url", "http://0x7f000002/"),
            ("base_url", "http://admin:hunter2@api.example.com/"),
            ("outbound_url", "file:///etc/passwd"),
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError) as caught:
                manager_view.write({field: url})
            self.assertNotIn("hunter2", str(caught.exception))
        self.assertEqual(
            (self.system.outbound_url, self.system.base_url),
            ("https://hooks.bidmaster.example/odoo", False),
        )
        # The list of hosts inside the network is the administrator's.
        with self.assertRaises(AccessError):
            self.parameters.with_user(self.owner).set_param(ALLOWED, "10.0.0.0/8")
        self.parameters.set_param(ALLOWED, "127.0.0.1, 10.0.0.0/8")
        manager_view.write({"outbound_url": "http://10.0.0.8:8080/hooks"})
        self.assertEqual(self.system.outbound_url, "http://10.0.0.8:8080/hooks")

    def test_a_delivery_to_a_name_inside_the_network_is_dead_and_never_sent(self):
        """A name is checked at each call with every address it resolves
        to: ``localhost`` is not written as an address, but is one."""
        self.parameters.set_param(ALLOWED, "")
        with Receiver() as receiver:
            url = loopback_name(receiver.url)
            self.subscribe(self.system, url)
            self.create_codes("32 31 13")
            delivery = self.deliver(self.system)
            self.assertEqual((delivery.state, delivery.attempts), ("dead", 1))
            self.assertIn("not a public address", delivery.last_error)
            self.assertEqual(delivery.activity_ids.user_id, self.owner)
            self.assertIn("not a public address", delivery.activity_ids.note)
            self.assertEqual(receiver.requests, [], "nothing reached the address")

            # An administrator lists the host; the owner replays.
            self.parameters.set_param(ALLOWED, "localhost")
            delivery.with_user(self.owner).action_replay()
            self.assertEqual(delivery.state, "pending")
            self.assertFalse(delivery.activity_ids)
            replay = self.jobs_of(delivery, "_job_deliver").filtered(
                lambda job: job.state == "pending"
            )
            self.assertIsNone(self.run_job(replay))
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(len(receiver.requests), 1)
        self.assertEqual(receiver.requests[0].headers["Host"], url.split("/")[2])

    def test_the_connection_goes_to_the_address_that_was_checked(self):
        """The name is resolved once, by the check; the connection goes to
        that address and the name travels only in the Host header, so a
        second DNS answer (rebinding) has nothing to redirect."""
        with Receiver(body=b'{"ok": true}') as receiver:
            port = receiver.server.server_address[1]
            resolved = []

            def dns(host, port, *_options):
                resolved.append(host)
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

            allowed = http_client.AllowList.parse("127.0.0.1")
            url = f"http://hooks.partner.invalid:{port}/hooks/odoo"
            answer = http_client.request("GET", url, allowed=allowed, getaddrinfo=dns)
            self.assertEqual((answer.status, answer.json()), (200, {"ok": True}))
            self.assertEqual(resolved, ["hooks.partner.invalid"])
            self.assertEqual(receiver.requests[0].headers["Host"], f"hooks.partner.invalid:{port}")

            def rebinding(host, port, *_options):
                return [
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                ]

            with self.assertRaises(http_client.OutboundError) as caught:
                http_client.request("GET", url, getaddrinfo=rebinding)
            self.assertEqual(caught.exception.code, "blocked_address")
        self.assertEqual(len(receiver.requests), 1)

    def test_a_system_call_sends_json_within_its_timeout_and_reads_any_header_case(self):
        """What connectors get from ``_http_request``."""
        with Receiver(429, {"Retry-After": "7"}, b'{"error": "slow down"}') as receiver:
            self.system.timeout = 3
            answer = self.system._http_request("POST", receiver.url, json={"page": 2})
        request = receiver.requests[0]
        self.assertEqual(json.loads(request.body), {"page": 2})
        self.assertEqual(request.headers["Content-Type"], "application/json")
        self.assertEqual((answer.status, answer.header("retry-after")), (429, "7"))
        self.assertEqual(answer.headers["RETRY-AFTER"], "7")
        with self.assertRaises(http_client.OutboundError) as caught:
            answer.raise_for_status()
        self.assertEqual((caught.exception.code, caught.exception.status), ("http_status", 429))
        self.assertTrue(caught.exception.transient)
        self.assertIn("slow down", str(caught.exception))

    def test_https_to_the_checked_address_still_checks_the_certificate_of_the_name(self):
        """Connecting to an address does not weaken TLS: the name goes in
        SNI and the certificate must be one a public authority signed for
        it, so a self-signed one is refused before anything is sent."""
        host = "hooks.partner.invalid"
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256())
        )
        with tempfile.TemporaryDirectory() as folder:
            cert_file, key_file = f"{folder}/cert.pem", f"{folder}/key.pem"
            with open(cert_file, "wb") as handle:
                handle.write(certificate.public_bytes(serialization.Encoding.PEM))
            with open(key_file, "wb") as handle:
                handle.write(
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                )
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_file, key_file)
        receiver = Receiver()
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
        port = receiver.server.server_address[1]

        def dns(host, port, *_options):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

        with receiver, self.assertRaises(http_client.OutboundError) as caught:
            http_client.request(
                "POST",
                f"https://{host}:{port}/hooks/odoo",
                body=b"{}",
                allowed=http_client.AllowList.parse("127.0.0.1"),
                getaddrinfo=dns,
            )
        self.assertEqual(caught.exception.code, "connection_failed")
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(caught.exception))
        self.assertEqual(receiver.requests, [])

    def test_redirects_are_not_followed(self):
        with Receiver(302, {"Location": "/hooks/elsewhere"}) as receiver:
            receiver.answer = (302, {"Location": receiver.url + "/elsewhere"}, b"")
            self.subscribe(self.system, receiver.url)
            self.create_codes("32 31 13")
            delivery = self.deliver(self.system)
        self.assertEqual((delivery.state, delivery.last_status), ("needs_review", 302))
        self.assertIn("redirect", delivery.last_error)
        self.assertEqual([request.path for request in receiver.requests], ["/hooks/odoo"])

    def test_an_answer_is_read_up_to_a_cap_and_kept_as_a_short_printable_excerpt(self):
        hostile = b"\x00\x1b[2J<script>" + b"A" * (4 * 1024 * 1024)
        with Receiver(422, {"Content-Type": "text/html"}, hostile) as receiver:
            self.subscribe(self.system, receiver.url)
            self.create_codes("32 31 13")
            delivery = self.deliver(self.system)
            answer = http_client.request(
                "GET",
                receiver.url,
                max_bytes=1000,
                allowed=http_client.AllowList.parse("127.0.0.1"),
            )
        self.assertEqual((delivery.state, delivery.last_status), ("needs_review", 422))
        self.assertLess(len(delivery.last_error), 600)
        self.assertNotIn("\x00", delivery.last_error)
        self.assertNotIn("\x1b", delivery.last_error)
        self.assertEqual((len(answer.body), answer.complete), (1000, False))
        with self.assertRaises(http_client.OutboundError) as caught:
            answer.json()
        self.assertEqual(caught.exception.code, "response_too_large")

    def test_reconciliation_sends_no_credentials_inside_the_network_and_reads_a_bounded_answer(
        self,
    ):
        self.parameters.set_param(ALLOWED, "")
        self.system.sudo().api_token = "totals-token"
        Variance = self.env["construction.sync.variance"]
        self.System.search([]).write({"reconcile_totals": False})
        with Receiver(body=json.dumps({"totals": []}).encode()) as receiver:
            self.system.write({"base_url": loopback_name(receiver.url), "reconcile_totals": True})
            Variance._cron_reconcile("2026-03")
            self.assertEqual(receiver.requests, [], "the token went nowhere")
            self.assertIn("not a public address", self.system.message_ids[0].body)

            # Listed, a system whose answer is larger than a megabyte is
            # read no further and its totals are not used.
            self.parameters.set_param(ALLOWED, "localhost")
            huge = {"totals": [{"project": "JOB-100", "cost_code": "31 23 16.26", "hours": 1}]}
            huge["padding"] = "x" * (2 * 1024 * 1024)
            receiver.answer = (200, {"Content-Type": "application/json"}, json.dumps(huge).encode())
            Variance._cron_reconcile("2026-03")
            self.assertEqual(len(receiver.requests), 1)
            self.assertEqual(receiver.requests[0].headers["Authorization"], "Bearer totals-token")
            self.assertIn("larger than", self.system.message_ids[0].body)
            self.assertFalse(Variance.search([("system_id", "=", self.system.id)]))

            receiver.answer = (500, {}, b"\x00Internal error " + b"e" * 100000)
            Variance._cron_reconcile("2026-03")
            message = self.system.message_ids[0].body
            self.assertIn("answered 500", message)
            self.assertLess(len(message), 800)
            self.assertNotIn("totals-token", message)

    # ------------------------------------------------------------------
    # Who receives a change
    # ------------------------------------------------------------------

    def test_a_cost_code_change_goes_only_to_the_systems_that_may_read_it(self):
        theirs = self.System.create(
            {"name": "Northside ERP", "code": "northside_erp", "company_id": self.other_company.id}
        )
        ours = self.System.create({"name": "Our ERP", "code": "our_erp"})
        for system in (self.system, theirs, ours):
            self.subscribe(system, f"http://127.0.0.1:9/{system.code}")

        # A platform of this company creates a code through the event API:
        # it is told to this company's other systems, never to another's.
        event = self.receive("scope-1", code="32 31 13", name="Chain Link Fences")
        event._job_apply()
        self.assertEqual(event.state, "done")
        self.assertEqual(len(self.deliveries(ours)), 1)
        self.assertFalse(self.deliveries(theirs), "another company's system heard nothing")
        self.assertFalse(self.deliveries(self.system), "nor the system it came from")

        self.create_codes("32 31 23", company_id=self.other_company.id)
        self.assertEqual(len(self.deliveries(theirs)), 1)
        self.assertEqual(len(self.deliveries(ours)), 1)
        self.assertNotIn("32 31 13", self.deliveries(theirs).payload)

        # A shared code is every company's: each company's systems read it
        # (GET /cost-codes lists it to their platforms), so each hears of it.
        self.create_codes("32 31 33", company_id=False)
        for system in (self.system, theirs, ours):
            shared = self.deliveries(system).filtered(lambda d: "32 31 33" in d.payload)
            self.assertEqual(len(shared), 1, system.code)

    # ------------------------------------------------------------------
    # Deliveries never wait for ever
    # ------------------------------------------------------------------

    def fail_job(self, job_record):
        """Run the job to its failure and store it failed, as queue_job's
        runner does when an error is not retried."""
        with self.assertRaises(FailedJobError) as caught:
            self.run_job(job_record)
        job = Job.load(self.env, job_record.uuid)
        job.set_failed(
            exc_name="odoo.addons.queue_job.exception.FailedJobError",
            exc_message=str(caught.exception),
            exc_info="".join(traceback.format_exception(caught.exception)),
        )
        job.store()

    def test_a_delivery_whose_job_failed_goes_dead_with_an_activity_and_is_replayed(self):
        with Receiver(503) as receiver:
            self.subscribe(self.system, receiver.url)
            self.system.max_attempts = 2
            self.create_codes("32 31 13")
            delivery = self.deliveries(self.system)
            job = self.jobs_of(delivery, "_job_deliver")
            self.assertEqual(delivery.job_id, job)
            # The retry policy is raised while the delivery waits: its job
            # gives up after its own 2 tries, before the delivery's check.
            self.system.max_attempts = 5
            self.assertIsInstance(self.run_job(job), RetryableJobError)
            self.fail_job(job)
            self.assertEqual(job.state, "failed")
            self.assertEqual(delivery.state, "pending")

            self.assertEqual(self.Delivery._cron_bury_lost(), 1)
            self.assertEqual(delivery.state, "dead")
            self.assertIn("failed", delivery.last_error)
            self.assertEqual(delivery.activity_ids.user_id, self.owner)
            self.assertEqual(self.Delivery._cron_bury_lost(), 0, "buried once")

            receiver.answer = (200, {}, b"{}")
            delivery.with_user(self.owner).action_replay()
            replay = delivery.job_id
            self.assertNotEqual(replay, job)
            self.assertIsNone(self.run_job(replay))
        self.assertEqual(delivery.state, "sent")
        self.assertFalse(delivery.activity_ids)

    def test_a_cancelled_delivery_job_leaves_the_delivery_dead(self):
        self.subscribe(self.system, "http://127.0.0.1:9/hooks")
        self.create_codes("32 31 13")
        delivery = self.deliveries(self.system)
        delivery.job_id.button_cancelled()
        self.Delivery._cron_bury_lost()
        self.assertEqual(delivery.state, "dead")
        self.assertIn("cancelled", delivery.last_error)
