"""Procore played by a real HTTP server on 127.0.0.1.

Every shape served here is from Procore's public developer documentation
(https://developers.procore.com):

* "Procore API Authentication Endpoints" (content/oauth-endpoints):
  ``POST /oauth/token`` with ``grant_type=client_credentials``,
  ``client_id`` and ``client_secret`` answers ``{access_token, token_type,
  expires_in, created_at}``; production and sandbox have their own login
  and API addresses.
* "Rate Limiting" (content/rate-limiting): every answer carries
  ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and
  ``X-Rate-Limit-Reset`` (a Unix time); past the limit Procore answers 429.
* "Pagination" and "Filtering on List Actions": lists are bare JSON arrays
  paged by ``page`` / ``per_page``, filtered by ``filters[...]``
  (``filters[updated_at]`` a ``from...to`` range, ``filters[origin_id]``).
* "How Webhooks Work" / "Set Up Webhooks" (content/webhooks): a delivery is
  ``{id, ulid, timestamp, user_id, company_id, project_id, api_version,
  event_type, resource_name, resource_id, metadata}`` sent with the hook's
  ``destination_headers``; hooks are made with ``POST
  /rest/v1.0/webhooks/hooks`` ``{company_id, hook: {namespace,
  destination_url, destination_headers}}`` and their triggers with ``POST
  /rest/v1.0/webhooks/hooks/{id}/triggers``.
* "Field Productivity" (content/tutorial-field-prod) and the REST reference
  "Show timecard entry (Project)" / "List timecard entries (Company)":
  Timecard Entry ``{id, date, hours, approval_status, party {id, name},
  cost_code {id, full_code, name}, project {id, name}, description,
  updated_at}``.
* Construction Financials "Show Commitment Change Order": ``{id, number,
  title, status, contract_id, description, line_items [{id, amount,
  quantity, description, cost_code {id, full_code}}], updated_at}``.
* Construction Financials "Show Purchase Order Contract" / "Show Work
  Order Contract" (``/rest/v1.0/purchase_order_contracts/{id}?project_id=``):
  ``{id, number, title, status, executed, vendor {id, company}, line_items
  [{id, amount, quantity, unit_cost, description, cost_code {id,
  full_code}}], updated_at}``.
* Construction Financials "Create / Update / List Direct Costs" (v1.1,
  ``/rest/v1.1/projects/{id}/direct_costs``): ``{direct_cost:
  {direct_cost_type, status, description, direct_cost_date, received_date,
  origin_id, line_items [{cost_code_id, amount, description, origin_id}]}}``.
* Project Cost Codes "Create / Update / List Cost Codes"
  (``/rest/v1.0/cost_codes``): ``{project_id, cost_code: {code, name,
  origin_id}}``; a cost code ``{id, code, name, full_code, origin_id}``.
"""

import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

from odoo.addons.construction_procore.lib import procore
from odoo.addons.construction_sync.tests import test_sync_pipeline
from odoo.addons.construction_sync.tests.common import ConstructionCase, LocalServer
from odoo.tests import HttpCase

CLIENT_ID = "procore-client-5e1d"
CLIENT_SECRET = "procore-client-secret-8c42"
COMPANY = "562949953421312"
PROJECT = "562949953425469"


