import json
import logging
import time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..lib import signature
from .common import SyncCase

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestSyncApi(HttpCase, SyncCase):
    def call(self, path, body=None, *, key=None, raw=None, headers=None, method=None):
        headers = dict(headers or {})
        headers.setdefault("Authorization", f"Bearer {key or self.api_key}")
        if body is not None or raw is not None:
            raw = raw if raw is not None else json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
            return self.opener.post(
                self.base_url() + API + path, data=raw, headers=headers, timeout=30
            )
        return self.opener.request(
            method or "GET", self.base_url() + API + path, headers=headers, timeout=30
        )

    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual((problem["status"], problem["code"]), (status, code))
        self.assertTrue(problem["detail"])
        return problem

    def count_events(self):
        return self.Event.search_count([("system_id", "=", self.system.id)])

    def test_post_resend_and_read_back(self):
        response = self.call("/events", self.envelope("api-1", cost_type="material"))
        self.assertEqual(response.status_code, 202, response.text)
        posted = response.json()
        self.assertEqual((posted["state"], posted["duplicate"]), ("queued", False))
        event = self.Event.browse(posted["id"])
        self.assertEqual(event.system_id, self.system)
        job = (
            self.env["queue.job"]
            .search(
                [("model_name", "=", "construction.sync.event"), ("method_name", "=", "_job_apply")]
            )
            .filtered(lambda j: event.id in j.records.ids)
        )
        self.assertEqual(len(job), 1, "stored and queued in the same transaction")

        resend = self.call("/events", self.envelope("api-1", cost_type="material"))
        self.assertEqual(resend.status_code, 200)
        self.assertEqual((resend.json()["id"], resend.json()["duplicate"]), (event.id, True))
        self.assertEqual(self.count_events(), 1)

        event._job_apply()
        status = self.call(f"/events/{event.id}").json()
        self.assertEqual(status["state"], "done")
        self.assertEqual(status["records"][0]["model"], "construction.cost.code")
        self.assertEqual(status["correlation_id"], event.correlation_id)

    def test_idempotency_key_header_and_conflict(self):
        envelope = self.envelope(None)
        del envelope["idempotency_key"]
        first = self.call("/events", envelope, headers={"Idempotency-Key": "hdr-1"})
        self.assertEqual(first.json()["idempotency_key"], "hdr-1")
        envelope["payload"]["name"] = "Changed"
        self.assertProblem(
            self.call("/events", envelope, headers={"Idempotency-Key": "hdr-1"}),
            409,
            "idempotency_conflict",
        )

    def test_bad_requests_are_problems_and_write_nothing(self):
        cases = [
            (
                self.call("/events", {"event_type": "nope.nope", "payload": {}}),
                422,
                "unknown_event_type",
            ),
            (self.call("/events", self.envelope("x", name="")), 422, "schema_violation"),
            (self.call("/events", raw=b"{not json"), 400, "invalid_json"),
            (
                self.call("/events", raw=b"a=b", headers={"Content-Type": "text/plain"}),
                415,
                "unsupported_media_type",
            ),
            (self.call("/events", [1, 2]), 422, "schema_violation"),
            (
                self.call("/events", dict(self.envelope("y"), system="fieldcam")),
                403,
                "system_mismatch",
            ),
            (self.call("/events", self.envelope("z"), key="not-a-key"), 401, "unauthorized"),
            (self.call("/nowhere"), 404, "not_found"),
            (self.call("/events", method="GET"), 405, "method_not_allowed"),
        ]
        for response, status, code in cases:
            with self.subTest(code=code):
                self.assertProblem(response, status, code)
        pointers = [e["pointer"] for e in cases[1][0].json()["errors"]]
        self.assertEqual(pointers, ["/payload/name"])
        self.assertEqual(self.count_events(), 0)

    def test_text_with_nul_characters_is_a_schema_violation(self):
        # Found by prove/fuzz_api.py: PostgreSQL refused the text, a 500.
        envelope = self.envelope("nul-1", name="Paving\x00")
        envelope["idempotency_key"] = "nul\x00key"
        problem = self.assertProblem(self.call("/events", envelope), 422, "schema_violation")
        self.assertEqual(
            [error["pointer"] for error in problem["errors"]],
            ["/idempotency_key", "/payload/name"],
        )
        self.assertEqual(self.count_events(), 0)

    def test_client_errors_are_not_logged_as_server_errors(self):
        # A client's mistake is one INFO line, not an ERROR with a traceback.
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.assertProblem(self.call("/events", [1]), 422, "schema_violation")

    def test_size_and_rate_limits(self):
        self.env["ir.config_parameter"].set_param("construction_sync.max_event_bytes", 200)
        big = self.envelope("big", name="x" * 250)
        self.assertProblem(self.call("/events", big), 413, "payload_too_large")
        self.system.rate_limit = 2
        self.call("/events", self.envelope("r1", code="32 31 13", name="A"))
        self.call("/events", self.envelope("r2", code="32 31 23", name="B"))
        response = self.call("/events", self.envelope("r3", code="32 31 33", name="C"))
        limited = self.assertProblem(response, 429, "rate_limited")
        self.assertEqual(response.headers["Retry-After"], "60")
        self.assertIn("2 events a minute", limited["detail"])
        self.assertEqual(self.count_events(), 2)

    def test_user_without_system_is_refused(self):
        key = self.new_api_key(self.users["field_api"], "stray")
        self.assertProblem(self.call("/events", self.envelope("s"), key=key), 403, "no_system")

    def test_signed_systems_need_a_fresh_valid_signature(self):
        self.system.sudo().webhook_secret = "whsec-topsecret"
        body = json.dumps(self.envelope("sig-1")).encode()
        now = int(time.time())
        signed = signature.SignedRequest("POST", API + "/events", body=body)
        unsigned = self.call("/events", raw=body)
        self.assertProblem(unsigned, 401, "invalid_signature")
        forged = self.call(
            "/events",
            raw=body,
            headers={
                signature.TIMESTAMP_HEADER: str(now),
                signature.SIGNATURE_HEADER: signature.sign("guess", now, signed),
            },
        )
        self.assertProblem(forged, 401, "invalid_signature")
        stale = self.call(
            "/events",
            raw=body,
            headers={
                signature.TIMESTAMP_HEADER: str(now - 301),
                signature.SIGNATURE_HEADER: signature.sign("whsec-topsecret", now - 301, signed),
            },
        )
        self.assertProblem(stale, 401, "stale_timestamp")
        with self.assertLogs("odoo", level=logging.DEBUG) as logs:
            good = self.call(
                "/events",
                raw=body,
                headers={
                    signature.TIMESTAMP_HEADER: str(now),
                    signature.SIGNATURE_HEADER: signature.sign("whsec-topsecret", now, signed),
                },
            )
            logging.getLogger("odoo").debug("signed request done")
        self.assertEqual(good.status_code, 202, good.text)
        for response in (unsigned, forged, stale, good):
            self.assertNotIn("whsec-topsecret", response.text)
        self.assertNotIn("whsec-topsecret", "\n".join(logs.output))

    def test_batch_reports_each_item_and_rejected_items_write_nothing(self):
        response = self.call(
            "/events/batch",
            {
                "events": [
                    self.envelope("bt-1", code="32 31 13", name="Fences"),
                    self.envelope("bt-2", code="32 31 23", name=""),
                    {"event_type": "nope", "payload": {}},
                    self.envelope("bt-1", code="32 31 13", name="Fences"),
                    # the key again with another payload: refused once the
                    # insert found the key taken, and the first one stands
                    self.envelope("bt-1", code="32 31 13", name="Fencing"),
                ]
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["summary"], {"accepted": 1, "duplicate": 1, "rejected": 3})
        statuses = [
            (r["index"], r["status"], (r.get("error") or {}).get("code")) for r in body["results"]
        ]
        self.assertEqual(
            statuses,
            [
                (0, "accepted", None),
                (1, "rejected", "schema_violation"),
                (2, "rejected", "unknown_event_type"),
                (3, "duplicate", None),
                (4, "rejected", "idempotency_conflict"),
            ],
        )
        self.assertEqual(
            body["results"][1]["error"]["errors"][0]["pointer"], "/events/1/payload/name"
        )
        self.assertEqual(self.count_events(), 1)
        event = self.env["construction.sync.event"].search([("idempotency_key", "=", "bt-1")])
        self.assertEqual(event._payload()["name"], "Fences")

    def test_a_batch_sent_again_answers_with_the_events_of_the_first(self):
        events = [
            self.envelope(f"again-{n}", code=f"32 31 {n:02d}", name=f"Code {n}")
            for n in range(1, 4)
        ]
        first = self.call("/events/batch", {"events": events}).json()
        again = self.call(
            "/events/batch",
            {"events": [self.envelope("again-4", code="32 31 04", name="Code 4"), *events]},
        ).json()
        self.assertEqual(again["summary"], {"accepted": 1, "duplicate": 3, "rejected": 0})
        self.assertEqual(
            [result["event"]["id"] for result in again["results"][1:]],
            [result["event"]["id"] for result in first["results"]],
        )
        self.assertEqual(
            [result["event"]["correlation_id"] for result in again["results"][1:]],
            [result["event"]["correlation_id"] for result in first["results"]],
        )
        self.assertEqual(self.count_events(), 4)

    def test_batch_limits(self):
        self.env["ir.config_parameter"].set_param("construction_sync.max_batch_items", 2)
        events = [self.envelope(f"l{n}", code=f"32 31 {n:02d}", name="x") for n in range(1, 4)]
        self.assertProblem(self.call("/events/batch", {"events": events}), 422, "batch_too_large")
        self.assertProblem(self.call("/events/batch", {"events": []}), 422, "schema_violation")
        self.assertEqual(self.count_events(), 0)

    def test_events_of_other_systems_are_not_found(self):
        other = self.System.create({"name": "Other", "code": "other_test", "kind": "estimating"})
        foreign = self.receive("foreign-1", system=other)
        self.assertProblem(self.call(f"/events/{foreign.id}"), 404, "not_found")

    def test_cost_codes_are_paged_and_filtered_by_change_time(self):
        first = self.call("/cost-codes?limit=2").json()
        self.assertEqual(len(first["items"]), 2)
        self.assertEqual(first["next_offset"], 2)
        second = self.call("/cost-codes?limit=2&offset=2").json()
        self.assertNotEqual(first["items"][0]["id"], second["items"][0]["id"])
        self.env.cr.execute("UPDATE construction_cost_code SET write_date = '2020-01-01'")
        self.division_32.write({"name": "Exterior Improvements and Paving"})
        recent = self.call("/cost-codes?updated_since=2021-01-01T00:00:00Z").json()
        self.assertEqual([item["code"] for item in recent["items"]], ["32 00 00"])
        self.assertIsNone(recent["next_offset"])
        self.assertProblem(self.call("/cost-codes?limit=many"), 422, "validation_error")
        # Found by prove/fuzz_api.py: a negative limit, an offset past
        # PostgreSQL's bigint and a date that leaves the calendar in UTC
        # were 500s; a zero limit a useless page.
        for query in (
            "limit=-5",
            "limit=0",
            "offset=27566169454208458752",
            "updated_since=0001-01-01T00:00:00%2B14:00",
        ):
            with self.subTest(query=query):
                self.assertProblem(self.call(f"/cost-codes?{query}"), 422, "validation_error")

    def test_health_and_openapi_are_public(self):
        health = self.url_open(API + "/health")
        self.assertEqual(health.json()["status"], "ok")
        # Anyone may ask; the answer names nothing of the server.
        self.assertEqual(set(health.json()), {"status", "time"})
        self.assertNotIn(self.env.cr.dbname, health.text)
        document = self.url_open(API + "/openapi.json").json()
        self.assertEqual(document["openapi"], "3.1.0")
        self.assertIn("/events", document["paths"])

    def test_nan_and_infinity_are_refused_and_the_kpis_still_read(self):
        # Python's json reads them; PostgreSQL's jsonb (the KPI view casts
        # every payload) and JSON itself do not, and they pass any "minimum".
        bodies = [
            '{"event_type": "cost_code.upserted", "idempotency_key": "nan-1", '
            '"payload": {"code": "32 12 16", "name": "Paving", "quantity": NaN}}',
            '{"event_type": "cost_code.upserted", "idempotency_key": "inf-1", '
            '"payload": {"code": "32 12 16", "name": "Paving", "quantity": 1e999}}',
        ]
        for body in bodies:
            with self.subTest(body=body):
                self.assertProblem(self.call("/events", raw=body.encode()), 400, "invalid_json")
        batch = '{"events": [' + bodies[0] + "]}"
        self.assertProblem(self.call("/events/batch", raw=batch.encode()), 400, "invalid_json")
        self.assertEqual(self.count_events(), 0)
        self.env.flush_all()
        self.assertIsInstance(self.env["construction.sync.kpi"].search_count([]), int)

    def test_an_administrator_issues_the_service_users_key_and_sees_it_once(self):
        # A service user is a portal user: it cannot make a key itself.
        self.assertFalse(self.service_user._is_internal())
        action = self.system.with_user(self.env.ref("base.user_admin")).action_new_api_key()
        key = action["context"]["default_key"]
        self.assertEqual(action["res_model"], "res.users.apikeys.show")
        self.assertEqual(self.call("/cost-codes", key=key).status_code, 200)
        self.assertNotIn(key, " ".join(self.system.message_ids.mapped("body")))
        with self.assertRaises(AccessError):
            self.system.with_user(self.users["sync_manager"]).action_new_api_key()
