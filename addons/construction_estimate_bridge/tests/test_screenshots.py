import base64
import json
from pathlib import Path

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME, ChromeBrowser

# For people to look at: bin/test leaves them here.
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
SIZES = {"desktop": "1440x900", "phone": "390x844"}
READY_SECONDS = 240


@tagged("post_install", "-at_install")
class TestScreenshots(HttpCase):
    """The main screens on the demo data, at a desktop's and a phone's size.

    Each screenshot is taken once the screen shows what it must (checked in
    the page), and on a phone nothing is wider than the screen: no sideways
    scrolling. The tests assert that content; the pictures are for people.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="screens",
            password="screens",
            groups="construction_sync.group_construction_sync_controller,"
            "construction_sync.group_construction_sync_manager,"
            "purchase.group_purchase_user",
        )
        cls.riverside = cls.env.ref("construction_estimate_bridge.demo_project_riverside")
        cls.budget = cls.env["construction.budget"].search([("project_id", "=", cls.riverside.id)])

    def _capture(self, name, url, shows):
        """Open ``url`` at each size, wait until every selector of ``shows``
        is visible, check nothing overflows sideways, and save the picture."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        checks = " && ".join(
            f"[...document.querySelectorAll({json.dumps(selector)})]"
            ".some((el) => el.offsetParent !== null)"
            for selector in shows
        )
        ready = (
            f"{checks} && !document.querySelector('.o_loading_indicator, .o_blockUI')"
            " && ((el) => el.scrollWidth <= el.clientWidth + 1)"
            "(document.querySelector('.o_content') || document.documentElement)"
        )
        for label, size in SIZES.items():
            with self.subTest(screen=name, size=size):
                self.browser_size = size
                path = SCREENSHOTS / f"{name}-{size}.png"
                path.unlink(missing_ok=True)
                self._shoot(url, ready, path)
                self.assertGreater(path.stat().st_size, 10_000, f"{name} at {label} is empty")

    def _shoot(self, url, ready, path):
        """What HttpCase.browser_js does, plus a screenshot before Chromium stops."""
        browser = ChromeBrowser(self)
        try:
            self.http_request_key = self.canonical_tag + "_browser_js"
            self.authenticate("screens", "screens", browser=browser)
            self.cr.flush()
            self.cr.clear()
            browser.navigate_to(self.base_url() + url, wait_stop=True)
            self.assertTrue(
                browser._wait_ready(ready, timeout=READY_SECONDS),
                f"{url} never showed what it must at {self.browser_size}",
            )
            shot = browser._websocket_request("Page.captureScreenshot", timeout=60)
            path.write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.stop()
            self._wait_remaining_requests()
            self.http_request_key = self.canonical_tag
            self.opener.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key

    def test_sync_dashboard_draws_each_systems_graphs(self):
        self._capture(
            "dashboard",
            "/odoo/action-construction_sync.construction_sync_monitor_action",
            [
                ".o_construction_graph_throughput canvas",
                ".o_construction_graph_latency canvas",
                ".o_construction_graph_failures canvas",
                ".o_construction_attention",
            ],
        )

    def test_project_shows_its_construction_section(self):
        self._capture(
            "project",
            f"/odoo/action-project.open_view_project_all/{self.riverside.id}",
            [
                ".o_construction_stat_budget",
                ".o_construction_stat_events .badge",
                ".o_construction_budget_chart canvas",
            ],
        )

    def test_review_queue_shows_the_photo_with_its_box(self):
        self._capture(
            "review-queue",
            "/odoo/action-construction_field_evidence.construction_defect_review_action",
            [
                ".o_kanban_record .o_construction_box_photo img",
                ".o_kanban_record .o_construction_box",
                ".o_kanban_record .o_construction_accept",
            ],
        )

    def test_budget_shows_its_figures_as_a_chart(self):
        self.assertTrue(self.budget)
        self._capture(
            "budget",
            f"/odoo/action-construction_estimate_bridge.construction_budget_action/{self.budget.id}",
            [
                ".o_form_view .o_construction_budget_chart canvas",
                ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
            ],
        )

    def test_field_kpis_read_as_graphs(self):
        self._capture(
            "field-kpis",
            "/odoo/action-construction_sync.construction_sync_kpi_action",
            [
                ".o_construction_sync_kpi_dashboard .o_construction_graph_actuals canvas",
                ".o_construction_sync_kpi_dashboard .o_construction_graph_waiting canvas",
            ],
        )
