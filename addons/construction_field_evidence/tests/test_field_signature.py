import json
import time

import requests

from odoo.addons.construction_sync.lib import signature
from odoo.tests import tagged

from .common import API, FieldApiCase

SECRET = "whsec-fieldcam"


@tagged("post_install", "-at_install")
class TestFieldSignature(FieldApiCase):
    """A signed upload is signed whole: the file it carries, not only its
    headers, and once."""

    def multipart(self, image, client_uuid):
        """The exact bytes and content type a platform sends."""
        prepared = requests.Request(
            "POST",
            self.base_url() + API + "/field/photos",
            files={"image": ("photo.jpg", image, "image/jpeg")},
            data={"metadata": json.dumps({"site_id": self.site.id, "client_uuid": client_uuid})},
        ).prepare()
        return prepared.body, prepared.headers["Content-Type"]

    def send(self, body, content_type, signed_headers):
        return self.opener.post(
            self.base_url() + API + "/field/photos",
            data=body,
            headers=dict(signed_headers, **self.headers(), **{"Content-Type": content_type}),
            timeout=60,
        )

    def test_a_signed_upload_covers_the_file_and_is_good_once(self):
        self.system.sudo().webhook_secret = SECRET
        body, content_type = self.multipart(self.image(), "cam-signed-1")
        headers = signature.signed_headers(
            SECRET, signature.SignedRequest("POST", API + "/field/photos", body=body), time.time()
        )
        # Someone who captured the request swaps the photo, keeps the signature.
        forged_body, forged_type = self.multipart(self.image(), "cam-signed-1")
        forged = self.send(forged_body, forged_type, headers)
        self.assertEqual(forged.status_code, 401, forged.text)
        self.assertEqual(forged.json()["code"], "invalid_signature")
        self.assertFalse(self.Photo.search([("client_uuid", "=", "cam-signed-1")]))

        good = self.send(body, content_type, headers)
        self.assertEqual(good.status_code, 201, good.text)
        replay = self.send(body, content_type, headers)
        self.assertEqual(replay.status_code, 401, replay.text)
        self.assertEqual(replay.json()["code"], "replayed_signature")
        self.assertEqual(self.Photo.search_count([("client_uuid", "=", "cam-signed-1")]), 1)
