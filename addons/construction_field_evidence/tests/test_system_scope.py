"""A field platform's service user reaches only what its own system brought
in: the photos, defects and bounding boxes of another platform of the same
company are as out of reach through its API key (XML-RPC, the ORM) as they
are through the field API, and a duplicate of another source's image is
refused without naming the photo it duplicates. Its own evidence it reads,
and changes no more than the field API lets it: not at all once sent."""

import base64
import json
import xmlrpc.client

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import FieldApiCase


@tagged("post_install", "-at_install")
class TestSystemScope(FieldApiCase):
    """System A is the test platform (``self.system``, whose key the HTTP
    calls carry); system B is a second platform of the same company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_a = cls.system.service_user_id
        cls.service_b = new_test_user(
            cls.env,
            login="roadscan_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.system_b = cls.env["construction.sync.system"].create(
            {
                "name": "RoadScan",
                "code": "roadscan_test",
                "kind": "field_evidence",
                "service_user_id": cls.service_b.id,
            }
        )
        cls.photo_a = cls.upload_as(cls.system, client_uuid="a-1")
        cls.photo_b = cls.upload_as(cls.system_b, client_uuid="b-1")
        cls.defect_a, cls.defect_b = cls.Defect.create(
            [
                {
                    "site_id": cls.site.id,
                    "category_id": cls.pothole.id,
                    "source_system_id": system.id,
                    "photo_ids": [(6, 0, photo.ids)],
                }
                for system, photo in ((cls.system, cls.photo_a), (cls.system_b, cls.photo_b))
            ]
        )
        cls.box_a, cls.box_b = cls.env["construction.defect.annotation"].create(
            [
                {
                    "defect_id": defect.id,
                    "photo_id": photo.id,
                    "x": 0.1,
                    "y": 0.1,
                    "width": 0.2,
                    "height": 0.2,
                }
                for defect, photo in ((cls.defect_a, cls.photo_a), (cls.defect_b, cls.photo_b))
            ]
        )

    @classmethod
    def upload_as(cls, system, data=None, **metadata):
        return cls.Photo._create_from_upload(
            data or cls.image(), "image/jpeg", dict(metadata, site_id=cls.site.id), system
        )

    def assertNotNamed(self, photo, answer):
        """Neither ``photo``'s id, its name nor its system is in ``answer``."""
        text = json.dumps({key: value for key, value in answer.items() if key != "status"})
        self.assertNotRegex(text, rf"\b{photo.id}\b")
        for secret in (photo.name, photo.source_system_id.name, photo.source_system_id.code):
            self.assertNotIn(secret, text)

    def records(self):
        """(own record, the other system's record, field, value to write)."""
        return (
            (self.photo_a, self.photo_b, "note", "seen"),
            (self.defect_a, self.defect_b, "severity", "high"),
            (self.box_a, self.box_b, "label", "seen"),
        )

    # ------------------------------------------------------------------
    # Through the ORM, as the service user
    # ------------------------------------------------------------------

    def test_service_user_reads_its_own_systems_records_only_and_changes_none(self):
        for own, foreign, field, value in self.records():
            with self.subTest(model=own._name):
                mine = own.with_user(self.service_a)
                self.assertEqual(mine.search([("id", "in", (own | foreign).ids)]), own)
                self.assertEqual(mine.read([field])[0][field], own[field])
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    mine.write({field: value})
                self.assertNotEqual(own[field], value)
                theirs = foreign.with_user(self.service_a)
                for method, args in (
                    ("read", ([field],)),
                    ("write", ({field: value},)),
                    ("unlink", ()),
                ):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        getattr(theirs, method)(*args)
                self.assertTrue(foreign.exists())
                self.assertNotEqual(foreign[field], value)

    def test_the_other_system_is_scoped_the_same_way(self):
        """The rule is the service user's, not system A's: B sees B's only."""
        as_b = self.env["construction.photo"].with_user(self.service_b)
        self.assertEqual(as_b.search([("site_id", "=", self.site.id)]), self.photo_b)
        self.assertEqual(
            self.env["construction.defect"].with_user(self.service_b).search([]), self.defect_b
        )

    def test_service_user_cannot_create_for_another_system(self):
        Defect = self.env["construction.defect"].with_user(self.service_a)
        vals = {"site_id": self.site.id, "category_id": self.pothole.id}
        for system in (self.system_b, self.env["construction.sync.system"]):
            with (
                self.subTest(system=system.code),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                Defect.create(dict(vals, source_system_id=system.id))
        own = Defect.create(dict(vals, source_system_id=self.system.id))
        self.assertEqual(own.source_system_id, self.system)

    def test_office_roles_still_see_every_source(self):
        for role in ("reviewer", "sync_manager", "administrator"):
            with self.subTest(role=role):
                photos = self.Photo.with_user(self.users[role]).search(
                    [("id", "in", (self.photo_a | self.photo_b).ids)]
                )
                self.assertEqual(photos, self.photo_a | self.photo_b)
                defects = self.Defect.with_user(self.users[role]).search(
                    [("id", "in", (self.defect_a | self.defect_b).ids)]
                )
                self.assertEqual(defects, self.defect_a | self.defect_b)

    # ------------------------------------------------------------------
    # Over XML-RPC, with the platform's API key
    # ------------------------------------------------------------------

    def test_api_key_over_xmlrpc_reads_its_own_systems_records_only(self):
        db, uid = self.env.cr.dbname, self.service_a.id

        def call(model, method, *args, **kwargs):
            return self.xmlrpc_object.execute_kw(
                db, uid, self.api_key, model, method, list(args), kwargs
            )

        for own, foreign, field, value in self.records():
            with self.subTest(model=own._name):
                found = call(own._name, "search", [("id", "in", (own | foreign).ids)])
                self.assertEqual(found, own.ids)
                self.assertEqual(call(own._name, "read", own.ids, [field])[0][field], own[field])
                for target, method, args in (
                    (own, "write", (own.ids, {field: value})),
                    (foreign, "read", (foreign.ids, [field])),
                    (foreign, "write", (foreign.ids, {field: value})),
                    (foreign, "unlink", (foreign.ids,)),
                ):
                    with self.assertRaises(xmlrpc.client.Fault) as caught:
                        call(target._name, method, *args)
                    self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
                self.env.invalidate_all()
                self.assertNotEqual(own[field], value)
                self.assertTrue(foreign.exists())
                self.assertNotEqual(foreign[field], value)

    # ------------------------------------------------------------------
    # Duplicates through the field API
    # ------------------------------------------------------------------

    def test_same_bytes_from_the_same_system_answer_the_stored_photo(self):
        data = self.image()
        first = self.upload_http(data, site_id=self.site.id, client_uuid="cam-1")
        self.assertEqual(first.status_code, 201, first.text)
        again = self.upload_http(data, site_id=self.site.id, client_uuid="cam-2")
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertTrue(again.json()["duplicate"])
        self.assertEqual(self.Photo.search_count([("checksum", "=", again.json()["checksum"])]), 1)

    def test_same_bytes_from_another_source_are_refused_without_naming_it(self):
        data = self.image()
        theirs = self.upload_as(self.system_b, data, client_uuid="b-2")
        theirs.name = "RoadScan secret lot 7"
        before = self.Photo.search_count([])
        response = self.upload_http(data, site_id=self.site.id, client_uuid="cam-3")
        self.assertEqual(response.status_code, 409, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual(problem["code"], "duplicate_image")
        self.assertIn("another source", problem["detail"])
        self.assertNotNamed(theirs, problem)
        self.assertEqual(self.Photo.search_count([]), before)
        self.assertFalse(self.events("photo.captured"))

        batch = self.post_batch(
            {"photos": [{"image_base64": base64.b64encode(data).decode(), "site_id": self.site.id}]}
        )
        self.assertEqual(batch.status_code, 200, batch.text)
        (item,) = batch.json()["photos"]
        self.assertEqual((item["status"], item["error"]["code"]), ("rejected", "duplicate_image"))
        self.assertNotNamed(theirs, item)
        self.assertEqual(self.Photo.search_count([]), before)

    def test_office_upload_of_the_same_bytes_still_names_the_photo(self):
        data = self.image()
        theirs = self.upload_as(self.system_b, data)
        reviewer = self.Photo.with_user(self.users["reviewer"])
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            reviewer.create({"image": base64.b64encode(data), "site_id": self.site.id})
        self.assertEqual(caught.exception.code, "duplicate_image")
        self.assertIn(f"#{theirs.id}", str(caught.exception))

    def test_batch_observations_belong_to_the_posting_system(self):
        response = self.post_batch(
            {
                "photos": [
                    {
                        "image_base64": base64.b64encode(self.image()).decode(),
                        "client_uuid": "scope-photo",
                        "site_id": self.site.id,
                    }
                ],
                "observations": [
                    {
                        "client_uuid": "scope-obs",
                        "photo_client_uuids": ["scope-photo"],
                        "detections": [
                            {
                                "label": "pothole",
                                "confidence": 0.95,
                                "photo_client_uuid": "scope-photo",
                                "bbox": {"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3},
                            }
                        ],
                    }
                ],
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        (result,) = response.json()["observations"]
        self.assertEqual(result["status"], "accepted", result)
        defect = self.Defect.browse(result["defect"]["id"])
        self.assertEqual(defect.source_system_id, self.system)
        self.assertEqual(defect.annotation_ids.photo_id.source_system_id, self.system)
        self.assertFalse(self.Defect.with_user(self.service_b).search([("id", "=", defect.id)]))
