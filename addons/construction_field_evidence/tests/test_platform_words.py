"""A platform's words for a photo (stage, condition, tags) through its value
maps on every path of the field API, and the tags and stages a condition
controls."""

import base64

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import INSIDE, FieldApiCase


@tagged("post_install", "-at_install")
class TestPlatformWords(FieldApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ValueMap = cls.env["construction.sync.value.map"]
        ValueMap.create(
            [
                {
                    "system_id": cls.system.id,
                    "kind": "photo_stage",
                    "external_value": "Pre-Work",
                    "internal_reference": f"construction.photo.stage,{cls.before.id}",
                },
                {
                    "system_id": cls.system.id,
                    "kind": "defect_category",
                    "external_value": "PH-01",
                    "internal_reference": f"construction.defect.category,{cls.pothole.id}",
                },
                {
                    "system_id": cls.system.id,
                    "kind": "synonym",
                    "external_value": "Asphalt Failure",
                    "internal_value": "pothole",
                },
            ]
        )
        cls.edge = cls.env["construction.photo.tag"].create({"name": "Edge"})
        cls.center = cls.env["construction.photo.tag"].create({"name": "Center"})

    def single(self, **metadata):
        response = self.upload_http(self.image(latitude=INSIDE[0], longitude=INSIDE[1]), **metadata)
        self.assertEqual(response.status_code, 201, response.text)
        return self.Photo.browse(response.json()["id"])

    def batched(self, **metadata):
        data = self.image(latitude=INSIDE[0], longitude=INSIDE[1])
        item = dict(metadata, image_base64=base64.b64encode(data).decode(), mimetype="image/jpeg")
        result = self.post_batch({"photos": [item]}).json()["photos"][0]
        self.assertEqual(result["status"], "accepted", result)
        return self.Photo.browse(result["photo"]["id"])

    def test_every_kind_applies_on_the_single_upload_and_the_batch(self):
        for path in (self.single, self.batched):
            with self.subTest(path=path.__name__):
                photo = path(stage="Pre-Work", category="PH-01")
                self.assertEqual((photo.stage_id, photo.category_id), (self.before, self.pothole))
                photo = path(category="asphalt failure")
                self.assertEqual(photo.category_id, self.pothole, "a synonym map")

    def test_tags_the_value_maps_name_give_the_stage_and_condition_not_free_tags(self):
        for path in (self.single, self.batched):
            with self.subTest(path=path.__name__):
                photo = path(tags=["Pre-Work", "PH-01", "North Curb"])
                self.assertEqual((photo.stage_id, photo.category_id), (self.before, self.pothole))
                self.assertEqual(photo.tag_ids.mapped("name"), ["North Curb"])
        self.assertFalse(
            self.env["construction.photo.tag"].search([("name", "in", ["Pre-Work", "PH-01"])])
        )

    def test_a_status_map_cannot_be_created_any_more(self):
        # every status of the suite is a reviewer's decision: a platform's word cannot set it
        with self.assertRaises(ValueError):
            self.env["construction.sync.value.map"].create(
                {"kind": "status", "external_value": "closed", "internal_value": "verified"}
            )

    def test_tags_outside_the_condition_list_go_to_review_with_the_reason(self):
        self.pothole.allowed_tag_ids = self.edge | self.center
        for path in (self.single, self.batched):
            with self.subTest(path=path.__name__):
                photo = path(category="pothole", tags=["edge", "Graffiti"])
                self.assertEqual(photo.tag_ids, self.edge)
                self.assertEqual(photo.state, "needs_review")
                self.assertIn("Graffiti", photo.review_reason)
                self.assertIn("(allowed: Center, Edge)", photo.review_reason)
        self.assertFalse(self.env["construction.photo.tag"].search([("name", "=", "Graffiti")]))
        photo.stage_id = self.before
        photo.action_accept()
        self.assertFalse(photo.review_reason, "answered by the review")
        allowed = self.single(category="pothole", tags=["Center"])
        self.assertEqual((allowed.tag_ids, allowed.review_reason), (self.center, False))
        free = self.single(category="PH-01", tags=["Graffiti"])
        self.assertTrue(free.review_reason, "a mapped condition controls its tags too")

    def test_a_defect_shows_the_stages_its_category_requires_and_is_verified_with_them(self):
        self.assertEqual(self.pothole.verify_stage_ids, self.before | self.after)
        after = self.accepted_photo(self.after)
        defect = self.Defect.create(
            {"category_id": self.pothole.id, "photo_ids": [(6, 0, after.ids)], "state": "repaired"}
        )
        self.assertEqual(defect.missing_stage_ids, self.before)
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            defect.action_verify()
        self.assertIn("Before", str(caught.exception))
        before = self.accepted_photo(self.before)
        defect.photo_ids = [(4, before.id)]
        self.assertFalse(defect.missing_stage_ids)
        before.action_reject("Wrong lot")
        self.assertEqual(defect.missing_stage_ids, self.before, "a rejected photo does not count")
        before.action_reset_review()
        before.action_accept()
        defect.action_verify()
        self.assertEqual(defect.state, "verified")
        form = self.Defect.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="missing_stage_ids"', form)
        category_form = self.Category.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="allowed_tag_ids"', category_form)
