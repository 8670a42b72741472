import json

from odoo.exceptions import AccessError

from .common import EstimateBridgeCase


class TestProjectBudget(EstimateBridgeCase):
    """A budget's five figures as a chart, on the budget and on its project,
    with the project's estimates, change orders and overruns counted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.estimate = cls.budgeted_estimate()
        cls.budget = cls.estimate.budget_id

    def bars(self, graph):
        return {bar["label"]: bar["value"] for bar in json.loads(graph)[0]["values"]}

    def test_the_chart_shows_original_revised_committed_actual_and_forecast(self):
        self.company.construction_budget_check = "none"
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 110, 90, self.code_paving)
        order.button_confirm()
        self.bill(order, 20)
        self.budget.invalidate_recordset()
        bars = self.bars(self.budget.budget_graph)
        self.assertEqual(list(bars), ["Original", "Revised", "Committed", "Actual", "Forecast"])
        self.assertEqual(bars["Original"], 10600)
        self.assertEqual(bars["Revised"], 10600)
        self.assertEqual(bars["Committed"], 90 * 90)
        self.assertEqual(bars["Actual"], 20 * 90)
        self.assertEqual(bars["Forecast"], self.budget.forecast)
        self.assertGreater(bars["Forecast"], bars["Revised"], "110 t bought for 100 t budgeted")

    def test_the_project_counts_its_estimate_and_warns_of_an_overrun(self):
        project = self.project.with_user(self.users["estimator"])
        self.assertEqual(project.construction_estimate_count, 1)
        self.assertEqual(project.construction_budget_id, self.budget)
        self.assertEqual(project.construction_budget_revised, 10600)
        self.assertEqual(project.construction_over_budget_count, 0)
        self.assertEqual(self.bars(project.construction_budget_graph)["Original"], 10600)
        self.assertEqual(project.action_construction_open_budget()["res_id"], self.budget.id)

        self.company.construction_budget_check = "none"
        self.make_po(
            self.vendor_asphalt, self.product_asphalt, 110, 90, self.code_paving
        ).button_confirm()
        project.invalidate_recordset()
        self.assertEqual(project.construction_over_budget_count, 1)

    def test_a_project_without_budget_opens_the_list_that_says_how_to_make_one(self):
        bare = self.env["project.project"].create({"name": "Bid only"})
        self.assertFalse(bare.construction_budget_id)
        action = bare.action_construction_open_budget()
        self.assertEqual(action["res_model"], "construction.budget")
        self.assertIn("Approve an estimate", action["help"])
        self.assertFalse(self.env["construction.budget"].search(action["domain"]))

    def test_a_field_reviewer_reads_no_budget_figures_of_the_project(self):
        project = self.project.with_user(self.users["reviewer"])
        self.assertEqual(project.construction_estimate_count, 1)
        with self.assertRaises(AccessError):
            project.read(["construction_budget_revised"])
