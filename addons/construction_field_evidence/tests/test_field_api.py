import base64

from PIL import ExifTags
from PIL.TiffImagePlugin import IFDRational

from odoo.addons.construction_field_evidence.lib.tests.images import (
    corrupt_png,
    huge_png_header,
    make_exif,
    make_image,
)
from odoo.tests import tagged

from .common import API, INSIDE, NORTH_100M, FieldApiCase


@tagged("post_install", "-at_install")
class TestFieldApi(FieldApiCase):
    def test_upload_files_the_photo_on_its_site_once(self):
        data = self.image(
            latitude=INSIDE[0], longitude=INSIDE[1], taken="2026:11:20 09:15:00", offset="-06:00"
        )
        response = self.upload_http(
            data, client_uuid="cam-1", stage="before", correlation_id="trace-7"
        )
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual(
            (body["site_id"], body["stage"], body["inside_site"]), (self.site.id, "before", True)
        )
        self.assertEqual(body["captured_at"], "2026-11-20T15:15:00+00:00")
        self.assertEqual(body["gps_source"], "exif")
        photo = self.Photo.browse(body["id"])
        event = self.events("photo.captured")
        self.assertEqual((event.state, event.correlation_id), ("done", "trace-7"))
        self.assertEqual(self.env["construction.sync.event.link"]._events_of(photo), event)

        again = self.upload_http(data, client_uuid="cam-1", stage="before")
        self.assertEqual(again.status_code, 200)
        self.assertEqual((again.json()["id"], again.json()["duplicate"]), (photo.id, True))
        self.assertEqual(self.Photo.search_count([("source_system_id", "=", self.system.id)]), 1)
        self.assertEqual(len(self.events("photo.captured")), 1)

    def test_bad_uploads_are_problems_and_store_nothing(self):
        png = make_image(image_format="PNG")
        jpeg = make_image((300, 200), colour=(1, 2, 3))
        cases = [
            (b"%PDF-1.7 invoice", "image/jpeg", {}, 415, "not_an_image"),
            (png, "image/jpeg", {}, 415, "type_mismatch"),
            (jpeg[: len(jpeg) // 2], "image/jpeg", {}, 422, "truncated_image"),
            (huge_png_header(10_000, 5_001), "image/png", {}, 413, "too_many_pixels"),
            (self.image(), "image/jpeg", {"latitude": 91, "longitude": 0}, 422, "gps_out_of_range"),
            (self.image(), "image/jpeg", {"stage": "halfway"}, 422, "unknown_stage"),
            (self.image(), "image/jpeg", {"site_id": 999999}, 422, "unknown_site"),
            (self.image(), "image/jpeg", {"site_id": 237559218693}, 422, "unknown_site"),
            (self.image(), "image/jpeg", {"stage": "before"}, 422, "unknown_site"),
            (self.image(latitude=41.95, longitude=-87.7), "image/jpeg", {}, 422, "unknown_site"),
        ]
        for data, mimetype, metadata, status, code in cases:
            with self.subTest(code=code):
                response = self.upload_http(data, mimetype, **metadata)
                self.assertEqual(response.status_code, status, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/problem+json")
                self.assertEqual(response.json()["code"], code)
        self.env["ir.config_parameter"].set_param(
            "construction_field_evidence.max_upload_bytes", 1000
        )
        too_big = self.upload_http(make_image((400, 400), colour=(9, 9, 9)))
        self.assertEqual((too_big.status_code, too_big.json()["code"]), (413, "payload_too_large"))
        self.assertFalse(self.Photo.search([("source_system_id", "=", self.system.id)]))
        self.assertFalse(self.events("photo.captured"))

    def test_unreadable_exif_is_ignored_not_a_server_error(self):
        # Found by prove/image_corpus.py: a capture time written as a number
        # and GPS rationals over zero were 500s.
        exif = make_exif(orientation=6)
        exif[ExifTags.IFD.Exif] = {0x9003: 20261120, 0x9011: 5}
        zero = (IFDRational(1, 0),) * 3
        exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: zero, 3: "E", 4: zero}
        response = self.upload_http(make_image(exif=exif), site_id=self.site.id)
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        self.assertEqual((body["gps_source"], body["capture_source"]), (None, "upload"))

    def test_corrupt_png_is_refused_not_stored_garbled(self):
        # Found by prove/image_corpus.py: Odoo lets Pillow decode a corrupt
        # pixel stream, so the PNG was stored with a garbled preview.
        response = self.upload_http(corrupt_png(), "image/png", site_id=self.site.id)
        self.assertEqual((response.status_code, response.json()["code"]), (422, "truncated_image"))
        self.assertFalse(self.Photo.search([("source_system_id", "=", self.system.id)]))

    def test_nul_characters_in_metadata_are_a_schema_violation(self):
        response = self.upload_http(self.image(), site_id=self.site.id, note="a\x00b")
        self.assertEqual((response.status_code, response.json()["code"]), (422, "schema_violation"))
        self.assertEqual(response.json()["errors"][0]["pointer"], "/note")

    def test_observation_of_the_wrong_shape_is_rejected_alone(self):
        # Found by prove/fuzz_api.py: a list among photo_client_uuids was a 500.
        body = {
            "observations": [
                {"client_uuid": "bad-1", "photo_client_uuids": [["p-1"]], "detections": "none"},
                {"client_uuid": "ok-1", "site_id": self.site.id},
            ]
        }
        response = self.post_batch(body)
        self.assertEqual(response.status_code, 200, response.text)
        bad, good = response.json()["observations"]
        self.assertEqual((bad["status"], bad["error"]["code"]), ("rejected", "schema_violation"))
        self.assertEqual(
            [error["pointer"] for error in bad["error"]["errors"]],
            ["/observations/0/detections", "/observations/0/photo_client_uuids/0"],
        )
        self.assertEqual(good["status"], "accepted")

    def test_site_lookup_refuses_radius_and_limit_out_of_range(self):
        # Found by prove/fuzz_api.py: radius=nan or 1e308 reached SQL (500).
        for query in ("radius=nan", "radius=inf", "radius=1e308", "radius=-1", "limit=0"):
            with self.subTest(query=query):
                response = self.get(f"/field/sites?lat=41.88&lon=-87.63&{query}")
                self.assertEqual(
                    (response.status_code, response.json()["code"]), (422, "validation_error")
                )

    def test_missing_image_or_bad_metadata(self):
        no_image = self.opener.post(
            self.base_url() + API + "/field/photos", data={"metadata": "{}"}, headers=self.headers()
        )
        self.assertEqual(no_image.json()["code"], "schema_violation")
        bad = self.opener.post(
            self.base_url() + API + "/field/photos",
            files={"image": ("p.jpg", self.image(), "image/jpeg")},
            data={"metadata": "{oops"},
            headers=self.headers(),
        )
        self.assertEqual((bad.status_code, bad.json()["code"]), (400, "invalid_json"))

    def test_offline_batch_reports_each_item_and_a_resend_duplicates_nothing(self):
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "synonym",
                "external_value": "patch",
                "internal_value": "pothole",
            }
        )
        image = self.image(latitude=INSIDE[0], longitude=INSIDE[1])
        body = {
            "photos": [
                {
                    "client_uuid": "p-1",
                    "image_base64": base64.b64encode(image).decode(),
                    "mimetype": "image/jpeg",
                    "stage": "before",
                },
                {"client_uuid": "p-2", "image_base64": "not base64!", "mimetype": "image/jpeg"},
            ],
            "observations": [
                {
                    "client_uuid": "o-1",
                    "photo_client_uuids": ["p-1"],
                    "detections": [
                        {
                            "label": "patch",
                            "confidence": 0.97,
                            "model": "potholenet",
                            "photo_client_uuid": "p-1",
                            "bbox": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.2},
                        }
                    ],
                },
                {
                    "client_uuid": "o-2",
                    "photo_client_uuids": ["p-1"],
                    "detections": [{"label": "pothole", "confidence": 0.2, "model": "potholenet"}],
                },
                {
                    "client_uuid": "o-3",
                    "photo_client_uuids": ["p-1"],
                    "detections": [
                        {
                            "label": "pothole",
                            "confidence": 0.9,
                            "photo_client_uuid": "p-1",
                            "bbox": {"x": 0.8, "y": 0.8, "w": 0.5, "h": 0.5},
                        }
                    ],
                },
                {"client_uuid": "o-4", "category": "graffiti", "site_id": self.site.id},
            ],
        }
        response = self.post_batch(body)
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual([p["status"] for p in result["photos"]], ["accepted", "rejected"])
        self.assertEqual(
            result["photos"][1]["error"]["errors"][0]["pointer"], "/photos/1/image_base64"
        )
        statuses = [
            (o["status"], (o.get("error") or {}).get("code")) for o in result["observations"]
        ]
        self.assertEqual(
            statuses,
            [
                ("accepted", None),
                ("accepted", None),
                ("rejected", "bbox_outside_image"),
                ("rejected", "unknown_category"),
            ],
        )
        sure, unsure = (self.Defect.browse(o["defect"]["id"]) for o in result["observations"][:2])
        self.assertEqual((sure.category_id, sure.state), (self.pothole, "confirmed"))
        self.assertEqual(sure.annotation_ids.photo_id.client_uuid, "p-1")
        self.assertEqual(sure.site_id, self.site)
        self.assertEqual(unsure.state, "needs_review")
        self.assertIn("below", unsure.review_reason)
        self.assertEqual(len(self.events("defect.detected")), 2)

        again = self.post_batch(body).json()
        self.assertEqual([p["status"] for p in again["photos"]], ["duplicate", "rejected"])
        self.assertEqual(
            [o["status"] for o in again["observations"][:2]], ["duplicate", "duplicate"]
        )
        self.assertEqual(again["observations"][0]["defect"]["id"], sure.id)
        self.assertEqual(self.Defect.search_count([("site_id", "=", self.site.id)]), 2)
        self.assertEqual(len(self.events("defect.detected")), 2)

    def test_one_correlation_id_follows_every_item_of_a_batch(self):
        photo = {
            "image_base64": base64.b64encode(self.image()).decode(),
            "mimetype": "image/jpeg",
            "site_id": self.site.id,
        }
        body = {
            "correlation_id": "tablet-42/sync-7",
            "photos": [dict(photo, client_uuid="p-1")],
            "observations": [
                {"client_uuid": "o-1", "category": "pothole", "photo_client_uuids": ["p-1"]},
                {
                    "client_uuid": "o-2",
                    "category": "pothole",
                    "site_id": self.site.id,
                    "correlation_id": "own-trace",
                },
            ],
        }
        response = self.post_batch(body)
        self.assertEqual(response.status_code, 200, response.text)
        statuses = [
            item["status"] for key in ("photos", "observations") for item in response.json()[key]
        ]
        self.assertEqual(statuses, ["accepted"] * 3)
        photo_event = self.events("photo.captured")
        defect_events = self.events("defect.detected")
        self.assertEqual(photo_event.correlation_id, "tablet-42/sync-7")
        self.assertEqual(
            sorted(defect_events.mapped("correlation_id")), ["own-trace", "tablet-42/sync-7"]
        )
        self.assertEqual(
            self.env["construction.sync.event.link"]
            .search([("correlation_id", "=", "tablet-42/sync-7")])
            .mapped("res_model"),
            ["construction.photo", "construction.defect"],
        )

        bad = self.post_batch(dict(body, correlation_id=7))
        self.assertEqual((bad.status_code, bad.json()["code"]), (422, "schema_violation"))
        self.assertEqual(bad.json()["errors"][0]["pointer"], "/correlation_id")

    def test_parameters_a_route_does_not_name_leave_no_warning(self):
        # Odoo logged a warning on every upload naming its multipart fields,
        # and any caller could write its own words into the log as made-up
        # parameter names.
        with self.assertNoLogs("odoo.http", "WARNING"):
            uploaded = self.upload_http(self.image(), site_id=self.site.id, client_uuid="cam-quiet")
            near = self.get(f"/field/sites?lat={NORTH_100M[0]}&lon={NORTH_100M[1]}&made_up=x")
        self.assertEqual(uploaded.status_code, 201, uploaded.text)
        self.assertEqual(near.json()["items"][0]["id"], self.site.id)

    def test_reference_data(self):
        near = self.get(f"/field/sites?lat={NORTH_100M[0]}&lon={NORTH_100M[1]}&radius=500").json()
        self.assertEqual(near["items"][0]["id"], self.site.id)
        self.assertGreater(near["items"][0]["distance_m"], 50)
        far = self.get(f"/field/sites?lat={NORTH_100M[0]}&lon={NORTH_100M[1]}&radius=10").json()
        self.assertFalse(far["items"])
        self.assertEqual(self.get("/field/sites?lat=95&lon=0").json()["code"], "gps_out_of_range")
        codes = [c["code"] for c in self.get("/field/categories").json()["items"]]
        self.assertIn("pothole", codes)
        stages = [s["code"] for s in self.get("/field/stages").json()["items"]]
        self.assertEqual(stages[:3], ["before", "during", "after"])

    def test_observation_quantities_arrive_in_the_categorys_unit(self):
        # pothole patching is counted in ft²
        self.assertEqual(self.pothole.uom_id, self.square_foot)
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "uom",
                "external_value": "SQM",
                "internal_reference": f"uom.uom,{self.square_meter.id}",
            }
        )
        observation = {"category": "pothole", "site_id": self.site.id}
        body = {
            "observations": [
                dict(observation, client_uuid="o-m2", quantity=2, unit="m²"),
                dict(observation, client_uuid="o-map", quantity=1, unit="SQM"),
                dict(observation, client_uuid="o-none", quantity=12),
                dict(observation, client_uuid="o-hours", quantity=3, unit="Hours"),
                dict(observation, client_uuid="o-what", quantity=3, unit="furlong²"),
                dict(observation, client_uuid="o-number", quantity=3, unit=2),
                dict(observation, client_uuid="o-long", quantity=3, unit="m" * 65),
            ]
        }
        response = self.post_batch(body)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["observations"]
        self.assertEqual(
            [(o["status"], (o.get("error") or {}).get("code")) for o in results],
            [("accepted", None)] * 3
            + [("rejected", "unit_mismatch"), ("rejected", "unknown_unit")]
            + [("rejected", "schema_violation")] * 2,
        )
        defects = [self.Defect.browse(o["defect"]["id"]) for o in results[:3]]
        self.assertEqual({defect.uom_id for defect in defects}, {self.square_foot})
        for defect, square_feet in zip(defects, (21.528, 10.764, 12), strict=True):
            self.assertAlmostEqual(defect.quantity, square_feet, places=2)
        mismatch = results[3]["error"]
        self.assertEqual(mismatch["errors"][0]["pointer"], "/observations/3/unit")
        self.assertRegex(mismatch["detail"], "Hours.*Pothole.*ft²")
        self.assertEqual(results[4]["error"]["errors"][0]["pointer"], "/observations/4/unit")
        self.assertEqual(self.Defect.search_count([("site_id", "=", self.site.id)]), 3)
        self.assertEqual(len(self.events("defect.detected")), 3)
