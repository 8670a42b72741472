"""Evidence stays what was sent and what the review decided.

Each test plays an attack through the door an attacker has: the field
platform's API key over XML-RPC (Odoo's own RPC, where the key is the
password) or the field API, a reviewer's password over XML-RPC, or code
running as superuser; and checks that it is refused and nothing changed.
"""

import base64
import hashlib
import os
import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models.ir_attachment import evidence_savepoint
from .common import FieldApiCase


@tagged("post_install", "-at_install")
class EvidenceCase(FieldApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.system.service_user_id
        cls.reviewer = new_test_user(
            cls.env,
            login="integrity_reviewer",
            password="integrity_reviewer",
            groups="construction_sync.group_construction_sync_reviewer",
        )

    def rpc(self, login, secret, model, method, *args, **kwargs):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, secret, {})
        self.assertTrue(uid, f"{login} cannot log in over XML-RPC")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, secret, model, method, list(args), kwargs
        )

    def as_platform(self, model, method, *args, **kwargs):
        """A call made with the platform's API key, as a leaked key would be used."""
        return self.rpc(self.service.login, self.api_key, model, method, *args, **kwargs)

    def as_reviewer(self, model, method, *args, **kwargs):
        return self.rpc("integrity_reviewer", "integrity_reviewer", model, method, *args, **kwargs)

    def assertRefused(self, call, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        return caught.exception.faultString

    def uploaded_photo(self, **metadata):
        """A photo sent through the field API, waiting in the review queue."""
        response = self.upload_http(self.image(), site_id=self.site.id, stage="before", **metadata)
        self.assertEqual(response.status_code, 201, response.text)
        photo = self.Photo.browse(response.json()["id"])
        self.assertEqual(photo.state, "needs_review")
        return photo

    def detected_defect(self):
        """A low-confidence AI detection sent through the field API."""
        response = self.post_batch(
            {
                "observations": [
                    {
                        "client_uuid": f"obs-{self.image()[-8:].hex()}",
                        "site_id": self.site.id,
                        "detections": [{"label": "pothole", "confidence": 0.2}],
                    }
                ]
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        (result,) = response.json()["observations"]
        defect = self.Defect.browse(result["defect"]["id"])
        self.assertEqual(defect.state, "needs_review")
        return defect

    def original(self, photo):
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "construction.photo"),
                    ("res_id", "=", photo.id),
                    ("res_field", "=", "image"),
                ]
            )
        )


