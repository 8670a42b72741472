from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user

from .common import FieldEvidenceCase


class TestProjectEvidence(FieldEvidenceCase):
    """The project's Construction section counts its field evidence, and
    the review queue's cards open the decision the reviewer chose."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Lakeside Resurfacing"})
        cls.site.project_id = cls.project

    def detection(self, label, confidence):
        return self.Defect.create(
            {
                "site_id": self.site.id,
                "source": "ai",
                "detected_label": label,
                "confidence": confidence,
            }
        )

    def test_project_counts_photos_open_defects_those_to_review_and_daily_logs(self):
        self.accepted_photo(self.before)
        self.accepted_photo(self.after)
        self.detection("pothole", 0.97)
        self.detection("pothole", 0.30)
        rejected = self.detection("graffiti", 0.99)
        rejected.action_reject("not pavement")
        self.env["construction.daily.log"].create({"project_id": self.project.id})
        other = self.env["project.project"].create({"name": "Elm Street"})
        project = self.project.with_user(self.users["reviewer"])
        self.assertEqual(project.construction_photo_count, 2)
        self.assertEqual(project.construction_defect_count, 2, "the rejected one is closed")
        self.assertEqual(project.construction_defect_review_count, 1)
        self.assertEqual(project.construction_daily_log_count, 1)
        self.assertEqual(other.construction_photo_count, 0)
        action = project.action_construction_open_defects()
        self.assertEqual(action["context"], {"search_default_needs_review": 1})
        self.assertEqual(len(self.Defect.search(action["domain"])), 3)

    def test_a_project_user_without_a_construction_role_does_not_read_the_counts(self):
        project_user = new_test_user(self.env, login="pm_only", groups="project.group_project_user")
        project = self.project.with_user(project_user)
        self.assertEqual(project.read(["name"])[0]["name"], "Lakeside Resurfacing")
        with self.assertRaises(AccessError):
            project.read(["construction_photo_count"])

    def test_correct_and_reject_open_the_decision_already_chosen(self):
        defect = self.detection("zebra lines", 0.88)
        for method, decision in (
            ("action_open_correct_wizard", "correct"),
            ("action_open_reject_wizard", "reject"),
        ):
            action = getattr(defect.with_user(self.users["reviewer"]), method)()
            wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
            self.assertEqual(wizard.decision, decision)
        action = defect.action_open_correct_wizard()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard.category_id = self.striping
        wizard.save().action_apply()
        self.assertEqual((defect.category_id, defect.state), (self.striping, "confirmed"))
