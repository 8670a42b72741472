"""The sync engine's grants, ownership rules and resolver on the doors that
apply what they receive at once: the estimate API and the field uploads."""

import base64
import json

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.tests import HttpCase, tagged

from .common import EstimateSyncCase, estimate_payload

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestEngineGrantsOnDirectRoutes(HttpCase, EstimateSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.photo_app, cls.photo_key = cls.new_platform("bridge_fieldcam", "field_evidence")
        cls.site = cls.env["construction.site"].create(
            {"name": "Bridge Lot", "project_id": cls.project.id}
        )

    def post(self, path, key, body=None, **kwargs):
        headers = {"Authorization": f"Bearer {key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            kwargs["data"] = json.dumps(body).encode()
        return self.opener.post(self.base_url() + API + path, headers=headers, timeout=60, **kwargs)

    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["code"], code)
        return response.json()

    def counts(self):
        return tuple(
            self.env[model].search_count([])
            for model in ("construction.estimate", "construction.sync.event", "construction.photo")
        )

    def test_a_photo_app_key_cannot_import_an_estimate(self):
        before = self.counts()
        response = self.post("/estimates", self.photo_key, estimate_payload())
        self.assertProblem(response, 403, "event_type_not_allowed")
        self.assertEqual(self.counts(), before)

    def test_an_estimate_another_system_owns_is_refused_before_anything_is_written(self):
        self.env["construction.sync.ownership"].create(
            {
                "model_id": self.env.ref(
                    "construction_estimate_bridge.model_construction_estimate"
                ).id,
                "system_id": self.photo_app.id,
            }
        )
        before = self.counts()
        response = self.post("/estimates", self.api_key, estimate_payload())
        self.assertProblem(response, 403, "ownership_violation")
        self.assertEqual(self.counts(), before)

    def test_an_estimate_is_imported_with_the_systems_granted_rights(self):
        response = self.post("/estimates", self.api_key, estimate_payload())
        self.assertEqual(response.status_code, 201, response.text)
        estimate = self.Estimate.browse(response.json()["id"])
        self.assertEqual(estimate.create_uid, self.system.handler_user_id)
        self.assertTrue(
            self.system.handler_user_id.has_group(
                "construction_sync.group_construction_sync_estimator"
            )
        )

    def test_estimate_imports_apply_the_systems_cost_code_value_maps(self):
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "cost_code",
                "external_value": "PAVE-HMA",
                "internal_reference": f"construction.cost.code,{self.code_paving.id}",
            }
        )
        payload = estimate_payload()
        payload["lines"][1]["cost_code"] = "PAVE-HMA"
        response = self.post("/estimates", self.api_key, payload)
        self.assertEqual(response.status_code, 201, response.text)
        line = self.Estimate.browse(response.json()["id"]).line_ids.filtered(
            lambda line: line.external_line_id == "L1"
        )
        self.assertEqual(line.cost_code_id, self.code_paving)

    def test_a_key_not_granted_photos_cannot_upload_one(self):
        before = self.counts()
        response = self.post(
            "/field/photos",
            self.api_key,
            files={"image": ("lot.jpg", make_image(exif=make_exif()), "image/jpeg")},
            data={"metadata": json.dumps({"site_id": self.site.id, "client_uuid": "p-1"})},
        )
        self.assertProblem(response, 403, "event_type_not_allowed")
        self.assertEqual(self.counts(), before)

    def test_a_field_batch_observation_not_granted_is_refused_alone(self):
        self.photo_app.inbound_event_type_ids -= self.env.ref(
            "construction_field_evidence.event_type_defect_detected"
        )
        image = base64.b64encode(make_image(exif=make_exif(description="batch"))).decode()
        response = self.post(
            "/field/batch",
            self.photo_key,
            {
                "photos": [
                    {
                        "client_uuid": "bp-1",
                        "site_id": self.site.id,
                        "image_base64": image,
                        "mimetype": "image/jpeg",
                    }
                ],
                "observations": [
                    {"client_uuid": "obs-1", "site_id": self.site.id, "category": "pothole"}
                ],
            },
        )
        body = response.json()
        self.assertEqual(body["photos"][0]["status"], "accepted", body)
        self.assertEqual(body["observations"][0]["status"], "rejected")
        self.assertEqual(body["observations"][0]["error"]["code"], "event_type_not_allowed")
        self.assertFalse(
            self.env["construction.defect"].search([("source_system_id", "=", self.photo_app.id)])
        )

    def test_a_photo_stage_is_never_matched_as_a_pattern(self):
        response = self.post(
            "/field/photos",
            self.photo_key,
            files={"image": ("lot.jpg", make_image(exif=make_exif(description="s")), "image/jpeg")},
            data={"metadata": json.dumps({"site_id": self.site.id, "stage": "%"})},
        )
        self.assertProblem(response, 422, "unknown_stage")
        self.assertFalse(
            self.env["construction.photo"].search([("source_system_id", "=", self.photo_app.id)])
        )
