import ast

from lxml import etree

from .common import BASE_ROWS, EstimateBridgeCase, to_csv


class TestEstimateLines(EstimateBridgeCase):
    def test_estimators_find_estimate_lines_in_their_menu(self):
        first = self.import_estimate(to_csv(BASE_ROWS))
        second = self.import_estimate(to_csv(BASE_ROWS))
        self.assertEqual(first.state, "superseded")
        estimator = self.users["estimator"]
        menu = self.env.ref("construction_estimate_bridge.construction_estimate_line_menu")
        visible = self.env["ir.ui.menu"].with_user(estimator)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertEqual(menu.parent_id.name, "Estimates & Budgets")
        action = menu.action
        self.assertEqual(action.res_model, "construction.estimate.line")

        Line = self.env["construction.estimate.line"].with_user(estimator)
        search = etree.fromstring(Line.get_views([(False, "search")])["views"]["search"]["arch"])
        group_bys = {node.get("context") for node in search.iterfind(".//filter[@context]")}
        for field in ("estimate_id", "cost_code_id", "project_id", "uom_id"):
            self.assertIn(f"{{'group_by': '{field}'}}", group_bys)
        # the menu's default filters: budgeted lines of current revisions
        domain = [("project_id", "=", self.project.id)]
        for name in ("filter_current", "filter_in_budget"):
            node = search.find(f".//filter[@name='{name}']")
            self.assertIn(f"search_default_{name}", action.context)
            domain += ast.literal_eval(node.get("domain"))
        lines = Line.search(domain)
        self.assertEqual(lines.estimate_id, second)
        self.assertEqual(len(lines), 3)  # the assembly and the excluded alternate are left out
        by_unit = Line.read_group(domain, ["quantity:sum"], ["uom_id"])
        self.assertEqual(
            {group["uom_id"][1]: group["quantity"] for group in by_unit},
            {"t": 100, "ft": 2000, "Hours": 10},
        )
