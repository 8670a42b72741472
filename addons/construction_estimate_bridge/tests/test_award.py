import json

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import BASE_ROWS, EstimateSyncCase, estimate_payload, to_csv


@tagged("post_install", "-at_install")
class TestAward(EstimateSyncCase):
    """An awarded estimate becomes the job: project, analytic account, a task
    per bid package, the budget; ``project.created`` goes to the systems
    subscribed to it. However often it is awarded, the job is one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.construction_award_budget = "review"
        cls.project_created = cls.env.ref("construction_estimate_bridge.event_type_project_created")
        # a field platform of the company that wants to hear of new jobs
        cls.subscriber = cls.env["construction.sync.system"].create(
            {
                "name": "Test field app",
                "code": "field_app_award_test",
                "kind": "field_evidence",
                "outbound_url": "http://127.0.0.1:9/hooks",
                "outbound_event_type_ids": [(6, 0, cls.project_created.ids)],
            }
        )
        # the estimating platform hears of new jobs too, but not of its own award
        cls.system.write(
            {
                "outbound_url": "http://127.0.0.1:9/bids",
                "outbound_event_type_ids": [(6, 0, cls.project_created.ids)],
            }
        )
        cls.other_controller = new_test_user(
            cls.env,
            login="award_second_controller",
            groups="construction_sync.group_construction_sync_controller",
        )

    def apply(self, payload, key):
        with trap_jobs() as trap:
            event = self.receive("estimate.approved", payload, key)
            trap.perform_enqueued_jobs()
        return event

    def job(self, name):
        return self.env["project.project"].search([("name", "=", name)])

    def announcements(self):
        return self.env["construction.sync.delivery"].search(
            [("event_type_id", "=", self.project_created.id)]
        )

    def test_an_award_of_an_unknown_project_creates_the_job_once(self):
        first = self.apply(estimate_payload(project="PRJ-2026-041"), "award-1")
        self.assertEqual(first.state, "done", first.error_message)
        project = self.job("PRJ-2026-041")
        self.assertEqual(len(project), 1)
        self.assertTrue(project.account_id, "the job's costs need an analytic account")
        self.assertEqual(sorted(project.task_ids.mapped("name")), ["Paving", "Striping"])
        estimate = self.Estimate.search([("project_id", "=", project.id)])
        self.assertEqual(estimate.state, "budgeted")
        budget = estimate.budget_id
        self.assertEqual((budget.project_id, budget.state), (project, "draft"))
        self.assertAlmostEqual(budget.original, 10600)
        announcement = self.announcements()
        self.assertEqual(announcement.system_id, self.subscriber)
        payload = json.loads(announcement.payload)
        self.assertEqual(
            (payload["id"], payload["name"], payload["tasks"], payload["budget"]),
            (project.id, "PRJ-2026-041", ["Paving", "Striping"], 10600),
        )
        self.assertEqual(payload["analytic_account"], project.account_id.name)
        # the sender is not told of its own award
        self.assertNotIn(self.system, self.announcements().system_id)

        # awarded again (the platform's next revision): still one job
        second = self.apply(estimate_payload(project="PRJ-2026-041"), "award-2")
        self.assertEqual(second.state, "done", second.error_message)
        self.assertEqual(self.job("PRJ-2026-041"), project)
        self.assertEqual(len(project.task_ids), 2)
        self.assertEqual(
            self.env["construction.budget"].search([("project_id", "=", project.id)]), budget
        )
        revisions = self.Estimate.search([("project_id", "=", project.id)], order="revision")
        self.assertEqual(revisions.mapped("state"), ["superseded", "budgeted"])
        self.assertEqual(revisions[1].budget_id, budget)
        self.assertEqual(len(self.announcements()), 1)

    def test_the_company_rule_may_let_the_award_approve_the_budget(self):
        self.company.construction_award_budget = "approve"
        event = self.apply(estimate_payload(project="PRJ-2026-042"), "award-3")
        self.assertEqual(event.state, "done", event.error_message)
        budget = self.env["construction.budget"].search(
            [("project_id", "=", self.job("PRJ-2026-042").id)]
        )
        self.assertEqual(budget.state, "approved")
        self.assertIn("approved by the award", budget.message_ids[0].body)

    def test_an_award_of_a_known_project_links_it_and_announces_nothing(self):
        event = self.apply(estimate_payload(), "award-4")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.job("Test Mall Parking Lot"), self.project)
        estimate = self.Estimate.browse(event.link_ids.res_id)
        self.assertEqual(
            (estimate.state, estimate.budget_id.project_id), ("budgeted", self.project)
        )
        self.assertEqual(sorted(self.project.task_ids.mapped("name")), ["Paving", "Striping"])
        self.assertFalse(self.announcements())

    def test_awarding_in_the_ui_twice_leaves_one_job_that_another_person_approves(self):
        controller = self.users["controller"]
        estimate = self.import_estimate(to_csv(BASE_ROWS)).with_user(controller)
        estimate.action_award()
        estimate.action_award()
        self.assertEqual(estimate.state, "budgeted")
        self.assertEqual(sorted(self.project.task_ids.mapped("name")), ["Paving", "Striping"])
        budgets = self.env["construction.budget"].search([("project_id", "=", self.project.id)])
        self.assertEqual(budgets, estimate.budget_id)
        self.assertEqual((budgets.state, budgets.proposed_by_id), ("draft", controller))
        with self.assertRaisesRegex(UserError, "another person must approve"):
            budgets.with_user(controller).action_approve()
        budgets.with_user(self.other_controller).action_approve()
        self.assertEqual(budgets.approved_by_id, self.other_controller)
