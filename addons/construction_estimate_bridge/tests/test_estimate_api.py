import json

from odoo.tests import HttpCase, tagged

from .common import BASE_ROWS, EstimateSyncCase, estimate_payload

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestEstimateApi(HttpCase, EstimateSyncCase):
    def post(self, body, headers=None):
        headers = dict(headers or {})
        headers.setdefault("Authorization", f"Bearer {self.api_key}")
        headers.setdefault("Content-Type", "application/json")
        return self.opener.post(
            self.base_url() + API + "/estimates",
            data=json.dumps(body).encode(),
            headers=headers,
            timeout=60,
        )

    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual((problem["status"], problem["code"]), (status, code))
        return problem

    def count(self, model):
        return self.env[model].search_count([])

    def test_import_answers_the_approved_estimate_and_a_resend_changes_nothing(self):
        response = self.post(estimate_payload(revision=2), {"Idempotency-Key": "bp-api-1"})
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        estimate = self.Estimate.browse(body["id"])
        self.assertEqual(
            (body["state"], body["revision"], body["line_count"], body["duplicate"]),
            ("budgeted", 2, 5, False),
        )
        self.assertAlmostEqual(body["amount_total"], 10600)
        self.assertEqual((estimate.project_id, estimate.state), (self.project, "budgeted"))
        event = self.Event.search([("system_id", "=", self.system.id)])
        self.assertEqual((event.idempotency_key, event.state), ("bp-api-1", "done"))
        self.assertEqual(event.link_ids.res_id, estimate.id)

        estimates = self.count("construction.estimate")
        resend = self.post(estimate_payload(revision=2), {"Idempotency-Key": "bp-api-1"})
        self.assertEqual(resend.status_code, 200, resend.text)
        self.assertEqual((resend.json()["id"], resend.json()["duplicate"]), (estimate.id, True))
        self.assertEqual(self.count("construction.estimate"), estimates)
        conflict = self.post(estimate_payload(revision=3), {"Idempotency-Key": "bp-api-1"})
        self.assertProblem(conflict, 409, "idempotency_conflict")

    def test_line_errors_answer_pointers_and_write_nothing(self):
        rows = [
            *BASE_ROWS,
            ["L9", "", "Bad code", "99 99 99", 1, "t", 1, "", "", "", "", ""],
            ["L10", "", "Bad unit", "32 12 16", 1, "Hours", 1, "Nobody Inc", "", "", "", ""],
        ]
        before = (self.count("construction.estimate"), self.count("construction.estimate.line"))
        problem = self.assertProblem(self.post(estimate_payload(rows)), 422, "validation_error")
        self.assertIn("Nothing was imported", problem["detail"])
        errors = {error["pointer"]: error["message"] for error in problem["errors"]}
        self.assertEqual(set(errors), {"/lines/5/cost_code", "/lines/6/unit", "/lines/6/vendor"})
        self.assertIn("unknown cost code '99 99 99'", errors["/lines/5/cost_code"])
        self.assertIn("unknown vendor 'Nobody Inc'", errors["/lines/6/vendor"])
        after = (self.count("construction.estimate"), self.count("construction.estimate.line"))
        self.assertEqual(after, before)
        self.assertFalse(self.Event.search([("system_id", "=", self.system.id)]))

    def test_an_unknown_project_becomes_the_job_and_schema_violations_are_problems(self):
        response = self.post(estimate_payload(project="Elsewhere"))
        self.assertEqual(response.status_code, 201, response.text)
        job = self.env["project.project"].search([("name", "=", "Elsewhere")])
        self.assertEqual(self.Estimate.browse(response.json()["id"]).project_id, job)
        self.assertEqual(len(job), 1)
        payload = estimate_payload()
        payload["lines"][0]["colour"] = "red"
        del payload["external_ref"]
        problem = self.assertProblem(self.post(payload), 422, "schema_violation")
        self.assertEqual({error["pointer"] for error in problem["errors"]}, {"", "/lines/0"})

    def test_bearer_key_is_required(self):
        response = self.post(estimate_payload(), {"Authorization": "Bearer wrong"})
        self.assertEqual(response.status_code, 401, response.text)
        self.assertFalse(self.Estimate.search([("external_ref", "=", "EST-1")]))

    def test_openapi_documents_the_endpoint_and_the_payloads_like_the_data(self):
        document = self.opener.get(self.base_url() + API + "/openapi.json", timeout=30).json()
        self.assertIn("post", document["paths"]["/estimates"])
        schemas = document["components"]["schemas"]
        for name, xmlid in (
            ("EstimateApproved", "event_type_estimate_approved"),
            ("SupplierConfirmation", "event_type_supplier_confirmation"),
        ):
            with self.subTest(schema=name):
                data = json.loads(
                    self.env.ref(f"construction_estimate_bridge.{xmlid}").payload_schema
                )
                self.assertEqual(set(schemas[name]["properties"]), set(data["properties"]))
                self.assertEqual(schemas[name]["required"], data["required"])
        line = json.loads(
            self.env.ref("construction_estimate_bridge.event_type_estimate_approved").payload_schema
        )["properties"]["lines"]["items"]["properties"]
        self.assertEqual(set(schemas["EstimateLineImport"]["properties"]), set(line))

    def test_nan_in_an_estimate_is_invalid_json_and_imports_nothing(self):
        before = self.count("construction.estimate")
        body = json.dumps(estimate_payload()).replace('"quantity": 100', '"quantity": NaN', 1)
        self.assertIn('"quantity": NaN', body)
        response = self.opener.post(
            self.base_url() + API + "/estimates",
            data=body.encode(),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
            timeout=60,
        )
        self.assertProblem(response, 400, "invalid_json")
        self.assertEqual(self.count("construction.estimate"), before)