class TestPlatformsDoNotReviewTheirOwnEvidence(EvidenceCase):
    def test_a_platform_key_cannot_accept_confirm_or_set_the_state_over_xmlrpc(self):
        photo, defect = self.uploaded_photo(), self.detected_defect()
        link, token = self.env["construction.share.link"]._issue({"site_id": self.site.id})
        for model, record, method, args in (
            ("construction.photo", photo, "action_accept", ()),
            ("construction.photo", photo, "write", ({"state": "accepted"},)),
            ("construction.defect", defect, "action_confirm", ()),
            ("construction.defect", defect, "write", ({"state": "confirmed"},)),
            ("construction.defect", defect, "write", ({"reviewer_id": self.service.id},)),
        ):
            with self.subTest(model=model, method=method, args=args):
                self.assertRefused(self.as_platform, model, method, record.ids, *args)
        # Nor can it create evidence that skips the queue.
        for model, vals in (
            (
                "construction.photo",
                {
                    "image": base64.b64encode(self.image()).decode(),
                    "site_id": self.site.id,
                    "state": "accepted",
                    "source_system_id": self.system.id,
                },
            ),
            (
                "construction.defect",
                {
                    "site_id": self.site.id,
                    "category_id": self.pothole.id,
                    "state": "confirmed",
                    "source_system_id": self.system.id,
                },
            ),
        ):
            with self.subTest(create=model):
                before = self.env[model].search_count([])
                self.assertRefused(self.as_platform, model, "create", [vals])
                self.assertEqual(self.env[model].search_count([]), before)
        self.env.invalidate_all()
        self.assertEqual((photo.state, defect.state), ("needs_review", "needs_review"))
        self.assertFalse(defect.reviewer_id)
        page = self.url_open(f"/construction/share/{token.rsplit('/', 1)[1]}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(f"/photo/{photo.id}/", page.text)
        self.assertTrue(link.exists())

    def test_the_models_refuse_it_whatever_the_door(self):
        """The check is in the model: the ORM as the service user is refused too."""
        photo, defect = self.uploaded_photo(), self.detected_defect()
        for action in (
            lambda: photo.with_user(self.service).action_accept(),
            lambda: photo.with_user(self.service).action_reject("fine"),
            lambda: defect.with_user(self.service).action_confirm(),
            lambda: defect.with_user(self.service).action_correct_category(self.pothole),
            lambda: self.Defect.with_user(self.service).create(
                {"site_id": self.site.id, "state": "confirmed", "source_system_id": self.system.id}
            ),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                action()
        self.assertEqual((photo.state, defect.state), ("needs_review", "needs_review"))

    def test_a_reviewer_still_reviews_and_the_api_still_routes(self):
        photo, defect = self.uploaded_photo(), self.detected_defect()
        photo.with_user(self.reviewer).action_accept()
        defect.with_user(self.reviewer).action_confirm()
        self.assertEqual((photo.state, defect.state), ("accepted", "confirmed"))
        self.assertEqual(defect.reviewer_id, self.reviewer)
        # A sure detection is still confirmed by the routing, as before.
        response = self.post_batch(
            {
                "observations": [
                    {
                        "client_uuid": "sure-one",
                        "site_id": self.site.id,
                        "detections": [{"label": "pothole", "confidence": 0.99}],
                    }
                ]
            }
        )
        (result,) = response.json()["observations"]
        self.assertEqual(result["defect"]["state"], "confirmed")


class TestOriginalsAreImmutable(EvidenceCase):
    def test_no_one_replaces_moves_publishes_or_deletes_an_original_over_xmlrpc(self):
        photo = self.uploaded_photo()
        other = self.uploaded_photo()
        original = self.original(photo)
        self.assertEqual(hashlib.sha256(original.raw).hexdigest(), photo.checksum)
        forged = base64.b64encode(self.image()).decode()
        for who, call in (("platform", self.as_platform), ("reviewer", self.as_reviewer)):
            for method, args in (
                ("write", (original.ids, {"datas": forged})),
                ("write", (original.ids, {"res_id": other.id})),
                ("write", (original.ids, {"res_field": False})),
                ("write", (original.ids, {"public": True})),
                ("write", (original.ids, {"mimetype": "text/html"})),
                ("unlink", (original.ids,)),
                ("copy", (original.id,)),
                (
                    "create",
                    (
                        {
                            "name": "image",
                            "datas": forged,
                            "res_model": "construction.photo",
                            "res_id": photo.id,
                            "res_field": "image",
                        },
                    ),
                ),
            ):
                with self.subTest(who=who, method=method, args=str(args)[:60]):
                    self.assertRefused(call, "ir.attachment", method, *args)
        # A reviewer's write right on the photo reaches neither the image nor its removal.
        self.assertRefused(self.as_reviewer, "construction.photo", "unlink", photo.ids)
        with self.assertRaises(xmlrpc.client.Fault):
            self.as_reviewer("construction.photo", "write", photo.ids, {"image": forged})
        self.env.invalidate_all()
        self.assertEqual(self.original(photo), original)
        self.assertEqual(hashlib.sha256(original.raw).hexdigest(), photo.checksum)
        self.assertFalse(original.public)
        self.assertEqual(base64.b64decode(photo.image), original.raw)

    def test_code_running_as_superuser_cannot_change_it_either(self):
        photo = self.uploaded_photo()
        original = self.original(photo).sudo()
        for change in (
            lambda: original.write({"raw": self.image()}),
            lambda: original.write({"res_id": photo.id + 1}),
            lambda: original.unlink(),
            lambda: photo.sudo().unlink(),
            lambda: photo.sudo().write({"image": base64.b64encode(self.image())}),
        ):
            # UserError: AccessError, or the photo's own refusal of a new image
            with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                change()
            self.assertIn("evidence", str(caught.exception))
        self.assertTrue(photo.exists())
        self.assertEqual(hashlib.sha256(original.raw).hexdigest(), photo.checksum)
        # Moving the same bytes to another storage is no change: allowed.
        original.write({"raw": original.raw, "mimetype": original.mimetype})

    def test_the_retention_purge_removes_old_photos_and_leaves_a_trace(self):
        old, recent = self.uploaded_photo(), self.uploaded_photo()
        old_checksum, old_id = old.checksum, old.id
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "construction.photo"),
                    ("res_id", "=", old.id),
                    ("res_field", "in", ["image", "image_preview", "image_thumbnail"]),
                ]
            )
        )
        self.assertEqual(len(attachments), 3)
        self.env.cr.execute(
            "UPDATE construction_photo SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=400), old.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.Photo._cron_purge_expired(), 0, "no retention: every photo kept")
        self.env["ir.config_parameter"].set_param(
            "construction_field_evidence.photo_retention_days", 365
        )
        self.assertEqual(self.Photo._cron_purge_expired(), 1)
        self.assertFalse(old.exists())
        self.assertFalse(attachments.exists())
        self.assertTrue(recent.exists() and self.original(recent))
        trace = self.site.message_ids.filtered(lambda m: old_checksum in (m.body or ""))
        self.assertEqual(len(trace), 1)
        self.assertIn(f"#{old_id}", trace.body)
        self.assertIn("retention purge", trace.body)
        self.assertIn(self.service.name, trace.body)


class TestRefusedUploadsLeaveNoFile(EvidenceCase):
    def filestore_path(self, data):
        return self.env["ir.attachment"]._full_path(self.env["ir.attachment"]._fname_of(data))

    def test_an_upload_refused_for_its_site_writes_no_file(self):
        data = self.image()  # no GPS, no site: refused
        response = self.upload_http(data, client_uuid="nowhere", stage="before")
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json()["code"], "unknown_site")
        self.assertFalse(os.path.exists(self.filestore_path(data)))
        self.assertFalse(self.Photo.search([("client_uuid", "=", "nowhere")]))

    def test_files_of_a_photo_rolled_back_after_they_were_written_are_removed(self):
        data = self.image()
        with self.assertRaises(RuntimeError), evidence_savepoint(self.env):
            photo = self.Photo.create({"image": base64.b64encode(data), "site_id": self.site.id})
            self.assertTrue(os.path.exists(self.filestore_path(data)))
            self.assertTrue(photo.image_thumbnail)
            raise RuntimeError("anything that fails after the images were stored")
        self.assertFalse(os.path.exists(self.filestore_path(data)))
        # Bytes another attachment still uses are kept.
        kept = self.Photo.create({"image": base64.b64encode(data), "site_id": self.site.id})
        with self.assertRaises(RuntimeError), evidence_savepoint(self.env):
            self.env["ir.attachment"].sudo()._hold_files([data])
            raise RuntimeError("and fails")
        self.assertTrue(os.path.exists(self.filestore_path(data)))
        self.assertEqual(base64.b64decode(kept.image), data)
