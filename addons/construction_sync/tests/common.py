import os
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import AccessError
from odoo.tests.common import TransactionCase, new_test_user

ROLE_GROUPS = {
    "user": "base.group_user",
    "field_api": "construction_sync.group_construction_sync_field_api",
    "reviewer": "construction_sync.group_construction_sync_reviewer",
    "estimator": "construction_sync.group_construction_sync_estimator",
    "controller": "construction_sync.group_construction_sync_controller",
    "sync_manager": "construction_sync.group_construction_sync_manager",
    "administrator": "construction_sync.group_construction_sync_administrator",
}


class ConstructionCase(TransactionCase):
    """One user per role, a second company, and the Cost Codes plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # The tests' external systems are servers on this machine, which an
        # administrator lists, as outbound calls reach no other address inside it.
        cls.env["ir.config_parameter"].set_param(
            "construction_sync.outbound_allowed_hosts", "127.0.0.1"
        )
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Northside Paving LLC"})
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"construction_{role}",
                groups=groups,
                company_id=cls.company.id,
                company_ids=[(6, 0, cls.company.ids)],
            )
            for role, groups in ROLE_GROUPS.items()
        }
        cls.CostCode = cls.env["construction.cost.code"]
        cls.plan = cls.env.ref("construction_sync.analytic_plan_cost_codes")
        cls.division_32 = cls.env.ref("construction_sync.cost_code_division_32")

    @classmethod
    def serve(cls, double):
        """``double`` (a platform's API played on this machine) started for
        the class, stopped after it."""
        double.__enter__()
        cls.addClassCleanup(double.__exit__, None, None, None)
        return double

    @classmethod
    def platform_system(cls, vals, secrets):
        """A system connected as an administrator connects one: ``vals``,
        owned by the Sync Manager, short timeouts for the local double, then
        its ``secrets`` (tokens, webhook secret), which only an administrator
        may write."""
        system = cls.env["construction.sync.system"].create(
            {"timeout": 2, "owner_id": cls.users["sync_manager"].id, **vals}
        )
        system.sudo().write(secrets)
        return system

    def allowed(self, record, role, operation, write_vals, create_vals):
        """Whether ``role`` may read (r), write (w), create (c) or unlink (u):
        tried for real, as that user, then rolled back whatever happened."""
        as_user = record.with_user(self.users[role])
        try:
            with self.env.cr.savepoint() as savepoint:
                if operation == "r":
                    as_user.read(list(write_vals))
                elif operation == "w":
                    as_user.write(write_vals)
                elif operation == "c":
                    as_user.browse().create(create_vals)
                else:
                    as_user.unlink()
                self.env.flush_all()
                savepoint.rollback()
        except AccessError:
            return False
        finally:
            self.env.invalidate_all()
        return True

    @classmethod
    def new_api_key(cls, user, name="key"):
        """A bearer API key of ``user``, as it would create one itself."""
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(None, name, None)

    @classmethod
    def new_platform(cls, code, kind, **vals):
        """``(system, API key)`` of a new external system of ``kind`` with a
        service user of its own, as an administrator sets one up."""
        service_user = new_test_user(
            cls.env,
            login=f"{code}_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        system = cls.env["construction.sync.system"].create(
            dict(
                {"name": code, "code": code, "kind": kind, "service_user_id": service_user.id},
                **vals,
            )
        )
        return system, cls.new_api_key(service_user, f"{code} integration")

    @classmethod
    def grant(cls, system, *codes):
        """Grant ``system`` the inbound event types ``codes`` (all of them
        when none is named), as an administrator does."""
        domain = [("direction", "=", "inbound")] + ([("code", "in", codes)] if codes else [])
        system.inbound_event_type_ids |= cls.env["construction.sync.event.type"].search(domain)

    @classmethod
    def file_source_root(cls, *folders):
        """A real folder set as the administrator's root of file sources
        (removed after the class), with ``folders`` made below it."""
        root = tempfile.mkdtemp(prefix="construction-file-sources-")
        cls.addClassCleanup(shutil.rmtree, root)
        cls.env["ir.config_parameter"].set_param("construction_sync.file_source_root", root)
        for folder in folders:
            os.makedirs(os.path.join(root, folder))
        return root

    @classmethod
    def create_codes(cls, *codes, **common_vals):
        return cls.CostCode.create(
            [dict(common_vals, code=code, name=f"Cost code {code}") for code in codes]
        )


class SyncCase(ConstructionCase):
    """An estimating system with a service user, its API key and a secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_user = new_test_user(
            cls.env,
            login="bidmaster_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.owner = cls.users["sync_manager"]
        cls.System = cls.env["construction.sync.system"]
        cls.system = cls.System.create(
            {
                "name": "BidMaster",
                "code": "bidmaster_test",
                "kind": "estimating",
                "service_user_id": cls.service_user.id,
                "owner_id": cls.owner.id,
                "max_attempts": 3,
            }
        )
        cls.api_key = cls.new_api_key(cls.service_user, "BidMaster integration")
        # Each test states its own systems of record; demo rules stay out.
        cls.env["construction.sync.ownership"].search([]).unlink()
        cls.Event = cls.env["construction.sync.event"]
        cls.upsert_type = cls.env.ref("construction_sync.event_type_cost_code_upserted")
        cls.ton = cls.env.ref("uom.product_uom_ton")

    @staticmethod
    def envelope(key, **payload):
        payload.setdefault("code", "32 12 16.13")
        payload.setdefault("name", "Plant-Mix Asphalt Paving")
        return {"event_type": "cost_code.upserted", "idempotency_key": key, "payload": payload}

    def receive(self, key, system=None, **payload):
        event, _created = self.Event.sudo()._receive(
            system or self.system, self.envelope(key, **payload)
        )
        return event

    def apply_counting(self, events):
        """Apply ``events`` as their job does; the queries it took."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        events._job_apply()
        self.env.flush_all()
        return self.cr.sql_log_count - before


class FieldActualsCase(SyncCase):
    """A timekeeping system, an employee, a project with a task, each bound
    to the system's ids, and a cost code: what field actuals land on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Maria Lopez",
                "hourly_cost": 40.0,
                "barcode": "4471",
                "work_email": "maria.lopez@example.com",
                "company_id": cls.company.id,
            }
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Main Street Resurfacing", "allow_timesheets": True}
        )
        cls.task = cls.env["project.task"].create(
            {"name": "Mill and overlay", "project_id": cls.project.id}
        )
        cls.cost_code = cls.create_codes("31 23 16.26")
        cls.column = cls.plan._column_name()
        cls.Line = cls.env["account.analytic.line"]
        # The timekeeping, telematics and field events these tests send.
        cls.grant(cls.system)
        cls.bind(cls.employee, "EMP-17")
        cls.bind(cls.project, "JOB-100")
        cls.bind(cls.task, "JOB-100-T1")

    @classmethod
    def bind(cls, record, external_id, system=None):
        return cls.env["construction.sync.binding"].create(
            {
                "system_id": (system or cls.system).id,
                "res_model": record._name,
                "res_id": record.id,
                "external_id": external_id,
            }
        )

    def receive_event(self, event_type, key, occurred_at, payload, enqueue=True):
        event, _created = self.Event.sudo()._receive(
            self.system,
            {
                "event_type": event_type,
                "idempotency_key": key,
                "occurred_at": occurred_at,
                "correlation_id": f"corr-{key}",
                "payload": payload,
            },
            enqueue=enqueue,
        )
        return event

    def apply(self):
        """Run the job body on every queued event of the system."""
        self.Event.search(
            [("system_id", "=", self.system.id), ("state", "=", "queued")]
        )._job_apply()

    def entry_lines(self, entry):
        return self.Line.search([("construction_source_entry", "=", entry)], order="id")


class LocalServer:
    """A real HTTP server on 127.0.0.1 standing for an external system.

    ``respond(request)`` gets the request handler (path, headers, body
    already read into ``request.body``) and returns ``(status, headers,
    body bytes)``; it may sleep first to play a slow answer (a client that
    gives up before it is written is no error). Every request is kept in
    ``requests``."""

    def __init__(self, respond, path="/"):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                server.requests.append(self)
                status, headers, body = respond(self)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first: a slow answer past its timeout.
                    return

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
