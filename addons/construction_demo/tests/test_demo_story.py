import base64
import io

from PIL import Image

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDemoStory(HttpCase):
    """The demo story, small size, loaded once into this database's demo
    data; each test reads what a person opening the demo would see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.steps = []
        cls.Event = cls.env["construction.sync.event"]
        # The modules' own demo data has events of these systems too.
        cls.events_before = cls.Event.search([], order="id desc", limit=1).id
        cls.summary = cls.env["construction.demo.story"]._load(
            size="small", progress=lambda label, done, total: cls.steps.append((done, total))
        )
        cls.projects = cls.env["project.project"].browse(list(cls.summary["projects"].values()))

    def project(self, key):
        return self.env["project.project"].browse(self.summary["projects"][key])

    def test_the_contractor_has_two_companies_and_projects_in_three_stages(self):
        self.assertEqual(
            set(self.projects.mapped("stage_id.name")), {"Bidding", "In Progress", "Closing"}
        )
        self.assertEqual(len(self.projects.company_id), 2)
        wisconsin = self.project("KEN")
        self.assertEqual(wisconsin.company_id.name, "Great Lakes Paving of Wisconsin LLC")
        timesheets = self.env["account.analytic.line"].search(
            [("project_id", "=", wisconsin.id), ("employee_id", "!=", False)]
        )
        self.assertTrue(timesheets, "the Wisconsin crew's approved hours")
        self.assertEqual(timesheets.company_id, wisconsin.company_id)

    def test_estimates_have_revisions_and_the_bidding_project_no_budget(self):
        Estimate = self.env["construction.estimate"]
        revisions = Estimate.search([("project_id", "=", self.project("LKV").id)], order="revision")
        self.assertEqual(revisions.mapped("revision"), [1, 2])
        self.assertIn("32 01 17.61", revisions[-1].line_ids.cost_code_id.mapped("code"))
        self.assertNotIn("32 01 17.61", revisions[0].line_ids.cost_code_id.mapped("code"))
        bidding = Estimate.search([("project_id", "=", self.project("NGT").id)])
        self.assertTrue(bidding)
        self.assertFalse(bidding.budget_id)

    def test_a_budget_shows_committed_actual_and_an_approved_change(self):
        budget = self.env["construction.budget"].search(
            [("project_id", "=", self.project("LKV").id)]
        )
        budget.action_refresh_figures()
        self.assertEqual(budget.state, "approved")
        by_code = {line.cost_code_id.code: line for line in budget.line_ids}
        self.assertGreater(by_code["32 12 16"].committed, 0, "the asphalt purchase order")
        self.assertGreater(by_code["32 01 17.13"].actual, 0, "the crew's approved hours")
        self.assertGreater(by_code["32 01 17.13"].revised, by_code["32 01 17.13"].original)
        orders = self.env["purchase.order"].search(
            [("origin", "ilike", "Lakeview"), ("state", "=", "purchase")]
        )
        self.assertTrue(orders)

    def test_events_wait_in_every_state_one_dead_one_replayed(self):
        mine = self.Event.search(
            [
                ("system_id.code", "in", ["crewclock", "trackiron"]),
                ("id", ">", self.events_before),
            ]
        )
        self.assertEqual(
            set(mine.mapped("state")), {"received", "queued", "done", "needs_review", "dead"}
        )
        dead = mine.filtered(lambda event: event.state == "dead")
        self.assertEqual(len(dead), 1)
        self.assertEqual(dead.error_code, "job_failed")
        self.assertTrue(dead.activity_ids, "an activity for the system's owner")
        review = mine.filtered(lambda event: event.state == "needs_review")
        self.assertEqual(set(review.mapped("error_code")), {"unknown_reference"})
        replayed = self.Event.browse(self.summary["replayed_event"])
        self.assertEqual(replayed.state, "done")
        self.assertTrue(replayed.link_ids, "the timesheet it produced after the fix")
        self.assertIn("replayed", replayed.message_ids.mapped("body")[0])
        kinds = set(mine.filtered(lambda e: e.state == "done").mapped("event_type_id.code"))
        self.assertTrue(
            {"labor.approved", "equipment.usage.recorded", "material.consumed"} <= kinds
        )

    def test_photos_are_pavement_with_boxes_on_defects_some_waiting_for_review(self):
        sites = self.projects.mapped(lambda project: project.id)
        photos = self.env["construction.photo"].search([("site_id.project_id", "in", sites)])
        self.assertGreaterEqual(len(photos), 6)
        image = Image.open(io.BytesIO(base64.b64decode(photos[0].image)))
        self.assertEqual(image.size, (640, 480))
        defects = self.env["construction.defect"].search([("site_id.project_id", "in", sites)])
        self.assertTrue(defects.annotation_ids, "detection boxes drawn on the photos")
        self.assertTrue(all(0 < box.width <= 1 for box in defects.annotation_ids))
        states = set(defects.mapped("state"))
        self.assertIn("confirmed", states)
        self.assertTrue(states & {"new", "needs_review"}, "some wait in the review queue")
        self.assertTrue(photos.filtered(lambda photo: photo.state == "accepted"))
        completed = self.project("HBR").task_ids
        self.assertTrue(all(task.state == "1_done" for task in completed), "closing: all done")

    def test_a_variance_shows_the_hours_odoo_never_received(self):
        variance = self.env["construction.sync.variance"].search(
            [("project_id", "=", self.project("LKV").id), ("state", "=", "open")]
        )
        self.assertEqual(variance.cost_code_id.code, "32 01 17.13")
        self.assertAlmostEqual(variance.difference, 8.0, msg="the new hire's two entries of 4 h")

    def test_share_links_open_for_the_client_and_carry_the_answers(self):
        self.assertEqual(len(self.summary["share_urls"]), 2)
        for url in self.summary["share_urls"]:
            response = self.url_open(url[url.index("/construction/share/") :])
            self.assertEqual(response.status_code, 200)
        links = self.env["construction.share.link"].search(
            [("site_id.project_id", "in", self.projects.ids)]
        )
        self.assertEqual(sorted(links.mapped("view_count")), [1, 1])
        self.assertEqual(set(links.answer_ids.mapped("answer")), {"approved", "question"})

    def test_the_story_loads_once_and_reports_every_step(self):
        self.assertEqual(self.steps[-1][0], self.steps[-1][1])
        with self.assertRaises(UserError):
            self.env["construction.demo.story"]._load(size="small")
