"""Samsara played on 127.0.0.1, and a Samsara system with bound equipment.

Shapes served, from Samsara's public API documentation:

* ``GET /fleet/equipment/stats/feed?types=...&after=...``: API reference
  "Follow a feed of equipment stats" (developers.samsara.com/reference/
  getequipmentstatsfeed; samsarahq/api-docs
  markdown/readme/getequipmentstatsfeed.md): ``{"data": [{"id", "name",
  "gatewayEngineSeconds"|"obdEngineSeconds": [{"time", "value"}]}],
  "pagination": {"endCursor", "hasNextPage"}}``.
* ``GET /me``: "Get information about your organization"
  (samsarahq/api-docs markdown/getorganizationinfo.md): ``{"data": {"id",
  "name"}}``.
* ``429`` with ``Retry-After`` in fractional seconds (developers.samsara.com/
  docs/rate-limits: "Retry-After: Suggested time to wait before retrying (in
  seconds). Example: 0.40235"), or without it.
* ``POST /webhooks`` ``{name, url}`` answered ``{id, name, url, secretKey,
  version}``, ``DELETE /webhooks/<id>``: API reference "Create a webhook"
  (developers.samsara.com/reference/postwebhooks).
* Webhooks (developers.samsara.com/docs/webhooks): body ``{"eventId",
  "eventMs"|"eventTime", "eventType", ...}``, signed ``X-Samsara-Signature:
  v1=<hex>`` over ``v1:<X-Samsara-Timestamp>:<raw body>``.
"""

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

from odoo.addons.construction_sync.tests.common import FieldActualsCase, LocalServer
from odoo.addons.construction_sync.tests.test_sync_pipeline import JobRunnerMixin

from ..lib import feed

TOKEN = "samsara_api_test_token"
WEBHOOK_KEY = b"samsara-webhook-secret-key"
WEBHOOK_SECRET = base64.b64encode(WEBHOOK_KEY).decode()


def stats(asset_id, name, points, meter="gatewayEngineSeconds"):
    """One item of the feed: ``points`` as ``[(RFC 3339 time, engine hours)]``."""
    return {
        "id": asset_id,
        "name": name,
        meter: [{"time": moment, "value": round(hours * 3600)} for moment, hours in points],
    }


def page(items, end_cursor, has_next_page):
    return {
        "data": items,
        "pagination": {"endCursor": end_cursor, "hasNextPage": has_next_page},
    }


class SamsaraDouble(LocalServer):
    """Samsara's API: the feed's pages by the ``after`` cursor they answer
    (``None`` for the first call), ``/me``, ``/webhooks``, and a script of faults served
    before the next real answer: ``(status, headers)`` or ``("slow",
    seconds)``. Every request is kept in ``requests``."""

    def __init__(self, pages=None, faults=None):
        self.pages = dict(pages or {})
        self.faults = list(faults or [])
        self.webhooks = {}
        super().__init__(self.respond)

    @staticmethod
    def answer(status, body, headers=None):
        return (
            status,
            {"Content-Type": "application/json", **(headers or {})},
            json.dumps(body).encode(),
        )

    def respond(self, request):
        url = urlsplit(request.path)
        query = parse_qs(url.query)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.answer(401, {"message": "Unauthorized", "requestId": "r-401"})
        if self.faults:
            fault, detail = self.faults.pop(0)
            if fault == "slow":
                time.sleep(detail)
            else:
                return self.answer(fault, {"message": "fault", "requestId": "r-f"}, detail)
        if url.path == "/webhooks" and request.command == "POST":
            return self.create_webhook(json.loads(request.body))
        if url.path.startswith("/webhooks/") and request.command == "DELETE":
            if self.webhooks.pop(url.path.rsplit("/", 1)[1], None) is None:
                return self.answer(404, {"message": "webhook not found", "requestId": "r-404"})
            return 204, {}, b""
        if url.path == "/me":
            return self.answer(200, {"data": {"id": "20936", "name": "Summit Paving"}})
        if url.path == feed.FEED_PATH:
            types = query.get("types", [""])[0].split(",")
            if not set(types) <= {"gatewayEngineSeconds", "obdEngineSeconds"} or not types:
                return self.answer(400, {"message": "invalid types", "requestId": "r-400"})
            after = query.get("after", [None])[0]
            if after not in self.pages:
                return self.answer(400, {"message": "invalid cursor", "requestId": "r-400"})
            return self.answer(200, self.pages[after])
        return self.answer(404, {"message": "Not Found", "requestId": "r-404"})

    def create_webhook(self, body):
        """``POST /webhooks`` (API reference "Create a webhook"): Samsara
        answers the webhook with its id and the secret key it made."""
        if not body.get("name") or not body.get("url"):
            return self.answer(400, {"message": "name and url are required", "requestId": "r"})
        webhook_id = str(23918 + len(self.webhooks) + len(self.deleted_webhooks()))
        key = base64.b64encode(f"samsara-made-key-{webhook_id}".encode()).decode()
        self.webhooks[webhook_id] = dict(body, id=webhook_id, secretKey=key, version="2018-01-01")
        return self.answer(200, self.webhooks[webhook_id])

    def deleted_webhooks(self):
        return [
            urlsplit(request.path).path.rsplit("/", 1)[1]
            for request in self.requests
            if request.command == "DELETE"
        ]

    def feed_calls(self):
        """The ``after`` cursor of each feed request answered, in order."""
        return [
            parse_qs(urlsplit(request.path).query).get("after", [None])[0]
            for request in self.requests
            if urlsplit(request.path).path == feed.FEED_PATH
        ]