class ProcoreDouble(LocalServer):
    """Procore's OAuth, webhooks, timecard entries, change orders, projects,
    vendors and cost codes; ``faults`` is a list of ``(method, path prefix,
    status, headers, keep)`` answered once each before the real answer
    (``keep``: the request is carried out first, its answer lost)."""

    def __init__(self):
        self.timecards = {}
        self.change_orders = {}
        self.commitments = {}
        # the list each change order or commitment is served in
        self.paths = {}
        self.projects = []
        self.vendors = []
        self.cost_codes = []
        self.direct_costs = []
        self.hooks = {}
        self.triggers = []
        self.faults = []
        self.tokens = []
        self.token_lifetime = 5400
        self.lock = threading.Lock()
        super().__init__(self.respond, "")

    def add_timecard(self, entry_id, project_id=PROJECT, **values):
        entry = {
            "id": int(entry_id),
            "date": "2026-11-30",
            "hours": "8.0",
            "approval_status": "approved",
            "billable": True,
            "description": "Formwork, level 2",
            "party": {"id": 4578, "name": "Maria Lopez"},
            "cost_code": {"id": 91, "full_code": "03 30 00", "name": "Cast-in-Place Concrete"},
            "project": {"id": int(project_id), "name": "Riverside Plaza"},
            "timecard_time_type": {"id": 1, "time_type": "Regular Time"},
            "created_at": "2026-11-30T22:00:00Z",
            "updated_at": "2026-11-30T23:00:00Z",
        }
        entry.update(values)
        self.timecards[str(entry_id)] = entry
        return entry

    def add_change_order(
        self, order_id, project_id=PROJECT, path="commitment_change_orders", **values
    ):
        order = {
            "id": int(order_id),
            "number": "003",
            "title": "Added rebar at the north wall",
            "status": "approved",
            "contract_id": 7101,
            "description": "Structural engineer's revision 4",
            "line_items": [
                {
                    "id": 1,
                    "amount": "12500.0",
                    "quantity": "2.5",
                    "description": "Rebar #5",
                    "cost_code": {"id": 91, "full_code": "03 30 00"},
                }
            ],
            "updated_at": "2026-12-01T09:30:00Z",
        }
        order.update(values)
        self.change_orders[(str(project_id), str(order_id))] = order
        self.paths[("change_order", str(project_id), str(order_id))] = path
        return order

    def add_commitment(
        self, commitment_id, project_id=PROJECT, path="purchase_order_contracts", **values
    ):
        commitment = {
            "id": int(commitment_id),
            "number": "PO-014",
            "title": "Rebar supply",
            "status": "Approved",
            "executed": True,
            "vendor": {"id": 8801, "company": "Keystone Rebar Inc."},
            "line_items": [
                {
                    "id": 1,
                    "amount": "40000.0",
                    "quantity": "100.0",
                    "unit_cost": "400.0",
                    "description": "Rebar #5, tons",
                    "cost_code": {"id": 91, "full_code": "03 30 00"},
                }
            ],
            "updated_at": "2026-12-01T08:00:00Z",
        }
        commitment.update(values)
        self.commitments[(str(project_id), str(commitment_id))] = commitment
        self.paths[("commitment", str(project_id), str(commitment_id))] = path
        return commitment

    def listed(self, kind, records, project_id, path):
        """The ``kind`` records of ``project_id`` that Procore lists at ``path``."""
        return [
            record
            for (project, record_id), record in records.items()
            if project == project_id and self.paths[(kind, project, record_id)] == path
        ]

    def requests_to(self, method, prefix):
        return [r for r in self.requests if r.command == method and r.path.startswith(prefix)]

    # -- HTTP ----------------------------------------------------------

    def respond(self, request):
        url = urlsplit(request.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        body = json.loads(request.body) if request.body else {}
        with self.lock:
            fault = next(
                (f for f in self.faults if f[0] == request.command and url.path.startswith(f[1])),
                None,
            )
            if fault:
                self.faults.remove(fault)
        if fault and not fault[4]:
            return fault[2], fault[3], b'{"errors": "Too Many Requests"}'
        if url.path == "/oauth/token":
            answer = self.token(body)
        elif request.headers.get("Authorization") not in [f"Bearer {t}" for t in self.tokens]:
            answer = 401, {}, b'{"errors": "Unauthorized"}'
        elif request.headers.get(procore.COMPANY_HEADER) != COMPANY:
            answer = 403, {}, b'{"errors": "Procore-Company-Id missing"}'
        else:
            if url.path.startswith("/rest/v1.1/"):
                answer = self.direct_cost(request.command, url.path, query, body)
            else:
                path = url.path.removeprefix("/rest/v1.0")
                answer = self.api(request.command, path, query, body)
        if fault:
            return fault[2], fault[3], b'{"errors": "Service Unavailable"}'
        status, headers, content = answer
        headers = dict(
            {
                "Content-Type": "application/json",
                "X-Rate-Limit-Limit": "3600",
                "X-Rate-Limit-Remaining": "3599",
                "X-Rate-Limit-Reset": str(int(time.time()) + 3600),
            },
            **headers,
        )
        return status, headers, content

    def token(self, body):
        if (
            body.get("grant_type") != "client_credentials"
            or body.get("client_id") != CLIENT_ID
            or body.get("client_secret") != CLIENT_SECRET
        ):
            return 401, {}, b'{"error": "invalid_client"}'
        token = f"access-{len(self.tokens) + 1}"
        self.tokens.append(token)
        return self.json(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
                "created_at": int(time.time()),
            }
        )

    def api(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/me":
            return self.json({"id": 42, "login": "odoo-sync@riverside.example", "name": "Odoo"})
        if method == "GET" and parts[0] == "projects" and len(parts) == 4:
            project_id, resource, record_id = parts[1], parts[2], parts[3]
            if resource == "timecard_entries":
                found = self.timecards.get(record_id)
            else:
                found = self.change_orders.get((project_id, record_id))
            return self.json(found) if found else self.not_found()
        if method == "GET" and parts[0] == "projects" and len(parts) == 3:
            items = self.listed("change_order", self.change_orders, parts[1], parts[2])
            return self.json(self.page(self.since(items, query), query))
        commitment_paths = ("purchase_order_contracts", "work_order_contracts")
        if method == "GET" and len(parts) == 1 and parts[0] in commitment_paths:
            items = self.listed("commitment", self.commitments, query.get("project_id"), parts[0])
            return self.json(self.page(self.since(items, query), query))
        if method == "GET" and parts[0] in commitment_paths:
            found = self.commitments.get((query.get("project_id"), parts[-1]))
            return self.json(found) if found else self.not_found()
        if method == "GET" and path == f"/companies/{COMPANY}/timecard_entries":
            return self.json(self.page(self.since(list(self.timecards.values()), query), query))
        if method == "GET" and path == f"/companies/{COMPANY}/projects":
            return self.json(self.page(self.projects, query))
        if method == "GET" and path == "/vendors":
            return self.json(self.page(self.vendors, query))
        if path.startswith("/cost_codes"):
            return self.cost_code(method, parts, query, body)
        if path.startswith("/webhooks/hooks"):
            return self.hook(method, parts, body)
        return self.not_found()

    def cost_code(self, method, parts, query, body):
        if method == "GET":
            found = [
                code
                for code in self.cost_codes
                if str(code["project_id"]) == query.get("project_id")
                and code["origin_id"] == query.get("filters[origin_id]", code["origin_id"])
            ]
            return self.json(found)
        if method == "POST":
            code = dict(body["cost_code"], id=9000 + len(self.cost_codes))
            code.update(project_id=body["project_id"], full_code=code["code"])
            self.cost_codes.append(code)
            return self.json(code, 201)
        if method == "PATCH":
            code = next((c for c in self.cost_codes if str(c["id"]) == parts[1]), None)
            if not code:
                return self.not_found()
            code.update(body["cost_code"], full_code=body["cost_code"]["code"])
            return self.json(code)
        return self.not_found()

    def direct_cost(self, method, path, query, body):
        parts = path.removeprefix("/rest/v1.1/").split("/")
        if parts[0] != "projects" or parts[2] != "direct_costs":
            return self.not_found()
        if method == "GET":
            origin = query.get("filters[origin_id]")
            return self.json(
                [cost for cost in self.direct_costs if origin in (None, cost["origin_id"])]
            )
        if method == "POST":
            cost = dict(body["direct_cost"], id=6000 + len(self.direct_costs))
            cost["project_id"] = int(parts[1])
            self.direct_costs.append(cost)
            return self.json(cost, 201)
        if method == "PATCH":
            cost = next((c for c in self.direct_costs if str(c["id"]) == parts[3]), None)
            if not cost:
                return self.not_found()
            cost.update(body["direct_cost"])
            return self.json(cost)
        return self.not_found()

    def hook(self, method, parts, body):
        if method == "POST" and len(parts) == 2:
            hook_id = 3100 + len(self.hooks)
            self.hooks[str(hook_id)] = dict(body["hook"], id=hook_id)
            return self.json(self.hooks[str(hook_id)], 201)
        if method == "PATCH" and len(parts) == 3 and parts[2] in self.hooks:
            self.hooks[parts[2]].update(body["hook"])
            return self.json(self.hooks[parts[2]])
        if method == "POST" and len(parts) == 4 and parts[3] == "triggers":
            self.triggers.append(dict(body["trigger"], hook_id=parts[2]))
            return self.json(dict(body["trigger"], id=len(self.triggers)), 201)
        return self.not_found()

    @staticmethod
    def since(items, query):
        window = query.get("filters[updated_at]")
        if not window:
            return items
        start, _end = window.split("...")
        return [item for item in items if item["updated_at"] >= start]

    @staticmethod
    def page(items, query):
        per_page = int(query.get("per_page") or 100)
        page = int(query.get("page") or 1)
        return items[(page - 1) * per_page : page * per_page]

    @staticmethod
    def json(document, status=200):
        return status, {"Content-Type": "application/json"}, json.dumps(document).encode()

    @staticmethod
    def not_found():
        return 404, {}, b'{"errors": "Not Found"}'


def delivery(resource_name, resource_id, ulid, event_type="update", project_id=PROJECT):
    """A webhook body as Procore sends it (raw bytes), payload format v2."""
    return json.dumps(
        {
            "id": 887123,
            "ulid": ulid,
            "timestamp": "2026-12-01T10:15:04.213Z",
            "user_id": 5,
            "company_id": int(COMPANY),
            "project_id": int(project_id) if project_id else None,
            "api_version": "v2",
            "event_type": event_type,
            "resource_name": resource_name,
            "resource_id": int(resource_id),
            "metadata": {"source_user_id": 5, "source_operation_id": None},
        }
    ).encode()


class ProcoreCase(test_sync_pipeline.JobRunnerMixin, HttpCase, ConstructionCase):
    """A Procore system whose API and login are the local double, its
    client credentials and its webhook secret set by an administrator; a
    project with a budget, an employee and a cost code bound or matched."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.double = cls.serve(ProcoreDouble())
        cls.System = cls.env["construction.sync.system"]
        cls.secret = "hook-secret-3f9a0c"
        cls.system = cls.platform_system(
            {
                "name": "Procore Riverside",
                "code": "procore_test",
                "platform": "procore",
                "base_url": cls.double.url,
                "procore_login_url": cls.double.url,
                "procore_company_id": COMPANY,
            },
            {
                "procore_client_id": CLIENT_ID,
                "api_token": CLIENT_SECRET,
                "webhook_secret": cls.secret,
            },
        )
        # An administrator grants the labor a Procore system sends.
        cls.grant(
            cls.system,
            "labor.approved",
            "labor.corrected",
            "connector.unmapped",
            "procore.notification",
            "change_order.approved",
            "commitment.upserted",
        )
        cls.Event = cls.env["construction.sync.event"]
        cls.Exchange = cls.env["construction.sync.exchange"]
        cls.Line = cls.env["account.analytic.line"]
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Maria Lopez", "hourly_cost": 40.0, "company_id": cls.company.id}
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Riverside Plaza", "allow_timesheets": True}
        )
        cls.concrete = cls.CostCode.search([("code", "=", "03 30 00")])
        cls.budget = cls.env["construction.budget"].create(
            {
                "name": "Riverside Plaza budget",
                "project_id": cls.project.id,
                "line_ids": [(0, 0, {"cost_code_id": cls.concrete.id, "original": 250000.0})],
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Keystone Rebar Inc."})
        cls.bind(cls.employee, "4578")
        cls.bind(cls.vendor, "8801")
        cls.bind(cls.project, PROJECT)
        cls.column = cls.plan._column_name()
        # The codes made above are pushed by jobs the tests do not run.
        cls.env["queue.job"].search([("method_name", "=", "_job_procore_push_cost_codes")]).unlink()

    @classmethod
    def bind(cls, record, external_id):
        return cls.env["construction.sync.binding"].create(
            {
                "system_id": cls.system.id,
                "res_model": record._name,
                "res_id": record.id,
                "external_id": external_id,
            }
        )

    def setUp(self):
        super().setUp()
        for store in (
            self.double.timecards,
            self.double.change_orders,
            self.double.commitments,
            self.double.hooks,
        ):
            store.clear()
        for store in (
            self.double.projects,
            self.double.vendors,
            self.double.cost_codes,
            self.double.direct_costs,
            self.double.triggers,
            self.double.faults,
            self.double.requests,
        ):
            store.clear()

    def post_webhook(self, body, secret=None, header=True):
        headers = {"Content-Type": "application/json"}
        if header:
            headers[procore.SECRET_HEADER] = procore.secret_header(
                self.secret if secret is None else secret
            )
        return self.url_open(
            f"/construction/api/v1/webhooks/{self.system.webhook_uuid}", data=body, headers=headers
        )

    def pending_jobs(self):
        """The suite's pending jobs, but for the outbound deliveries a
        changed cost code sends to the demo's subscribed systems."""
        return self.env["queue.job"].search(
            [
                ("state", "in", ("pending", "enqueued")),
                ("model_name", "like", "construction."),
                ("model_name", "!=", "construction.sync.delivery"),
            ],
            order="id",
        )

    def events(self, code):
        return self.Event.search(
            [("system_id", "=", self.system.id), ("event_type_id.code", "=", code)], order="id"
        )

    def timesheets(self, entry):
        return self.Line.search([("construction_source_entry", "=", entry)], order="id")

    def pull(self, resource):
        return self.system.pull_ids.filtered(lambda pull: pull.resource == resource)
