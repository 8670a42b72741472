import base64
import os
from unittest import mock

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.addons.construction_field_evidence.tests.common import FieldApiCase
from odoo.tests import tagged

from .common import BUCKET, ENVIRONMENT, bucket, s3_server

IMAGE_FIELDS = ("image", "image_preview", "image_thumbnail")


@tagged("post_install", "-at_install")
class TestObjectStorage(FieldApiCase):
    """Photos uploaded through the field API, with the shipped storage
    (data/fs_storage.xml) pointed at a real S3-compatible server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.url = cls.enterClassContext(s3_server())
        cls.enterClassContext(
            mock.patch.dict(os.environ, dict(ENVIRONMENT, CONSTRUCTION_S3_ENDPOINT_URL=cls.url))
        )
        cls.storage = cls.env.ref("construction_object_storage.storage_objects")
        cls.bucket = bucket(cls.url)

    def attachments(self, photo):
        return {
            attachment.res_field: attachment
            for attachment in self.env["ir.attachment"].search(
                [
                    ("res_model", "=", "construction.photo"),
                    ("res_id", "=", photo.id),
                    ("res_field", "in", IMAGE_FIELDS),
                ]
            )
        }

    def uploaded(self):
        """A photo uploaded through the field API, large enough for its
        preview and thumbnail to differ; with the objects it added."""
        TestObjectStorage.serial += 1
        data = make_image(
            size=(1600, 1200), exif=make_exif(description=f"object storage {self.serial}")
        )
        before = set(self.bucket.find(BUCKET))
        response = self.upload_http(data, stage="before", site_id=self.site.id)
        self.assertEqual(response.status_code, 201, response.text)
        added = set(self.bucket.find(BUCKET)) - before
        return self.Photo.browse(response.json()["id"]), data, added

    def test_photos_stay_in_the_filestore_until_the_bucket_is_chosen(self):
        photo, data, added = self.uploaded()
        stored = self.attachments(photo)
        self.assertEqual(sorted(stored), sorted(IMAGE_FIELDS))
        self.assertEqual(stored["image"].raw, data)
        for attachment in stored.values():
            self.assertNotIn("://", attachment.store_fname)
            self.assertTrue(os.path.exists(attachment._full_path(attachment.store_fname)))
        self.assertEqual(added, set())

    def test_original_and_renditions_go_to_the_bucket_byte_for_byte(self):
        self.storage.model_ids = self.env["ir.model"]._get("construction.photo")
        photo, data, objects = self.uploaded()
        stored = self.attachments(photo)
        self.assertEqual(sorted(stored), sorted(IMAGE_FIELDS))
        self.assertEqual(len(objects), 3, objects)
        for field, attachment in stored.items():
            code, _sep, path = attachment.store_fname.partition("://")
            self.assertEqual(code, "construction_s3", field)
            self.assertFalse(attachment.db_datas, field)
            key = f"{BUCKET}/{path}"
            self.assertIn(key, objects)
            # what the bucket holds is what the photo shows
            self.assertEqual(self.bucket.cat(key), attachment.raw, field)
        # the original is the camera's bytes, read back through the photo
        self.assertEqual(stored["image"].raw, data)
        self.assertEqual(base64.b64decode(photo.image), data)

        # served from the bucket to a user who may read the photo
        self.authenticate("admin", "admin")
        response = self.url_open(f"/web/image/construction.photo/{photo.id}/image_preview")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, stored["image_preview"].raw)