class SamsaraCase(JobRunnerMixin, FieldActualsCase):
    """A Samsara system (time zone America/Chicago), two excavators bound to
    Samsara assets, two projects with cost codes, dated hourly rates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.samsara = cls.System.create(
            {
                "name": "Samsara",
                "code": "samsara_test",
                "kind": "equipment",
                "platform": "samsara",
                "samsara_timezone": "America/Chicago",
                "samsara_gap_hours": 12.0,
                "owner_id": cls.owner.id,
                "max_attempts": 3,
            }
        )
        cls.samsara.sudo().api_token = TOKEN
        cls.samsara.sudo().webhook_secret = WEBHOOK_SECRET
        cls.pull = cls.samsara.pull_ids.filtered(lambda pull: pull.resource == "engine_hours")
        cls.Equipment = cls.env["maintenance.equipment"]
        cls.excavator, cls.loader = cls.Equipment.create(
            [
                {
                    "name": "Excavator CAT 320",
                    "construction_rate_ids": [
                        (0, 0, {"date_from": "2026-01-01", "hourly_rate": 80.0})
                    ],
                },
                {
                    "name": "Wheel Loader 950",
                    "construction_rate_ids": [
                        (0, 0, {"date_from": "2026-01-01", "hourly_rate": 60.0})
                    ],
                },
            ]
        )
        cls.Asset = cls.env["construction.samsara.asset"]
        cls.Asset.create(
            [
                {"system_id": cls.samsara.id, "samsara_id": "281474977001", "name": "EX-320"},
                {"system_id": cls.samsara.id, "samsara_id": "281474977002", "name": "WL-950"},
            ]
        )
        cls.asset("281474977001").equipment_id = cls.excavator
        cls.asset("281474977002").equipment_id = cls.loader
        cls.bridge = cls.env["project.project"].create({"name": "Elm Creek Bridge"})
        cls.earthwork, cls.paving_base = cls.create_codes("31 23 16.13", "32 11 23.23")
        cls.Assignment = cls.env["construction.equipment.assignment"]
        cls.Event = cls.env["construction.sync.event"]

    @classmethod
    def asset(cls, samsara_id):
        return cls.Asset.search(
            [("system_id", "=", cls.samsara.id), ("samsara_id", "=", samsara_id)]
        )

    def connect(self, double):
        self.samsara.base_url = double.url.rstrip("/")

    def run_pull(self):
        """Start a run of the engine-hours pull and run its page jobs the
        way the job runner does, until none is left; returns the errors
        (retries) met on the way."""
        self.pull._start()
        return self.run_pending_pages()

    def run_pending_pages(self, limit=20):
        errors = []
        for _ in range(limit):
            jobs = self.jobs_of(self.pull, "_job_pull_page").filtered(
                lambda job: job.state == "pending"
            )
            if not jobs:
                return errors
            for job in jobs:
                error = self.run_job(job)
                if error:
                    errors.append(error)
        raise AssertionError(f"the pull still had pages to run after {limit} rounds")

    def samsara_events(self, event_type=None):
        domain = [("system_id", "=", self.samsara.id)]
        if event_type:
            domain.append(("event_type_id.code", "=", event_type))
        return self.Event.search(domain, order="id")

    def apply_samsara(self):
        """Apply every queued event of the Samsara system (the job body)."""
        self.Event.search(
            [("system_id", "=", self.samsara.id), ("state", "=", "queued")]
        )._job_apply()

    def usage_lines(self):
        return self.Line.search(
            [("construction_source_entry", "=like", "samsara:%")], order="date, id"
        )
