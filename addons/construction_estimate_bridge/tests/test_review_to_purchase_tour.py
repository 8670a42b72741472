import json
import logging
import re
import time
from pathlib import Path

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

_logger = logging.getLogger(__name__)

MODULE = Path(__file__).resolve().parents[1]
TOUR = MODULE / "static/src/tours/construction_review_to_purchase_tour.js"
# Figures of the last run, for the notes of whoever changes the path.
FIGURES = MODULE.parents[1] / "var" / "tour-review-to-purchase.json"


@tagged("post_install", "-at_install")
class TestReviewToPurchaseTour(HttpCase):
    def test_a_reviewed_detection_becomes_a_confirmed_purchase_order(self):
        new_test_user(
            self.env,
            login="harbor_tour",
            password="harbor_tour",
            groups="construction_sync.group_construction_sync_reviewer,"
            "construction_sync.group_construction_sync_estimator,"
            "construction_sync.group_construction_sync_controller,"
            "purchase.group_purchase_user",
        )
        self.env.company.construction_budget_check = "block"
        # one person plays every role here: the award approves the budget
        # (a person never approves a budget they made)
        self.env.company.construction_award_budget = "approve"
        square_foot = self.env.ref("uom.uom_square_foot")
        vendor = self.env["res.partner"].create({"name": "Tour Paving Supply"})
        patch = self.env["product.product"].create(
            {
                "name": "Tour pothole patch",
                "default_code": "TOUR-PATCH",
                "type": "service",
                "uom_id": square_foot.id,
                "uom_po_id": square_foot.id,
                "standard_price": 12.5,
                "supplier_taxes_id": [Command.clear()],
                "purchase_method": "purchase",
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 12.5})],
            }
        )
        pothole = self.env.ref("construction_field_evidence.defect_category_pothole")
        pothole.write(
            {
                "product_id": patch.id,
                "cost_code_id": self.env.ref("construction_sync.cost_code_32_01_13_62").id,
            }
        )
        project = self.env["project.project"].create({"name": "Tour Harbor Lot"})
        site = self.env["construction.site"].create(
            {"name": "Tour Harbor North", "project_id": project.id}
        )
        estimate = self.env["construction.estimate"].create(
            {"name": "Tour Harbor repairs", "project_id": project.id}
        )
        detection = self.env["construction.defect"].create(
            {
                "site_id": site.id,
                "source": "ai",
                "detected_label": "pothole",
                "confidence": 0.31,
                "quantity": 120,
                "uom_id": square_foot.id,
            }
        )
        self.assertEqual(detection.state, "needs_review")

        started = time.monotonic()
        self.start_tour(
            "/odoo/action-construction_field_evidence.construction_defect_review_action",
            "construction_review_to_purchase",
            login="harbor_tour",
        )
        seconds = time.monotonic() - started
        clicks = len(re.findall(r'run: "click"', TOUR.read_text()))
        self.env.invalidate_all()

        self.assertEqual(detection.state, "estimated")
        self.assertEqual(estimate.state, "budgeted")
        self.assertEqual(estimate.budget_id.state, "approved")
        line = estimate.line_ids
        self.assertEqual(line.defect_ids, detection)
        order = line.purchase_line_ids.order_id
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.partner_id, vendor)
        self.assertEqual(order.order_line.product_id, patch)
        self.assertEqual(order.order_line.product_uom, square_foot)
        self.assertAlmostEqual(order.order_line.product_qty, 120)
        self.assertAlmostEqual(estimate.budget_id.committed, 1500)

        figures = {"tour": "construction_review_to_purchase", "clicks": clicks}
        figures["seconds"] = round(seconds, 1)
        _logger.info("Review queue to purchase order: %(clicks)s clicks, %(seconds)s s", figures)
        FIGURES.parent.mkdir(exist_ok=True)
        FIGURES.write_text(json.dumps(figures) + "\n")
