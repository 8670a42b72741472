from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestEstimateImportTour(HttpCase):
    def test_estimator_previews_an_estimate_file(self):
        new_test_user(
            self.env,
            login="estimator_tour",
            password="estimator_tour",
            groups="construction_sync.group_construction_sync_estimator",
        )
        self.env["project.project"].create({"name": "Tour Parking Lot"})
        estimates_before = self.env["construction.estimate"].search_count([])
        self.start_tour("/odoo", "construction_estimate_import_preview", login="estimator_tour")
        self.assertEqual(self.env["construction.estimate"].search_count([]), estimates_before)
        wizard = self.env["construction.estimate.import.wizard"].search(
            [], order="id desc", limit=1
        )
        self.assertEqual(wizard.state, "preview")
        self.assertEqual(
            {(issue.row, issue.column) for issue in wizard.issue_ids},
            {(3, "quantity"), (4, "cost_code")},
        )

    def test_controller_follows_the_demo_estimate_to_its_budget(self):
        new_test_user(
            self.env,
            login="controller_tour",
            password="controller_tour",
            groups="construction_sync.group_construction_sync_controller",
        )
        estimate = self.env.ref("construction_estimate_bridge.demo_estimate_parking_lot")
        self.assertEqual(estimate.state, "budgeted")
        self.start_tour("/odoo", "construction_budget_screens", login="controller_tour")
