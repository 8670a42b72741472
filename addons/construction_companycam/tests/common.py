"""CompanyCam played by a real HTTP server on 127.0.0.1.

Every shape served here is CompanyCam's published Core API v2
(https://docs.companycam.com/reference; OpenAPI "Core API"):
``GET /v2/projects`` and ``GET /v2/photos`` answer bare JSON arrays of
Project / Photo objects paged by ``page`` / ``per_page`` (photos newest
captured first, ``start_date`` = captured on or after, a Unix time;
projects filtered by ``modified_since``, ISO 8601); ``GET /v2/projects/{id}``
one Project (``address`` with ``street_address_1`` ..., ``coordinates``
``{lat, lon}``, ``geofence`` a list of coordinates); a Photo's ``uris`` list
``{type, uri, url}`` entries of which ``type: original`` is the original,
``hash`` its MD5, ``captured_at`` / ``updated_at`` Unix times;
``GET /v2/photos/{id}/tags`` the photo's Tag objects (``display_value``);
``GET /v2/users/current`` a User; ``POST /v2/webhooks`` takes ``{url,
scopes, enabled, token}`` and answers a Webhook with its ``id``. Webhook
deliveries (https://docs.companycam.com/docs/webhooks-1) are ``{event_type,
created_at, payload, webhook_id}`` signed in ``X-CompanyCam-Signature``.
"""

import hashlib
import json
import threading
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from odoo.addons.construction_companycam.lib import companycam
from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.addons.construction_sync.tests import test_sync_pipeline
from odoo.addons.construction_sync.tests.common import ConstructionCase, LocalServer
from odoo.tests import HttpCase

API_TOKEN = "cc-api-token-7f3a"
WEBHOOK_TOKEN = "cc-webhook-token-91be"
# 2026-11-02 14:05:00 UTC and later: the photos' capture times.
CAPTURED = 1793628300


