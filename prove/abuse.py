"""Abuse: the attacks of issue #12 that reach the server over HTTP (the API
and XML-RPC), each run against the running server and each expected to be
refused with nothing written. One PASS/FAIL line per attack.

Run by ``bin/prove`` (alone: ``CONSTRUCTION_PROVE_ONLY=abuse bin/prove``).
The key it is given is the service user's of a system (the demo BidMaster);
as the administrator (``--login`` / ``--password``) it creates what the
attacks need (a Sync Manager, a photo of another system) and, for the
length of one attack, gives the system a webhook secret or a rate limit,
then puts them back.

    PYTHONPATH=bench python3 prove/abuse.py --url http://127.0.0.1:8269 \\
        --db construction_prove --api-key KEY --site-id 1
"""

import base64
import io
import json
import random
import socket
import threading
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from PIL import Image
from proof import ALLOWED_HOSTS, Verdict, proof_parser, signature_lib, wait_until
from sync_events import code_number, xmlrpc_caller

API = "/construction/api/v1"
SECRET = "prove-abuse-secret"


class Refused(Exception):
    """An XML-RPC call the server refused (its fault string)."""


def rpc_as(args, login, secret):
    """``rpc(model, method, *args, **kwargs)`` as ``login`` over XML-RPC,
    raising :class:`Refused` on a fault; None when the login is refused."""
    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    try:
        uid = common.authenticate(args.db, login, secret, {})
    except xmlrpc.client.Fault:
        uid = False
    if not uid:
        return None

    def rpc(model, method, *call_args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)
        try:
            return proxy.execute_kw(args.db, uid, secret, model, method, list(call_args), kwargs)
        except xmlrpc.client.Fault as fault:
            if "cannot marshal None" in fault.faultString:
                return None  # it ran: Odoo's XML-RPC cannot answer a method's None
            raise Refused(fault.faultString.strip().splitlines()[-1][:200]) from None

    return rpc


