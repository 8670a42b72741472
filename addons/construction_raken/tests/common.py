"""Raken played by a real HTTP server on 127.0.0.1.

Raken's API reference (developer.rakenapp.com) is given to customers and
partners and is not public: no copy of it could be consulted. The shapes
served here are the ones ``..lib.raken`` documents as assumptions, the way
Raken's API answers in practice: lists paged by ``offset`` / ``limit``
answering ``{"collection": [...], "page": {"offset", "limit",
"totalElements"}}``, ``GET /timeCards?status=APPROVED&updatedAfter=`` time
cards with their ``worker``, ``project`` and ``timeEntries`` (pay type,
classification, cost code, hours), ``GET /dailyReports?updatedAfter=`` daily
reports with weather, crews, equipment, notes and photos, the account's
access token as bearer, and ``429`` answers with ``Retry-After`` (seconds)
or without it.
"""

import json
import threading
from urllib.parse import parse_qs, urlsplit

from odoo.addons.construction_field_evidence.lib.tests.images import make_image
from odoo.addons.construction_sync.tests.common import ConstructionCase, LocalServer
from odoo.addons.construction_sync.tests.test_sync_pipeline import JobRunnerMixin

TOKEN = "raken-access-token-5d21"
PROJECT_UUID = "9f1c2b7e-raken-project-0001"