class CompanyCamDouble(LocalServer):
    """Projects, photos and their images, tags, the current user and
    webhooks; ``faults`` is a list of ``(path prefix, status, headers,
    seconds to wait first)`` answered once each, in order, before the
    real answer (a ``status`` of None only waits: a slow answer)."""

    def __init__(self):
        self.projects = {}
        self.photos = []
        self.images = {}
        self.tags = {}
        self.webhooks = {}
        self.faults = []
        self.lock = threading.Lock()
        super().__init__(self.respond, "")
        self.api = self.url + "/v2"

    # -- fixtures ------------------------------------------------------

    def add_project(self, project_id, **values):
        project = {
            "id": str(project_id),
            "company_id": "8292212",
            "status": "active",
            "archived": False,
            "name": f"Project {project_id}",
            "address": {
                "street_address_1": "810 P St",
                "street_address_2": "Suite 430",
                "city": "Lincoln",
                "state": "NE",
                "postal_code": "68508",
                "country": "US",
            },
            "coordinates": {"lat": 40.815462, "lon": -96.70965},
            "geofence": [
                {"lat": 40.8150, "lon": -96.7102},
                {"lat": 40.8150, "lon": -96.7091},
                {"lat": 40.8159, "lon": -96.7091},
                {"lat": 40.8159, "lon": -96.7102},
            ],
            "project_url": f"https://app.companycam.com/projects/{project_id}",
            "created_at": CAPTURED - 86400,
            "updated_at": CAPTURED - 3600,
        }
        project.update(values)
        self.projects[project["id"]] = project
        return project

    def add_photo(self, photo_id, project_id, serial, image=None, tags=(), **values):
        """A processed photo whose original is served by this double."""
        image = image or make_image(exif=make_exif(description=f"CompanyCam photo {photo_id}"))
        path = f"/static/{photo_id}.jpg"
        self.images[path] = image
        photo = {
            "id": str(photo_id),
            "company_id": "8292212",
            "creator_id": "2789583992",
            "creator_type": "User",
            "creator_name": "Shawn Spencer",
            "project_id": str(project_id),
            "processing_status": "processed",
            "status": "active",
            "coordinates": {"lat": 40.81545, "lon": -96.70960},
            "uris": [
                {"type": "original", "uri": self.url + path, "url": self.url + path},
                {"type": "web", "uri": self.url + path + "?web", "url": self.url + path + "?web"},
            ],
            "hash": hashlib.md5(image, usedforsecurity=False).hexdigest(),
            "description": "Curb cut at the north entrance",
            "internal": False,
            "photo_url": f"https://app.companycam.com/photos/{photo_id}",
            "captured_at": CAPTURED + serial,
            "created_at": CAPTURED + serial + 30,
            "updated_at": CAPTURED + serial + 30,
        }
        photo.update(values)
        self.photos.append(photo)
        self.photos.sort(key=lambda item: -item["captured_at"])
        self.tags[photo["id"]] = [
            {"id": str(900 + index), "display_value": name, "value": name.lower()}
            for index, name in enumerate(tags)
        ]
        return photo

    def requests_to(self, prefix):
        return [request for request in self.requests if request.path.startswith(prefix)]

    # -- HTTP ----------------------------------------------------------

    def respond(self, request):
        url = urlsplit(request.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        with self.lock:
            fault = next((f for f in self.faults if url.path.startswith(f[0])), None)
            if fault:
                self.faults.remove(fault)
        if fault:
            _prefix, status, headers, wait = fault
            if wait:
                time.sleep(wait)
            if status:
                return status, headers, json.dumps({"errors": ["Too Many Requests"]}).encode()
        if url.path in self.images:
            return 200, {"Content-Type": "image/jpeg"}, self.images[url.path]
        if request.headers.get("Authorization") != f"Bearer {API_TOKEN}":
            return 401, {"Content-Type": "application/json"}, b'{"errors":["Unauthorized"]}'
        return self.api_answer(request.command, url.path.removeprefix("/v2"), query, request)

    def api_answer(self, method, path, query, request):
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/users/current":
            return self.json(
                {
                    "id": "2789583992",
                    "first_name": "Shawn",
                    "last_name": "Spencer",
                    "email_address": "shawn@psych.co",
                }
            )
        if method == "GET" and path == "/projects":
            items = list(self.projects.values())
            if query.get("modified_since"):
                since = int(datetime.fromisoformat(query["modified_since"]).timestamp())
                items = [item for item in items if item["updated_at"] >= since]
            return self.json(self.page(items, query, 50))
        if method == "GET" and parts[0] == "projects" and len(parts) == 2:
            project = self.projects.get(parts[1])
            return self.json(project) if project else self.not_found()
        if method == "GET" and path == "/photos":
            items = self.photos
            if query.get("start_date"):
                items = [item for item in items if item["captured_at"] >= int(query["start_date"])]
            return self.json(self.page(items, query, 50))
        if method == "GET" and parts[0] == "photos" and parts[-1] == "tags":
            return self.json(self.tags.get(parts[1], []))
        if method == "POST" and path == "/webhooks":
            body = json.loads(request.body)
            webhook_id = str(4200 + len(self.webhooks))
            self.webhooks[webhook_id] = dict(body, id=webhook_id)
            return self.json(self.webhooks[webhook_id], 201)
        if method == "DELETE" and parts[0] == "webhooks":
            return (204, {}, b"") if self.webhooks.pop(parts[1], None) else self.not_found()
        return self.not_found()

    @staticmethod
    def page(items, query, default_per_page):
        per_page = int(query.get("per_page") or default_per_page)
        page = int(query.get("page") or 1)
        return items[(page - 1) * per_page : page * per_page]

    @staticmethod
    def json(document, status=200):
        return status, {"Content-Type": "application/json"}, json.dumps(document).encode()

    @staticmethod
    def not_found():
        return 404, {"Content-Type": "application/json"}, b'{"errors":["Record not found"]}'


def delivery(event_type, obj, webhook_id=4200):
    """A webhook body as CompanyCam sends it (raw bytes)."""
    key = "photo" if event_type.startswith("photo.") else "project"
    return json.dumps(
        {
            "event_type": event_type,
            "created_at": int(time.time()),
            "payload": {key: obj},
            "webhook_id": webhook_id,
        }
    ).encode()


class CompanyCamCase(test_sync_pipeline.JobRunnerMixin, HttpCase, ConstructionCase):
    """A CompanyCam system whose API is the local double, its token and
    its webhook secret set by an administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.double = cls.serve(CompanyCamDouble())
        cls.System = cls.env["construction.sync.system"]
        cls.system = cls.platform_system(
            {
                "name": "CompanyCam Lincoln",
                "code": "companycam_test",
                "kind": "field_evidence",
                "platform": "companycam",
                "base_url": cls.double.api,
            },
            {"api_token": API_TOKEN, "webhook_secret": WEBHOOK_TOKEN},
        )
        cls.Event = cls.env["construction.sync.event"]
        cls.Exchange = cls.env["construction.sync.exchange"]
        cls.Photo = cls.env["construction.photo"]
        cls.Site = cls.env["construction.site"]
        cls.Binding = cls.env["construction.sync.binding"]

    def setUp(self):
        super().setUp()
        self.double.projects.clear()
        self.double.photos.clear()
        self.double.images.clear()
        self.double.tags.clear()
        self.double.faults.clear()
        self.double.requests.clear()

    def post_webhook(self, body, signature=None):
        return self.url_open(
            f"/construction/api/v1/webhooks/{self.system.webhook_uuid}",
            data=body,
            headers={
                "Content-Type": "application/json",
                companycam.SIGNATURE_HEADER: (
                    signature if signature is not None else companycam.sign(WEBHOOK_TOKEN, body)
                ),
            },
        )

    def pending_jobs(self):
        return self.env["queue.job"].search(
            [("state", "in", ("pending", "enqueued")), ("model_name", "like", "construction.")],
            order="id",
        )

    def events(self, code):
        return self.Event.search(
            [("system_id", "=", self.system.id), ("event_type_id.code", "=", code)], order="id"
        )

    def photos(self):
        return self.Photo.search([("source_system_id", "=", self.system.id)], order="id")

    def bound(self, model, external_id):
        return self.env["construction.sync.resolver"]._binding(self.system, model, external_id)[1]
