"""The capture time of a photo whose camera wrote its local time, through
the field API's upload routes, with EXIF written into real JPEG bytes."""

import base64
from datetime import datetime, timedelta

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.tests import tagged

from .common import INSIDE, FieldApiCase

# 09:15 on a phone in Chicago in November (UTC-6) is 15:15 UTC.
LOCAL = "2026:11:20 09:15:00"
UTC = datetime(2026, 11, 20, 15, 15)


@tagged("post_install", "-at_install")
class TestCaptureTime(FieldApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site.tz = "America/Chicago"

    def camera_photo(self, **exif):
        """A real camera JPEG taken inside the site at 09:15 local."""
        self.__class__.serial += 1
        return make_image(
            exif=make_exif(
                description=f"camera {self.serial}",
                taken=LOCAL,
                latitude=INSIDE[0],
                longitude=INSIDE[1],
                **exif,
            )
        )

    def uploaded(self, data, **metadata):
        response = self.upload_http(data, **metadata)
        self.assertEqual(response.status_code, 201, response.text)
        return self.Photo.browse(response.json()["id"]), response.json()

    def batch_uploaded(self, data, **metadata):
        item = dict(metadata, image_base64=base64.b64encode(data).decode(), mimetype="image/jpeg")
        response = self.post_batch({"photos": [item]})
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()["photos"][0]
        self.assertEqual(result["status"], "accepted", result)
        return self.Photo.browse(result["photo"]["id"])

    def test_the_exif_offset_gives_the_time_whatever_the_site_zone(self):
        self.site.tz = "Europe/Paris"
        photo, body = self.uploaded(self.camera_photo(offset="-06:00"))
        self.assertEqual((photo.captured_at, photo.capture_source), (UTC, "exif"))
        self.assertEqual(photo.capture_timezone, "-06:00")
        self.assertEqual(body["captured_at"], "2026-11-20T15:15:00+00:00")

    def test_without_offset_the_device_zone_is_used(self):
        self.site.tz = "Europe/Paris"
        photo, _body = self.uploaded(self.camera_photo(), timezone="America/Chicago")
        self.assertEqual((photo.captured_at, photo.capture_source), (UTC, "exif_local"))

    def test_without_offset_the_gps_clock_the_photo_carries_gives_the_time(self):
        # the phone's last GPS fix, 40 s before the shutter
        gps = UTC - timedelta(seconds=40)
        photo = self.batch_uploaded(self.camera_photo(gps_time=gps))
        self.assertEqual((photo.captured_at, photo.capture_source), (gps, "gps"))
        self.assertFalse(photo.clock_mismatch, "the camera agrees with GPS in the site's zone")
        single, _body = self.uploaded(self.camera_photo(gps_time=gps))
        self.assertEqual((single.captured_at, single.capture_source), (gps, "gps"))

    def test_without_offset_nor_gps_the_site_zone_then_the_company_zone(self):
        photo, _body = self.uploaded(self.camera_photo())
        self.assertEqual((photo.captured_at, photo.capture_source), (UTC, "site_zone"))
        self.assertEqual(photo.capture_timezone, "America/Chicago")

        self.site.tz = False
        self.env.company.partner_id.tz = "America/Denver"  # UTC-7 in November
        photo = self.batch_uploaded(self.camera_photo())
        self.assertEqual(
            (photo.captured_at, photo.capture_source), (UTC + timedelta(hours=1), "company_zone")
        )

        self.env.company.partner_id.tz = False
        self.env["ir.config_parameter"].set_param(
            "construction_field_evidence.photo_timezone", "America/New_York"
        )
        photo, _body = self.uploaded(self.camera_photo())
        self.assertEqual(
            (photo.captured_at, photo.capture_source), (UTC - timedelta(hours=1), "company_zone")
        )

    def test_a_camera_clock_off_the_gps_clock_keeps_gps_and_is_flagged(self):
        gps = UTC - timedelta(minutes=20)  # the camera runs 20 minutes fast
        photo, _body = self.uploaded(self.camera_photo(offset="-06:00", gps_time=gps))
        self.assertEqual((photo.captured_at, photo.capture_source), (gps, "gps"))
        self.assertTrue(photo.clock_mismatch)
        self.assertEqual(photo.clock_drift_minutes, 20)
        flagged = self.Photo.search([("clock_mismatch", "=", True)])
        self.assertEqual(flagged, photo)

        self.env["ir.config_parameter"].set_param(
            "construction_field_evidence.clock_tolerance_minutes", "30"
        )
        tolerated, _body = self.uploaded(self.camera_photo(offset="-06:00", gps_time=gps))
        self.assertEqual((tolerated.captured_at, tolerated.capture_source), (UTC, "exif"))
        self.assertFalse(tolerated.clock_mismatch)

    def test_the_flag_and_the_source_are_on_the_form_and_in_the_filters(self):
        views = self.Photo.get_views([(False, "form"), (False, "search")])["views"]
        for name in ("clock_mismatch", "capture_source"):
            self.assertIn(f'name="{name}"', views["form"]["arch"])
        self.assertIn('name="clock_mismatch"', views["search"]["arch"])
        self.assertIn('name="time_from_gps"', views["search"]["arch"])

    def test_an_unknown_device_zone_is_refused(self):
        response = self.upload_http(self.camera_photo(), timezone="Mars/Olympus")
        self.assertEqual((response.status_code, response.json()["code"]), (422, "invalid_time"))