class RakenDouble(LocalServer):
    """Time cards, daily reports and the photos' files; ``faults`` is a list
    of ``(path prefix, status, headers)`` answered once each, in order,
    before the real answer."""

    def __init__(self):
        self.time_cards = []
        self.daily_reports = []
        self.images = {}
        self.faults = []
        self.lock = threading.Lock()
        super().__init__(self.respond, "")
        self.api = self.url + "/api"

    @staticmethod
    def json(status, body, headers=None):
        return (
            status,
            {"Content-Type": "application/json", **(headers or {})},
            json.dumps(body).encode(),
        )

    def respond(self, request):
        url = urlsplit(request.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        if url.path in self.images:
            return 200, {"Content-Type": "image/jpeg"}, self.images[url.path]
        with self.lock:
            fault = next((f for f in self.faults if url.path.startswith(f[0])), None)
            if fault:
                self.faults.remove(fault)
        if fault:
            return self.json(fault[1], {"message": "Too Many Requests"}, fault[2])
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.json(401, {"message": "Unauthorized"})
        items = {"/api/timeCards": self.time_cards, "/api/dailyReports": self.daily_reports}.get(
            url.path
        )
        if items is None:
            return self.json(404, {"message": "Not Found"})
        if url.path == "/api/timeCards" and query.get("status"):
            items = [item for item in items if item["status"] == query["status"]]
        if query.get("updatedAfter"):
            items = [item for item in items if item["updatedAt"] > query["updatedAfter"]]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        return self.json(
            200,
            {
                "collection": items[offset : offset + limit],
                "page": {"offset": offset, "limit": limit, "totalElements": len(items)},
            },
        )

    def requests_to(self, prefix):
        return [request for request in self.requests if request.path.startswith(prefix)]

    # -- fixtures ------------------------------------------------------

    def add_time_card(self, serial, worker, day, hours=8.0, pay_code="RT", **values):
        card = {
            "uuid": f"tc-{serial:04d}",
            "date": day,
            "status": "APPROVED",
            "updatedAt": f"2026-11-{10 + serial // 1000:02d}T18:{serial // 60 % 60:02d}:"
            f"{serial % 60:02d}Z",
            "worker": worker,
            "project": {"uuid": PROJECT_UUID, "name": "Main Street Resurfacing"},
            "approvedBy": {"firstName": "Dana", "lastName": "Whitfield"},
            "timeEntries": [
                {
                    "uuid": f"te-{serial:04d}",
                    "hours": hours,
                    "payType": {"code": pay_code, "name": "Regular Time"},
                    "classification": {"name": "Operator"},
                    "costCode": {"code": "31 23 16.26", "division": "Earthwork"},
                }
            ],
        }
        card.update(values)
        self.time_cards.append(card)
        return card

    def add_daily_report(self, uuid, day, photo_count=2, **values):
        photos = []
        for index in range(photo_count):
            path = f"/files/{uuid}-{index}.jpg"
            self.images[path] = make_image(colour=(40 * index, 120, 200))
            photos.append(
                {
                    "uuid": f"{uuid}-photo-{index}",
                    "url": self.url + path,
                    "takenAt": f"{day}T15:0{index}:00Z",
                    "description": f"North curb, pass {index + 1}",
                    "lat": 40.8155,
                    "lng": -96.7096,
                }
            )
        report = {
            "uuid": uuid,
            "date": day,
            "status": "COMPLETED",
            "updatedAt": f"{day}T23:00:00Z",
            "project": {"uuid": PROJECT_UUID, "name": "Main Street Resurfacing"},
            "weather": {
                "summary": "Partly cloudy",
                "temperatureHigh": 68,
                "temperatureLow": 50,
                "temperatureUnit": "F",
                "precipitation": "0 in",
                "delay": False,
            },
            "crews": [
                {"trade": "Laborers", "subcontractor": None, "workerCount": 6, "hours": 48},
                {
                    "trade": "Paving",
                    "subcontractor": "Lincoln Asphalt",
                    "workerCount": 4,
                    "hours": 30,
                },
            ],
            "equipment": [
                {"name": "Cold planer W 100", "quantity": 1, "hours": 6.5, "status": "Working"},
                {"name": "Tandem roller", "quantity": 2, "hours": 5, "status": "Working"},
            ],
            "notes": [
                {"category": "DELIVERY", "text": "24 t of surface course, 09:40"},
                {"category": "DELAY", "text": "Water main inspection held the north lane 1 h"},
                {"category": "SAFETY", "text": "Toolbox talk: working near live traffic"},
                {"category": "GENERAL", "text": "Milling done on blocks 3 and 4"},
            ],
            "photos": photos,
        }
        report.update(values)
        self.daily_reports.append(report)
        return report


class RakenCase(JobRunnerMixin, ConstructionCase):
    """A Raken system whose API is the local double, its token set by an
    administrator; an Odoo project bound to the Raken project, with its
    site, and three workers known by their badge ids."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.double = cls.serve(RakenDouble())
        cls.system = cls.platform_system(
            {
                "name": "Raken",
                "code": "raken_test",
                "kind": "timekeeping",
                "platform": "raken",
                "base_url": cls.double.api,
            },
            {"api_token": TOKEN},
        )
        cls.grant(
            cls.system,
            "labor.approved",
            "daily_log.reported",
            "photo.published",
            "connector.unmapped",
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Main Street Resurfacing", "allow_timesheets": True}
        )
        cls.env["construction.sync.binding"].create(
            {
                "system_id": cls.system.id,
                "res_model": "project.project",
                "res_id": cls.project.id,
                "external_id": PROJECT_UUID,
            }
        )
        cls.site = cls.env["construction.site"].create(
            {"name": "Main Street, blocks 1-6", "project_id": cls.project.id}
        )
        cls.cost_code = cls.create_codes("31 23 16.26")
        cls.employees = cls.env["hr.employee"].create(
            [
                {"name": name, "barcode": badge, "hourly_cost": 40.0}
                for name, badge in (
                    ("Maria Lopez", "4471"),
                    ("Sam Okafor", "4472"),
                    ("Lee Chen", "4473"),
                )
            ]
        )
        cls.workers = [
            {
                "uuid": f"w-{employee.barcode}",
                "firstName": first,
                "lastName": last,
                "employeeId": employee.barcode,
            }
            for employee, (first, last) in zip(
                cls.employees,
                (("Maria", "Lopez"), ("Sam", "Okafor"), ("Lee", "Chen")),
                strict=True,
            )
        ]
        cls.Event = cls.env["construction.sync.event"]
        cls.Line = cls.env["account.analytic.line"]
        cls.Log = cls.env["construction.daily.log"]

    def setUp(self):
        super().setUp()
        self.double.time_cards.clear()
        self.double.daily_reports.clear()
        self.double.images.clear()
        self.double.faults.clear()
        self.double.requests.clear()

    def pull(self, resource):
        return self.system.pull_ids.filtered(lambda pull: pull.resource == resource)

    def events(self, code):
        return self.Event.search(
            [("system_id", "=", self.system.id), ("event_type_id.code", "=", code)], order="id"
        )
