from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from .common import INSIDE, FieldEvidenceCase


class TestDefect(FieldEvidenceCase):
    def detection(self, label, confidence, **vals):
        return self.Defect.create(
            dict(
                {
                    "site_id": self.site.id,
                    "source": "ai",
                    "detected_label": label,
                    "confidence": confidence,
                    "model_name": "PaveScan",
                    "model_version": "2.3",
                },
                **vals,
            )
        )

    def test_sure_detection_of_a_known_label_is_confirmed(self):
        defect = self.detection("Pot-Hole", 0.93)
        self.assertEqual(defect.category_id, self.pothole)
        self.assertEqual(defect.state, "confirmed")
        self.assertEqual(defect.uom_id, self.square_foot)
        self.assertTrue(defect.name.startswith("DEF/"))

    def test_detection_below_threshold_waits_for_review(self):
        defect = self.detection("pothole", 0.42)
        self.assertEqual(defect.state, "needs_review")
        self.assertIn("below", defect.review_reason)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            defect.write({"state": "confirmed"})
        defect.action_confirm()
        self.assertEqual((defect.state, defect.reviewer_id), ("confirmed", self.env.user))

    def test_unknown_label_waits_for_review_and_cannot_confirm_without_category(self):
        defect = self.detection("graffiti", 0.99)
        self.assertEqual(defect.state, "needs_review")
        self.assertFalse(defect.category_id)
        self.assertIn("graffiti", defect.review_reason)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            defect.action_confirm()
        wizard = self.env["construction.review.wizard"].create(
            {
                "defect_ids": [(6, 0, defect.ids)],
                "decision": "correct",
                "category_id": self.striping.id,
            }
        )
        wizard.action_apply()
        self.assertEqual((defect.state, defect.category_id), ("confirmed", self.striping))
        self.assertEqual(defect.uom_id, self.striping.uom_id)

    def test_reject_needs_a_reason(self):
        defect = self.detection("pothole", 0.2)
        wizard = self.env["construction.review.wizard"].create(
            {"defect_ids": [(6, 0, defect.ids)], "decision": "reject", "reason": ""}
        )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            wizard.action_apply()
        wizard.reason = "Shadow of a tree"
        wizard.action_apply()
        self.assertEqual((defect.state, defect.reject_reason), ("rejected", "Shadow of a tree"))

    def test_resolve_label(self):
        Category = self.Category
        self.assertEqual(Category._resolve_label("POTHOLE"), self.pothole)
        self.assertEqual(Category._resolve_label(" faded_paint "), self.striping)
        self.assertEqual(Category._resolve_label("Faded Striping"), self.striping)
        self.assertFalse(Category._resolve_label("graffiti"))
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            Category._resolve("graffiti")
        self.assertEqual(caught.exception.code, "unknown_category")

    def test_full_lifecycle_needs_an_after_photo_to_verify(self):
        before = self.accepted_photo(self.before)
        defect = self.Defect.create(
            {
                "site_id": self.site.id,
                "category_id": self.pothole.id,
                "source": "crew",
                "photo_ids": [(6, 0, before.ids)],
                "latitude": INSIDE[0],
                "longitude": INSIDE[1],
            }
        )
        self.assertEqual(defect.state, "new")
        defect.action_confirm()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            defect.action_estimate()  # not measured
        defect.write({"quantity": 2.0, "uom_id": self.square_meter.id})
        defect.action_estimate()
        defect.action_schedule()
        defect.action_repair()
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            defect.action_verify()
        self.assertIn("After", str(caught.exception))
        defect.photo_ids = [(4, self.accepted_photo(self.after).id)]
        defect.action_verify()
        self.assertEqual(defect.state, "verified")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            defect.action_confirm()

    def test_rejected_after_photo_does_not_count(self):
        after = self.accepted_photo(self.after)
        after.action_reject("Wrong lot")
        defect = self.Defect.create(
            {"category_id": self.pothole.id, "photo_ids": [(6, 0, after.ids)], "state": "repaired"}
        )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            defect.action_verify()

    def test_quantities_convert_through_units(self):
        defect = self.Defect.create(
            {"category_id": self.pothole.id, "quantity": 10.0, "uom_id": self.square_meter.id}
        )
        self.assertAlmostEqual(defect.category_quantity, 107.639, places=2)
        self.assertAlmostEqual(defect._quantity_in(self.square_foot), 107.639, places=2)
        self.assertEqual(defect.measure, "area")
        stall = self.env.ref("construction_field_evidence.uom_parking_stall")
        stalls = self.Defect.create(
            {
                "category_id": self.env.ref(
                    "construction_field_evidence.defect_category_stall_striping"
                ).id,
                "quantity": 12,
                "uom_id": stall.id,
            }
        )
        self.assertEqual(stalls.measure, "stalls")
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            defect.uom_id = self.env.ref("uom.product_uom_foot")

    def test_crew_notes_are_cleaned(self):
        defect = self.Defect.create(
            {"notes": "Deep hole\x07\n\n\n\nnear drain  \r\n\r\nlane 3\x00", "source": "crew"}
        )
        self.assertEqual(defect.notes, "Deep hole\nnear drain\nlane 3")

    def test_bounding_boxes(self):
        photo = self.upload()
        defect = self.detection("pothole", 0.9)
        Annotation = self.env["construction.defect.annotation"]
        box = Annotation.create(
            {
                "defect_id": defect.id,
                "photo_id": photo.id,
                "x": 0.1,
                "y": 0.2,
                "width": 0.5,
                "height": 0.3,
            }
        )
        self.assertIn(photo, defect.photo_ids)
        self.assertEqual(defect.cover_photo_id, photo)
        for values in ({"x": 0.6, "width": 0.5}, {"y": -0.1}, {"height": 0}):
            with (
                self.subTest(values=values),
                self.assertRaises(ValidationError) as caught,
                self.env.cr.savepoint(),
            ):
                box.write(values)
            self.assertEqual(caught.exception.code, "bbox_outside_image")

    def test_defect_gps_out_of_range(self):
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.Defect.create({"latitude": 12.0, "longitude": 190.0})
        self.assertEqual(caught.exception.code, "gps_out_of_range")

    def test_form_takes_the_category_unit(self):
        with Form(self.Defect) as form:
            form.site_id = self.site
            form.category_id = self.striping
            self.assertEqual(form.uom_id, self.striping.uom_id)
            form.quantity = 120
        defect = form.record
        self.assertEqual((defect.state, defect.measure), ("new", "length"))
        self.assertEqual(defect.category_quantity, 120)