def jpeg():
    """A small JPEG never made before."""
    image = Image.new("RGB", (48, 48), tuple(random.randrange(256) for _ in range(3)))
    image.putpixel((random.randrange(48), random.randrange(48)), (1, 2, 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class Receiver:
    """A webhook receiver on this machine that counts what reaches it."""

    def __init__(self):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Abuse:
    def __init__(self, args):
        self.args = args
        self.run = f"abuse{int(time.time())}"
        self.base = args.url.rstrip("/") + API
        self.session = requests.Session()
        self.admin = xmlrpc_caller(args)
        self.signature = signature_lib()
        self.verdict = Verdict(f"Abuse: the HTTP-reachable attacks of issue #12 (run {self.run})")
        self.system, self.service_login = self.find_system()
        self.service = rpc_as(args, self.service_login, args.api_key)
        self.serial = 0
        self.code_serial = random.randrange(800000)

    # -- helpers ---------------------------------------------------------

    def find_system(self):
        """The system whose service user holds the API key: the one system
        with a service user, else the one whose login the key opens over
        XML-RPC."""
        systems = self.admin(
            "construction.sync.system",
            "search_read",
            [("service_user_id", "!=", False)],
            ["service_user_id", "company_id"],
        )
        logins = {
            user["id"]: user["login"]
            for user in self.admin(
                "res.users",
                "read",
                [system["service_user_id"][0] for system in systems],
                ["login"],
            )
        }
        for system in systems:
            login = logins[system["service_user_id"][0]]
            if len(systems) == 1 or rpc_as(self.args, login, self.args.api_key):
                return system, login
        raise SystemExit("no external system has the service user of this API key")

    def code(self):
        """A cost code number no run used before (most likely)."""
        self.code_serial += 1
        return code_number(self.code_serial, 0)

    def code_event(self, what):
        """``(key, body)`` of a new ``cost_code.upserted`` event."""
        key = self.key(what)
        envelope = {
            "event_type": "cost_code.upserted",
            "idempotency_key": key,
            "payload": {"code": self.code(), "name": f"Abuse {what}"},
        }
        return key, json.dumps(envelope).encode()

    def key(self, what):
        self.serial += 1
        return f"{self.run}-{what}-{self.serial}"

    def call(self, method, path, *, body=None, headers=None, auth=True, files=None, form=None):
        """One API request; ``body`` is JSON (an object, or its bytes),
        ``files`` and ``form`` a multipart upload."""
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = f"Bearer {self.args.api_key}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        return self.session.request(
            method,
            self.base + path,
            data=body if body is not None else form,
            files=files,
            headers=headers,
            timeout=60,
        )

    @staticmethod
    def outcome(response):
        try:
            code = response.json().get("code")
        except (ValueError, AttributeError):
            code = None
        return response.status_code, code

    def check(self, name, ok, figure):
        self.verdict.check(name, ok, figure)

    def events_with_key(self, key):
        return self.admin(
            "construction.sync.event",
            "search_count",
            [("system_id", "=", self.system["id"]), ("idempotency_key", "=", key)],
        )

    def upload(self, image, client_uuid):
        return self.call(
            "POST",
            "/field/photos",
            files={"image": ("photo.jpg", image, "image/jpeg")},
            form={
                "metadata": json.dumps(
                    {"site_id": self.args.site_id, "client_uuid": client_uuid, "stage": "before"}
                )
            },
        )

    def grant(self, *codes):
        """Grant the system the event types ``codes`` where systems are
        granted event types (as an administrator does for a platform that
        uploads field evidence); the grants before, to put back, or None."""
        fields = self.admin("construction.sync.system", "fields_get", ["inbound_event_type_ids"])
        if "inbound_event_type_ids" not in fields:
            return None
        before = self.admin(
            "construction.sync.system", "read", [self.system["id"]], ["inbound_event_type_ids"]
        )[0]["inbound_event_type_ids"]
        wanted = self.admin("construction.sync.event.type", "search", [("code", "in", codes)])
        self.write_system({"inbound_event_type_ids": [(4, type_id) for type_id in wanted]})
        return before

    def write_system(self, vals):
        self.admin("construction.sync.system", "write", [self.system["id"]], vals)

    def sync_manager(self):
        """A Sync Manager of the system's company, with a password."""
        password = f"{self.run}-pw"
        group = self.admin(
            "ir.model.data",
            "search_read",
            [
                ("module", "=", "construction_sync"),
                ("name", "=", "group_construction_sync_manager"),
            ],
            ["res_id"],
        )[0]["res_id"]
        company = self.system["company_id"][0]
        self.admin(
            "res.users",
            "create",
            {
                "name": f"Sync Manager {self.run}",
                "login": f"{self.run}-manager",
                "password": password,
                "groups_id": [(6, 0, [group])],
                "company_id": company,
                "company_ids": [(6, 0, [company])],
            },
        )
        return rpc_as(self.args, f"{self.run}-manager", password)

    # -- attacks ---------------------------------------------------------

    def event_type_not_granted(self):
        """A leaked estimating key books labor (#12 High 1). The proofs
        before this one grant labor to the same system (exactly_once), so
        the grant is withdrawn for the attack and given back after it."""
        labor = self.admin(
            "construction.sync.event.type", "search", [("code", "=", "labor.approved")]
        )
        granted = self.admin(
            "construction.sync.system", "read", [self.system["id"]], ["inbound_event_type_ids"]
        )[0]["inbound_event_type_ids"]
        withdrawn = [type_id for type_id in labor if type_id in granted]
        if withdrawn:
            self.write_system({"inbound_event_type_ids": [(3, type_id) for type_id in withdrawn]})
        try:
            self.labor_from_an_estimating_key()
        finally:
            if withdrawn:
                self.write_system(
                    {"inbound_event_type_ids": [(4, type_id) for type_id in withdrawn]}
                )

    def labor_from_an_estimating_key(self):
        key = self.key("labor")
        payload = {
            "source_entry_id": key,
            "employee": "EMP-1",
            "project": "JOB-1",
            "work_date": "2026-01-05",
            "hours": 8,
        }
        response = self.call(
            "POST",
            "/events",
            body={"event_type": "labor.approved", "idempotency_key": key, "payload": payload},
        )
        outcome = self.outcome(response)
        stored = self.events_with_key(key)
        self.check(
            "event type not granted to the system: 403 event_type_not_allowed",
            outcome == (403, "event_type_not_allowed") and not stored,
            f"labor.approved from an estimating system answered {outcome}; events stored: {stored}",
        )

    def nan_in_json(self):
        """NaN and Infinity are not JSON (RFC 8259): refused where JSON
        enters, never stored where ``payload::jsonb`` would break on them."""
        results = []
        for literal in ("NaN", "Infinity"):
            uuid_ = self.key("nan")
            item = f'"client_uuid": "{uuid_}", "site_id": {self.args.site_id}'
            raw = f'{{"observations": [{{{item}, "quantity": {literal}}}]}}'.encode()
            outcome = self.outcome(self.call("POST", "/field/batch", body=raw))
            results.append((literal, outcome, self.defects_bound(uuid_)))
        self.check(
            "NaN / Infinity in JSON: 400 invalid_json, nothing stored",
            all(
                outcome == (400, "invalid_json") and not stored
                for _literal, outcome, stored in results
            ),
            "; ".join(
                f"quantity {literal}: {outcome}, defects stored {stored}"
                for literal, outcome, stored in results
            ),
        )

    def defects_bound(self, client_uuid):
        """Defects the system's observation ``client_uuid`` made."""
        return self.admin(
            "construction.sync.binding",
            "search_count",
            [
                ("system_id", "=", self.system["id"]),
                ("res_model", "=", "construction.defect"),
                ("external_id", "=", client_uuid),
            ],
        )

    def signatures(self):
        """Signature v2: one request, once (#12 Medium)."""
        sig = self.signature

        def signed(method, path, body=b"", key=""):
            request = sig.SignedRequest.from_url(method, API + path, body, key)
            return sig.signed_headers(SECRET, request, time.time())

        def unsigned_at_once():
            with ThreadPoolExecutor(8) as pool:
                return list(
                    pool.map(
                        lambda _n: self.call("GET", "/cost-codes?limit=1").status_code, range(8)
                    )
                )

        # Every worker keeps the system as these unsigned requests find it:
        # the new secret must hold on each one at once.
        before = unsigned_at_once()
        self.write_system({"webhook_secret": SECRET})
        try:
            after = unsigned_at_once()
            self.check(
                "a new secret is required at once, by every worker",
                set(before) == {200} and set(after) == {401},
                f"8 unsigned requests at once before the secret: {before}; after: {after}",
            )
            key, body = self.code_event("signed")
            post_headers = signed("POST", "/events", body)
            first = self.call("POST", "/events", body=body, headers=post_headers)
            event_id = first.json().get("id") if first.status_code == 202 else None
            replay = self.outcome(self.call("POST", "/events", body=body, headers=post_headers))
            get_path = f"/events/{event_id}"
            get_headers = signed("GET", get_path)
            got = self.call("GET", get_path, headers=get_headers).status_code
            get_replay = self.outcome(self.call("GET", get_path, headers=get_headers))
            self.check(
                "replayed signature: 401 replayed_signature",
                first.status_code == 202
                and got == 200
                and replay == get_replay == (401, "replayed_signature")
                and self.events_with_key(key) == 1,
                f"POST {first.status_code} then again {replay}; GET {got} then again "
                f"{get_replay}; events stored: {self.events_with_key(key)}",
            )

            # The same signed request from 8 clients at once, served by
            # different workers: one passes.
            key, body = self.code_event("race")
            race_headers = signed("POST", "/events", body)
            with ThreadPoolExecutor(8) as pool:
                outcomes = list(
                    pool.map(
                        lambda _n: self.outcome(
                            self.call("POST", "/events", body=body, headers=race_headers)
                        ),
                        range(8),
                    )
                )
            passed = [o for o in outcomes if o[0] == 202]
            replayed = [o for o in outcomes if o == (401, "replayed_signature")]
            self.check(
                "one signature sent 8 times at once: one passes, across workers",
                len(passed) == 1 and len(replayed) == 7 and self.events_with_key(key) == 1,
                f"{len(passed)} passed, {len(replayed)} replayed_signature, others "
                f"{[o for o in outcomes if o not in passed + replayed]}; "
                f"events stored: {self.events_with_key(key)}",
            )

            fresh = signed("GET", get_path)
            elsewhere = [
                self.outcome(self.call("GET", "/cost-codes", headers=fresh)),
                self.outcome(self.call("GET", f"/events/{event_id}?limit=1", headers=fresh)),
                self.outcome(self.call("POST", "/events", body=b"{}", headers=fresh)),
            ]
            own = self.call("GET", get_path, headers=fresh).status_code
            self.check(
                "signature reused for another path, query or method: 401 invalid_signature",
                all(o == (401, "invalid_signature") for o in elsewhere) and own == 200,
                f"GET /cost-codes, GET ?limit=1, POST /events with a GET's signature: "
                f"{elsewhere}; its own request then: {own}",
            )

            now = int(time.time())
            v1_key, v1_body = self.code_event("v1")
            legacy = {
                sig.TIMESTAMP_HEADER: str(now),
                sig.SIGNATURE_HEADER: sig.sign_v1(SECRET, now, v1_body),
            }
            v1 = self.outcome(self.call("POST", "/events", body=v1_body, headers=legacy))
            self.check(
                "v1 signature (timestamp and body only) refused by default",
                v1 == (401, "invalid_signature") and not self.events_with_key(v1_key),
                f"answered {v1}; events stored: {self.events_with_key(v1_key)}",
            )
        finally:
            self.write_system({"webhook_secret": False})

    def ssrf(self, manager):
        """Outbound calls reach no address inside the network (#12 Medium)."""
        if manager is None:
            self.check("SSRF: Sync Manager available", False, "the Sync Manager cannot log in")
            return
        metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
        before = self.admin("construction.sync.system", "read", [self.system["id"]], ["base_url"])
        try:
            manager(
                "construction.sync.system", "write", [self.system["id"]], {"base_url": metadata}
            )
            refused = None
        except Refused as error:
            refused = str(error)
        after = self.admin("construction.sync.system", "read", [self.system["id"]], ["base_url"])
        if not refused:
            self.write_system({"base_url": before[0]["base_url"]})
        self.check(
            "SSRF: Sync Manager points a system at cloud metadata: refused",
            bool(refused) and after[0]["base_url"] == before[0]["base_url"],
            f"refused: {refused}" if refused else f"written: {after[0]['base_url']}",
        )

        # A name is not an address: localhost resolves inside. No host is
        # listed for the length of the attack.
        allowed = self.admin("ir.config_parameter", "get_param", ALLOWED_HOSTS) or ""
        receiver = Receiver()
        system_id = None
        try:
            self.admin("ir.config_parameter", "set_param", ALLOWED_HOSTS, "")
            changed = self.admin(
                "construction.sync.event.type", "search", [("code", "=", "cost_code.changed")]
            )
            system_id = manager(
                "construction.sync.system",
                "create",
                {
                    "name": f"Abuse receiver {self.run}",
                    "code": f"{self.run}-rcv",
                    "outbound_url": f"http://localhost:{receiver.port}/hooks",
                    "outbound_event_type_ids": [(6, 0, changed)],
                    "max_attempts": 2,
                    "timeout": 2,
                },
            )
            self.admin(
                "construction.cost.code",
                "create",
                {"code": self.code(), "name": f"Abuse SSRF {self.run}"},
            )

            def deliveries():
                return self.admin(
                    "construction.sync.delivery",
                    "search_read",
                    [("system_id", "=", system_id)],
                    ["state", "last_error"],
                )

            wait_until(
                lambda: deliveries() and all(d["state"] != "pending" for d in deliveries()), 120
            )
            rows = deliveries()
            self.check(
                "SSRF: delivery to a name inside the network: dead, nothing sent",
                rows
                and all(
                    d["state"] == "dead" and "not a public address" in (d["last_error"] or "")
                    for d in rows
                )
                and not receiver.requests,
                f"deliveries {[d['state'] for d in rows]}, "
                f"error {(rows[0]['last_error'] or '')[:90] if rows else None!r}; "
                f"requests that reached 127.0.0.1: {len(receiver.requests)}",
            )
        except Refused as error:
            self.check("SSRF: delivery to a name inside the network", False, str(error))
        finally:
            self.admin("ir.config_parameter", "set_param", ALLOWED_HOSTS, allowed)
            if system_id:
                self.admin("construction.sync.system", "write", [system_id], {"active": False})
            receiver.close()

    def field_rate_limit(self):
        """The field routes are rate-limited like events (#12 Medium)."""
        self.write_system({"rate_limit": 3})
        try:
            uuids = [self.key("rate") for _ in range(6)]
            outcomes = [self.outcome(self.upload(jpeg(), uuid_)) for uuid_ in uuids]
        finally:
            self.write_system({"rate_limit": 0})
        limited = [
            uuid_ for uuid_, o in zip(uuids, outcomes, strict=True) if o == (429, "rate_limited")
        ]
        stored = self.admin("construction.photo", "search_count", [("client_uuid", "in", limited)])
        self.check(
            "field route rate limit: 429 rate_limited, nothing stored",
            limited and not stored,
            f"6 uploads at 3 a minute answered {[o[0] for o in outcomes]}; "
            f"refused ones stored: {stored}",
        )

    def reused_client_uuid(self):
        """Another file under a client UUID already used: 409, not the first photo."""
        uuid_ = self.key("uuid")
        first = self.upload(jpeg(), uuid_)
        second = self.upload(jpeg(), uuid_)
        photos = self.admin(
            "construction.photo", "search_read", [("client_uuid", "=", uuid_)], ["checksum"]
        )
        self.check(
            "client_uuid reused with other bytes: 409 client_uuid_conflict, nothing stored",
            first.status_code == 201
            and self.outcome(second) == (409, "client_uuid_conflict")
            and len(photos) == 1,
            f"first {first.status_code}, second {self.outcome(second)}; photos: {len(photos)}",
        )
        return first.json().get("id") if first.status_code == 201 else None

    def health(self):
        response = self.call("GET", "/health", auth=False)
        self.check(
            "/health names no database",
            response.status_code == 200
            and self.args.db not in response.text
            and "database" not in response.json(),
            f"{response.status_code} {response.text[:120]}",
        )

    def service_xmlrpc(self, photo_id):
        """What a leaked key does over XML-RPC (#12 High 4, Medium)."""
        rpc = self.service
        if rpc is None:
            for name in (
                "XML-RPC: service user accepts its own photo / writes its state: refused",
                "XML-RPC: service user reads other systems' URLs: refused",
            ):
                self.check(name, True, "the service user's XML-RPC login is refused")
            return
        attempts = []
        for method, call_args in (
            ("action_accept", [[photo_id]]),
            ("write", [[photo_id], {"state": "accepted"}]),
        ):
            try:
                rpc("construction.photo", method, *call_args)
                attempts.append(f"{method}: done")
            except Refused as error:
                attempts.append(f"{method}: refused ({str(error)[:60]})")
        state = self.admin("construction.photo", "read", [photo_id], ["state"])[0]["state"]
        self.check(
            "XML-RPC: service user accepts its own photo / writes its state: refused",
            all("refused" in a for a in attempts) and state != "accepted",
            f"{'; '.join(attempts)}; state now {state}",
        )

        others = self.admin(
            "construction.sync.system",
            "search_read",
            [("id", "!=", self.system["id"]), ("base_url", "!=", False)],
            ["base_url"],
        )
        try:
            seen = rpc(
                "construction.sync.system",
                "search_read",
                [("id", "!=", self.system["id"])],
                ["base_url", "outbound_url", "note"],
            )
            leaked = [row for row in seen if row.get("base_url") or row.get("outbound_url")]
            figure = f"read {len(seen)} other systems, {len(leaked)} with their URLs"
        except Refused as error:
            leaked, figure = [], f"refused ({str(error)[:80]})"
        self.check(
            "XML-RPC: service user reads other systems' URLs: refused",
            others and not leaked,
            f"{figure}; other systems with a URL: {len(others)}",
        )

    def foreign_photo_on_defect(self):
        """Another system's photo linked to the platform's own defect."""
        fieldcam = self.admin(
            "construction.sync.system",
            "search",
            [("id", "!=", self.system["id"]), ("company_id", "=", self.system["company_id"][0])],
            limit=1,
        )
        foreign = self.admin(
            "construction.photo",
            "create",
            {
                "site_id": self.args.site_id,
                "image": base64.b64encode(jpeg()).decode(),
                "source_system_id": fieldcam[0],
                "name": f"Secret lot {self.run}",
            },
        )
        uuid_ = self.key("defect")
        batch = self.call(
            "POST",
            "/field/batch",
            body={"observations": [{"client_uuid": uuid_, "site_id": self.args.site_id}]},
        )
        try:
            defect_id = batch.json()["observations"][0]["defect"]["id"]
        except (ValueError, KeyError, IndexError, TypeError):
            self.check(
                "foreign photo ids on a defect: refused", False, f"no defect: {batch.text[:120]}"
            )
            return
        tried = []
        if self.service is not None:
            for vals in ({"photo_ids": [(4, foreign)]}, {"photo_ids": [(6, 0, [foreign])]}):
                try:
                    self.service("construction.defect", "write", [defect_id], vals)
                    tried.append("write done")
                except Refused as error:
                    tried.append(f"refused ({str(error)[:50]})")
        linked = self.admin("construction.defect", "read", [defect_id], ["photo_ids"])[0][
            "photo_ids"
        ]
        self.check(
            "foreign photo ids on a defect: refused, nothing linked",
            foreign not in linked,
            f"XML-RPC: {'; '.join(tried) or 'login refused'}; defect photos {linked}",
        )

    def original_attachment(self, photo_id):
        """The evidence original cannot be replaced or deleted."""
        original = self.admin(
            "ir.attachment",
            "search_read",
            [
                ("res_model", "=", "construction.photo"),
                ("res_id", "=", photo_id),
                ("res_field", "=", "image"),
            ],
            ["checksum"],
        )
        if not original:
            self.check("photo original: immutable", False, f"photo {photo_id} has no original")
            return
        attachment = original[0]
        tried = []
        if self.service is not None:
            for method, call_args in (
                ("write", [[attachment["id"]], {"datas": base64.b64encode(jpeg()).decode()}]),
                ("unlink", [[attachment["id"]]]),
            ):
                try:
                    self.service("ir.attachment", method, *call_args)
                    tried.append(f"{method}: done")
                except Refused as error:
                    tried.append(f"{method}: refused ({str(error)[:50]})")
        after = self.admin(
            "ir.attachment", "search_read", [("id", "=", attachment["id"])], ["checksum"]
        )
        unchanged = bool(after) and after[0]["checksum"] == attachment["checksum"]
        self.check(
            "photo original deleted or replaced over XML-RPC: refused",
            unchanged,
            f"{'; '.join(tried) or 'login refused'}; original "
            f"{'unchanged' if unchanged else 'changed or gone'}",
        )

    def shared_division(self):
        """One company's platform renames a shared MasterFormat division."""
        division = self.admin(
            "construction.cost.code",
            "search_read",
            [("code", "=", "03 00 00"), ("company_id", "=", False)],
            ["name"],
        )
        if not division:
            self.check("cost_code.upserted renaming a shared division", False, "no 03 00 00")
            return
        key = self.key("division")
        response = self.call(
            "POST",
            "/events",
            body={
                "event_type": "cost_code.upserted",
                "idempotency_key": key,
                "payload": {"code": "03 00 00", "name": f"Renamed by {self.run}"},
            },
        )
        state = None
        if response.status_code in (200, 202):
            event_id = response.json()["id"]

            def state_now():
                return self.admin("construction.sync.event", "read", [event_id], ["state"])[0][
                    "state"
                ]

            wait_until(lambda: state_now() not in ("received", "queued"), 120)
            state = state_now()
        name = self.admin("construction.cost.code", "read", [division[0]["id"]], ["name"])[0][
            "name"
        ]
        self.check(
            "cost_code.upserted renaming a shared division: refused",
            name == division[0]["name"] and (response.status_code >= 400 or state != "done"),
            f"answered {self.outcome(response)}, event {state}; division named {name!r}",
        )
        if name != division[0]["name"]:
            self.admin(
                "construction.cost.code",
                "write",
                [division[0]["id"]],
                {"name": division[0]["name"]},
            )

    def handler_at_config_init(self, manager):
        """A Sync Manager makes an event type run ir.config_parameter.init."""
        if manager is None:
            self.check(
                "Sync Manager points an event type at ir.config_parameter.init", False, "no manager"
            )
            return
        secret_before = self.admin("ir.config_parameter", "get_param", "database.secret")
        event_type = self.admin(
            "construction.sync.event.type",
            "search_read",
            [("code", "=", "cost_code.upserted")],
            ["id"],
        )[0]
        fields = self.admin("construction.sync.event.type", "fields_get", [], attributes=["type"])
        hijack = {"handler_model": "ir.config_parameter", "handler_method": "init"}
        restore = {name: None for name in hijack if name in fields}
        if restore:
            restore = self.admin(
                "construction.sync.event.type", "read", [event_type["id"]], list(restore)
            )[0]
            restore.pop("id", None)
        tried = []
        for method, call_args in (
            ("write", [[event_type["id"]], hijack]),
            (
                "create",
                [dict(hijack, code=f"{self.run}.hijack", name="Hijack", direction="inbound")],
            ),
        ):
            try:
                result = manager("construction.sync.event.type", method, *call_args)
                tried.append(f"{method}: done")
                if method == "create":
                    self.admin("construction.sync.event.type", "unlink", [result])
            except Refused as error:
                tried.append(f"{method}: refused ({str(error)[:50]})")
        if restore and "write: done" in tried:
            self.admin("construction.sync.event.type", "write", [event_type["id"]], restore)
        kept = self.admin("ir.config_parameter", "get_param", "database.secret") == secret_before
        self.check(
            "Sync Manager points an event type at ir.config_parameter.init: refused",
            all("refused" in t for t in tried) and kept,
            f"{'; '.join(tried)}; database.secret {'unchanged' if kept else 'CHANGED'}",
        )

    def main(self):
        print(
            f"\nAbuse against {self.args.url} (database {self.args.db}), as the service user "
            f"{self.service_login!r} of system {self.system['id']}"
        )
        manager = self.sync_manager()
        # The key is an estimating system's; the field attacks upload as a
        # field platform would, with the grants one has.
        grants = self.grant("photo.captured", "defect.detected")
        try:
            return self.attacks(manager)
        finally:
            if grants is not None:
                self.write_system({"inbound_event_type_ids": [(6, 0, grants)]})

    def attacks(self, manager):
        photo = []

        def on_a_photo():
            photo.append(self.reused_client_uuid())
            if not photo[0]:
                raise RuntimeError("no photo could be uploaded")
            self.service_xmlrpc(photo[0])
            self.original_attachment(photo[0])

        for attack in (
            self.event_type_not_granted,
            self.nan_in_json,
            self.signatures,
            lambda: self.ssrf(manager),
            self.health,
            self.foreign_photo_on_defect,
            self.shared_division,
            lambda: self.handler_at_config_init(manager),
            on_a_photo,
            # Last: the rate limit leaves the minute's budget spent.
            self.field_rate_limit,
        ):
            try:
                attack()
            except Exception as error:  # one broken attack is one FAIL row, not the end
                self.check(f"attack {getattr(attack, '__name__', 'lambda')}", False, repr(error))
        return self.verdict.print()


def main():
    parser = proof_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    socket.setdefaulttimeout(120)
    return Abuse(args).main()


if __name__ == "__main__":
    raise SystemExit(main())
