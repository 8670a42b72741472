import base64
import io
from datetime import datetime
from unittest import mock

from PIL import Image

from odoo.addons.construction_field_evidence.lib.tests.images import (
    huge_png_header,
    make_exif,
    make_image,
)
from odoo.exceptions import UserError, ValidationError

from .common import INSIDE, NORTH_100M, FieldEvidenceCase


class TestPhotoUpload(FieldEvidenceCase):
    def test_exif_time_with_offset_and_gps_file_the_photo_under_its_site(self):
        photo = self.upload(
            self.image(
                taken="2026:05:04 13:45:10",
                offset="-05:00",
                latitude=INSIDE[0],
                longitude=INSIDE[1],
                accuracy=3.5,
            ),
            client_uuid="b1f7c0de-0001",
        )
        self.assertEqual(photo.captured_at, datetime(2026, 5, 4, 18, 45, 10))
        self.assertEqual((photo.capture_source, photo.capture_timezone), ("exif", "-05:00"))
        self.assertEqual((photo.gps_source, photo.gps_accuracy), ("exif", 3.5))
        self.assertAlmostEqual(photo.latitude, INSIDE[0], places=5)
        self.assertEqual(photo.site_id, self.site)
        self.assertTrue(photo.inside_boundary)
        self.assertEqual(photo.state, "needs_review")
        self.assertEqual(photo.source_system_id, self.system)
        self.assertEqual(len(photo.checksum), 64)
        self.assertTrue(photo.image_preview and photo.image_thumbnail)
        self.assertEqual((photo.width, photo.height, photo.mimetype), (64, 48, "image/jpeg"))

    def test_device_time_in_a_named_zone_is_stored_utc(self):
        photo = self.upload(captured_at="2026-05-04T08:00:00", timezone="America/Chicago")
        self.assertEqual(photo.captured_at, datetime(2026, 5, 4, 13, 0, 0))
        self.assertEqual(
            (photo.capture_source, photo.capture_timezone), ("device", "America/Chicago")
        )

    def test_device_time_with_offset(self):
        photo = self.upload(captured_at="2026-05-04T08:00:00+02:00")
        self.assertEqual(photo.captured_at, datetime(2026, 5, 4, 6, 0, 0))
        self.assertEqual(photo.capture_timezone, "+02:00")

    def test_exif_local_time_is_read_in_the_device_zone(self):
        photo = self.upload(self.image(taken="2026:01:10 09:30:00"), timezone="America/Chicago")
        self.assertEqual(photo.captured_at, datetime(2026, 1, 10, 15, 30, 0))
        self.assertEqual(photo.capture_source, "exif_local")

    def test_exif_time_with_offset_wins_over_the_device_clock(self):
        photo = self.upload(
            self.image(taken="2026:05:04 13:45:10", offset="+00:00"),
            captured_at="2030-01-01T00:00:00Z",
        )
        self.assertEqual(photo.captured_at, datetime(2026, 5, 4, 13, 45, 10))

    def test_device_gps_and_nearest_site(self):
        photo = self.upload(latitude=NORTH_100M[0], longitude=NORTH_100M[1], gps_accuracy=8)
        self.assertEqual((photo.gps_source, photo.gps_accuracy), ("device", 8))
        self.assertEqual(photo.site_id, self.site)
        self.assertFalse(photo.inside_boundary)
        self.assertAlmostEqual(photo.boundary_distance_m, 100.1, delta=1)
        far = self.upload(latitude=41.95, longitude=-87.70)
        self.assertFalse(far.site_id)

    def test_manual_position_recomputes_the_geofence(self):
        photo = self.upload(site_id=self.site.id)
        self.assertFalse(photo.gps_source)
        photo.write({"latitude": INSIDE[0], "longitude": INSIDE[1], "gps_source": "manual"})
        self.assertTrue(photo.inside_boundary)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            photo.write({"latitude": 123.0})

    def test_same_bytes_twice_make_one_photo(self):
        data = self.image()
        first = self.upload(data, client_uuid="uuid-1")
        second = self.upload(data, client_uuid="uuid-2")
        self.assertEqual(first, second)
        self.assertEqual(self.Photo.search_count([("checksum", "=", first.checksum)]), 1)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.Photo.create({"image": base64.b64encode(data)})
        self.assertEqual(caught.exception.code, "duplicate_image")
        other = self.Photo.create(
            {"image": base64.b64encode(data), "company_id": self.other_company.id}
        )
        self.assertEqual(other.checksum, first.checksum)

    def test_client_uuid_is_idempotent_per_system(self):
        data = self.image()
        first = self.upload(data, client_uuid="same-uuid")
        again = self.upload(data, client_uuid="same-uuid")
        self.assertEqual(first, again)
        other_system = self.env["construction.sync.system"].create(
            {"name": "Other app", "code": "other_app_test"}
        )
        self.assertNotEqual(self.upload(client_uuid="same-uuid", system=other_system), first)

    def test_bad_uploads_are_refused_with_a_code_and_nothing_is_written(self):
        png = make_image(image_format="PNG")
        jpeg = make_image((300, 200), colour=(1, 2, 3))
        cases = [
            ("not_an_image", b"%PDF-1.7 invoice", "image/jpeg", {}),
            ("type_mismatch", png, "image/jpeg", {}),
            ("truncated_image", jpeg[: len(jpeg) // 2], "image/jpeg", {}),
            ("too_many_pixels", huge_png_header(10_000, 5_001), "image/png", {}),
            ("gps_out_of_range", self.image(), "image/jpeg", {"latitude": 91, "longitude": 0}),
            ("gps_out_of_range", self.image(latitude=95.0, longitude=1.0), "image/jpeg", {}),
            ("unknown_stage", self.image(), "image/jpeg", {"stage": "halfway"}),
            ("unknown_category", self.image(), "image/jpeg", {"category": "graffiti"}),
            ("invalid_time", self.image(), "image/jpeg", {"captured_at": "yesterday"}),
        ]
        before = self.Photo.search_count([])
        for code, data, mimetype, metadata in cases:
            with (
                self.subTest(code=code),
                self.assertRaises(ValidationError) as caught,
                self.env.cr.savepoint(),
            ):
                self.upload(data, mimetype, **metadata)
            self.assertEqual(caught.exception.code, code)
            self.assertTrue(str(caught.exception))
        self.assertEqual(self.Photo.search_count([]), before)

    def test_pixel_count_is_checked_before_decoding(self):
        data = huge_png_header(10_000, 5_001)
        decoding = mock.patch.object(Image.Image, "load", side_effect=AssertionError("decoded"))
        with decoding as load, self.assertRaises(ValidationError) as caught:
            self.upload(data, "image/png")
        self.assertEqual(caught.exception.code, "too_many_pixels")
        load.assert_not_called()

    def test_unapproved_stage_is_refused(self):
        custom = self.env["construction.photo.stage"].create(
            {"name": "Curing", "code": "curing", "approved": False}
        )
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.upload(stage="curing")
        self.assertEqual(caught.exception.code, "unknown_stage")
        photo = self.upload()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            photo.stage_id = custom
        custom.approved = True
        self.assertEqual(self.upload(stage="Curing").stage_id, custom)

    def test_caption_from_category_stage_tags_and_site(self):
        photo = self.upload(
            site_id=self.site.id, stage="before", category="pot hole", tags=["curb", "lane 3"]
        )
        self.assertEqual(photo.category_id, self.pothole)
        self.assertEqual(photo.caption, "Pothole, before: curb, lane 3 (Lakeside Lot)")
        photo.stage_id = self.after
        self.assertEqual(photo.caption, "Pothole, after: curb, lane 3 (Lakeside Lot)")

    def test_notes_are_cleaned(self):
        photo = self.upload(note="Crack\x00 at curb\r\n\r\n\r\nsee lane 3\x1b")
        self.assertEqual(photo.note, "Crack at curb\nsee lane 3")

    def test_review_accept_and_reject_with_reason(self):
        photo = self.upload()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            photo.action_accept()  # no site, no stage yet
        photo.write({"site_id": self.site.id, "stage_id": self.before.id})
        photo.action_accept()
        self.assertEqual(photo.state, "accepted")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            photo.action_reject("  ")
        wizard = self.env["construction.review.wizard"].create(
            {"photo_ids": [(6, 0, photo.ids)], "decision": "reject", "reason": "Blurry"}
        )
        wizard.action_apply()
        self.assertEqual((photo.state, photo.reject_reason), ("rejected", "Blurry"))
        photo.action_reset_review()
        self.assertEqual(photo.state, "needs_review")

    def test_the_original_cannot_be_replaced(self):
        photo = self.upload()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            photo.image = base64.b64encode(self.image())

    def test_a_large_original_is_stored_byte_for_byte(self):
        # Larger than the 1920 px that Odoo's attachments shrink images to.
        data = make_image((2400, 1800), exif=make_exif(description="large original"))
        photo = self.upload(data)
        self.env.invalidate_all()
        self.assertEqual(base64.b64decode(photo.image), data)
        self.assertEqual((photo.width, photo.height, photo.file_size), (2400, 1800, len(data)))
        preview = Image.open(io.BytesIO(base64.b64decode(photo.image_preview)))
        self.assertEqual(preview.size, (1000, 750))

    def test_orientation_gives_upright_size_and_preview(self):
        photo = self.upload(self.image(orientation=6))
        self.assertEqual((photo.width, photo.height), (48, 64))
        preview = Image.open(io.BytesIO(base64.b64decode(photo.image_preview)))
        self.assertEqual(preview.size, (48, 64))

    def test_field_api_service_user_can_upload(self):
        service = self.users["field_api"]
        # a service user files photos under the system it serves, no other
        self.system.service_user_id = service
        self.env["construction.photo.tag"].create({"name": "curb"})
        photo = self.Photo.with_user(service)._create_from_upload(
            self.image(latitude=INSIDE[0], longitude=INSIDE[1]),
            "image/jpeg",
            {"stage": "during", "category": "patch", "tags": ["curb", "new tag"]},
            self.system,
        )
        self.assertEqual(photo.uploader_id, service)
        self.assertEqual(photo.site_id, self.site)
        self.assertEqual((photo.stage_id, photo.category_id), (self.during, self.pothole))
        self.assertEqual(sorted(photo.tag_ids.mapped("name")), ["curb", "new tag"])
        self.assertEqual(
            self.env["construction.photo.tag"].search_count([("name", "=", "curb")]), 1
        )
