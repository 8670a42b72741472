"""Photos as phones take them: HEIC / HEIF and WebP bytes made with
pillow-heif and Pillow, through the field API's upload routes."""

import base64
import io

from PIL import Image

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.tests import tagged

from .common import INSIDE, FieldApiCase

ACCEPTED = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")


@tagged("post_install", "-at_install")
class TestPhoneFormats(FieldApiCase):
    def phone_photo(self, image_format, **exif):
        self.__class__.serial += 1
        return make_image(
            (320, 240),
            colour=(30, 90, 200),
            image_format=image_format,
            exif=make_exif(
                description=f"phone {self.serial}",
                latitude=INSIDE[0],
                longitude=INSIDE[1],
                **exif,
            ),
        )

    def original_bytes(self, photo):
        return base64.b64decode(photo.image)

    def test_an_iphone_heic_is_kept_byte_for_byte_with_upright_previews(self):
        data = self.phone_photo("HEIF", orientation=6, taken="2026:11:20 09:15:00", offset="-06:00")
        response = self.upload_http(data, "image/heic", stage="before")
        self.assertEqual(response.status_code, 201, response.text)
        photo = self.Photo.browse(response.json()["id"])
        self.assertEqual(self.original_bytes(photo), data, "the original, byte for byte")
        self.assertEqual((photo.mimetype, photo.width, photo.height), ("image/heic", 240, 320))
        self.assertEqual(photo.site_id, self.site, "filed by its EXIF GPS")
        self.assertEqual(response.json()["captured_at"], "2026-11-20T15:15:00+00:00")
        preview = Image.open(io.BytesIO(base64.b64decode(photo.image_preview)))
        self.assertEqual((preview.format, preview.size), ("JPEG", (240, 320)))
        red, _green, blue = preview.getpixel((120, 160))
        self.assertTrue(blue > 150 and red < 80, "the preview shows the photo's colour")
        self.assertTrue(photo.image_thumbnail)

    def test_heif_and_webp_arrive_through_the_batch(self):
        heic, webp = self.phone_photo("HEIF"), self.phone_photo("WEBP")
        response = self.post_batch(
            {
                "photos": [
                    {"image_base64": base64.b64encode(heic).decode(), "mimetype": "image/heif"},
                    {"image_base64": base64.b64encode(webp).decode(), "mimetype": "image/webp"},
                ]
            }
        )
        results = response.json()["photos"]
        self.assertEqual([item["status"] for item in results], ["accepted", "accepted"], results)
        photos = self.Photo.browse([item["photo"]["id"] for item in results])
        self.assertEqual(photos.mapped("mimetype"), ["image/heic", "image/webp"])
        self.assertEqual([self.original_bytes(photo) for photo in photos], [heic, webp])

    def test_other_types_are_415_naming_the_accepted_ones(self):
        for image_format, mimetype in (("GIF", "image/gif"), ("TIFF", "image/tiff")):
            with self.subTest(image_format=image_format):
                response = self.upload_http(make_image(image_format=image_format), mimetype)
                self.assertEqual(response.status_code, 415, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/problem+json")
                problem = response.json()
                self.assertEqual(problem["code"], "unsupported_image_type")
                for accepted in ACCEPTED:
                    self.assertIn(accepted, problem["detail"])
        self.assertFalse(self.Photo.search([("source_system_id", "=", self.system.id)]))
