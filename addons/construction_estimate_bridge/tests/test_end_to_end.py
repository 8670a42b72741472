"""From a field platform's offline batch to a posted vendor bill, following
one correlation id through every record it leads to."""

import base64

from odoo import Command
from odoo.addons.construction_field_evidence.tests.common import INSIDE, FieldApiCase
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import EstimateBridgeCase

CORRELATION = "fieldcam-tablet-7/offline-2026-11-20T15:40Z"


@tagged("post_install", "-at_install")
class TestEndToEnd(FieldApiCase, EstimateBridgeCase):
    """The site of the field platform belongs to the estimate's project; a
    pothole is repaired with a patch product bought by the square metre."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site.project_id = cls.project
        cls.patch = cls.env["product.product"].create(
            {
                "name": "Pothole patch, hot mix",
                "default_code": "TST-PATCH",
                "type": "service",
                "uom_id": cls.square_meter.id,
                "uom_po_id": cls.square_meter.id,
                "standard_price": 40.0,
                "supplier_taxes_id": [Command.clear()],
                "purchase_method": "purchase",
            }
        )
        cls.code_patching = cls.env.ref("construction_sync.cost_code_32_01_17_13")
        cls.pothole.write({"product_id": cls.patch.id, "cost_code_id": cls.code_patching.id})
        cls.reviewer = cls.users["reviewer"]
        cls.estimator = cls.users["estimator"]
        cls.controller = cls.users["controller"]

    def figures(self, budget_line):
        budget_line.invalidate_recordset()
        return tuple(
            round(budget_line[name], 2)
            for name in ("original", "revised", "committed", "actual", "remaining")
        )

    def upload_offline_batch(self):
        """Step 1: the tablet comes back online and sends what it collected."""
        image = self.image(
            latitude=INSIDE[0], longitude=INSIDE[1], taken="2026:11:20 09:15:00", offset="-06:00"
        )
        response = self.post_batch(
            {
                "correlation_id": CORRELATION,
                "photos": [
                    {
                        "client_uuid": "tablet-7-photo-1",
                        "image_base64": base64.b64encode(image).decode(),
                        "mimetype": "image/jpeg",
                        "stage": "before",
                    }
                ],
                "observations": [
                    {
                        "client_uuid": "tablet-7-observation-1",
                        "photo_client_uuids": ["tablet-7-photo-1"],
                        "severity": "high",
                        "detections": [
                            {
                                "label": "surface anomaly",
                                "confidence": 0.91,
                                "model": "roadnet",
                                "model_version": "3.2",
                                "photo_client_uuid": "tablet-7-photo-1",
                                "bbox": {"x": 0.4, "y": 0.5, "w": 0.2, "h": 0.15},
                            }
                        ],
                    }
                ],
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual(
            (result["photos"][0]["status"], result["observations"][0]["status"]),
            ("accepted", "accepted"),
        )
        photo = self.Photo.browse(result["photos"][0]["photo"]["id"])
        defect = self.Defect.browse(result["observations"][0]["defect"]["id"])
        return photo, defect

    def test_offline_batch_to_vendor_bill_follows_one_correlation_id(self):
        Link = self.env["construction.sync.event.link"]

        # 1. The field platform's offline batch: a photo filed on its site by
        #    EXIF GPS, an AI detection with its box, both events correlated.
        photo, defect = self.upload_offline_batch()
        self.assertEqual(
            (photo.site_id, photo.stage_id, photo.state), (self.site, self.before, "needs_review")
        )
        self.assertEqual(photo.captured_at.isoformat(), "2026-11-20T15:15:00")
        self.assertEqual((defect.site_id, defect.photo_ids), (self.site, photo))
        self.assertEqual(defect.annotation_ids.photo_id, photo)
        self.assertEqual(defect.detected_label, "surface anomaly")
        photo_event, defect_event = self.events("photo.captured"), self.events("defect.detected")
        self.assertEqual(
            [(event.state, event.correlation_id) for event in photo_event | defect_event],
            [("done", CORRELATION), ("done", CORRELATION)],
        )
        self.assertEqual(Link._events_of(photo), photo_event)
        self.assertEqual(Link._events_of(defect), defect_event)

        # 2. Review: the label is no category's, so the detection waits in the
        #    review queue; the reviewer accepts the photo, corrects the
        #    category to Pothole with the review wizard, and measures it.
        review_queue = self.env.ref("construction_field_evidence.construction_defect_review_action")
        queue = self.Defect.with_user(self.reviewer).search(safe_eval(review_queue.domain))
        self.assertIn(defect, queue)
        self.assertIn("unknown label", defect.review_reason)
        photo.with_user(self.reviewer).action_accept()
        action = defect.with_user(self.reviewer).action_open_review_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.reviewer)
            .with_context(**action["context"])
            .create({"decision": "correct", "category_id": self.pothole.id})
        )
        wizard.action_apply()
        with Form(defect.with_user(self.reviewer)) as form:
            form.quantity = 108
            form.uom_id = self.square_foot
        self.assertEqual(
            (defect.state, defect.category_id, defect.reviewer_id, defect.measure),
            ("confirmed", self.pothole, self.reviewer, "area"),
        )
        self.assertEqual(photo.state, "accepted")

        # 3. The estimator prices it into the repair estimate: 108 ft² is
        #    10.03 m² of patch at 40.00 = 401.20, then picks the vendor.
        estimate = self.Estimate.with_user(self.estimator).create(
            {"name": "Pothole repairs", "project_id": self.project.id}
        )
        pricing = (
            self.env["construction.defect.pricing.wizard"]
            .with_user(self.estimator)
            .with_context(active_model="construction.defect", active_ids=defect.ids)
            .create({"estimate_id": estimate.id})
        )
        self.assertFalse(pricing.refused_reasons)
        pricing.action_price()
        estimate_line = estimate.line_ids
        self.assertEqual(
            (estimate_line.product_id, estimate_line.uom_id, estimate_line.cost_code_id),
            (self.patch, self.square_meter, self.code_patching),
        )
        self.assertEqual(
            (estimate_line.quantity, estimate_line.unit_cost, estimate_line.amount),
            (10.03, 40.0, 401.2),
        )
        self.assertEqual((estimate_line.defect_ids, estimate_line.photo_ids), (defect, photo))
        self.assertEqual((defect.state, defect.estimate_line_ids), ("estimated", estimate_line))
        estimate_line.with_user(self.estimator).vendor_id = self.vendor_asphalt

        # 4. Approved, the estimate becomes the project's budget.
        estimate.with_user(self.controller).action_approve()
        estimate.with_user(self.controller).action_create_budget()
        budget = estimate.budget_id
        self.assertEqual((budget.project_id, estimate.state), (self.project, "budgeted"))
        budget_line = self.budget_line(budget, self.code_patching)
        self.assertEqual(budget.line_ids, budget_line)
        self.assertEqual(self.figures(budget_line), (401.2, 401.2, 0.0, 0.0, 401.2))
        # who made the budget does not approve it: another controller does
        budget.with_user(self.buyer_controller).action_approve()

        # 5. The buyer asks the vendor from the budget line, gets 38.00 per m²
        #    and confirms: 10.03 m² x 38.00 = 381.14 committed.
        rfq_wizard = self.open_rfq_wizard(budget_line)
        self.assertEqual(rfq_wizard.line_ids.quantity, 10.03)
        orders = self.env["purchase.order"].search(rfq_wizard.action_create_rfqs()["domain"])
        self.assertEqual((orders.partner_id, orders.state), (self.vendor_asphalt, "draft"))
        purchase_line = orders.order_line
        self.assertEqual((purchase_line.product_qty, purchase_line.price_unit), (10.03, 40.0))
        purchase_line.with_user(self.buyer_controller).price_unit = 38.0
        orders.with_user(self.buyer_controller).button_confirm()
        self.assertEqual(orders.state, "purchase")
        self.assertEqual(self.figures(budget_line), (401.2, 401.2, 381.14, 0.0, 20.06))

        # 6. The vendor bills the first 6 m²: 6 x 38.00 = 228.00 actual; the
        #    4.03 m² not billed stay committed (153.14); 20.06 remain.
        bill = self.bill(orders, 6)
        journal_item = bill.invoice_line_ids
        self.assertEqual((bill.state, journal_item.balance), ("posted", 228.0))
        self.assertEqual(self.figures(budget_line), (401.2, 401.2, 153.14, 228.0, 20.06))
        self.assertEqual(journal_item.analytic_distribution, self.distribution(self.code_patching))
        cost = journal_item.analytic_line_ids
        self.assertEqual(
            (cost.account_id, cost[self.column], cost.amount),
            (self.project_account, self.code_patching.analytic_account_id, -228.0),
        )

        # The chain, back from the journal item to the field request...
        self.assertEqual(journal_item.purchase_line_id, purchase_line)
        self.assertEqual(purchase_line.construction_estimate_line_id, estimate_line)
        self.assertEqual(
            self.budget_line(estimate_line.estimate_id.budget_id, estimate_line.cost_code_id),
            budget_line,
        )
        self.assertEqual(
            purchase_line.analytic_distribution,
            {f"{budget_line.project_id.account_id.id},{budget_line.analytic_account_id.id}": 100},
        )
        self.assertEqual(purchase_line.construction_defect_ids, defect)
        self.assertEqual(purchase_line.construction_photo_ids, photo)
        self.assertEqual(purchase_line.construction_field_correlation, CORRELATION)
        evidence_events = Link._events_of(defect) | Link._events_of(photo)
        self.assertEqual(evidence_events, photo_event | defect_event)
        self.assertEqual(set(evidence_events.mapped("correlation_id")), {CORRELATION})

        # ... and forward from the correlation id to what it led to.
        self.assertEqual(
            Link.search([("correlation_id", "=", CORRELATION)]).mapped("res_model"),
            ["construction.photo", "construction.defect"],
        )
        self.assertEqual(estimate_line.purchase_line_ids, purchase_line)
        PurchaseLine = self.env["purchase.order.line"].with_user(self.buyer_controller)
        self.assertEqual(
            PurchaseLine.search([("construction_field_correlation", "=", CORRELATION)]),
            purchase_line,
        )
        self.assertEqual(
            self.env["account.move.line"].search(
                [("purchase_line_id.construction_field_correlation", "=", CORRELATION)]
            ),
            journal_item,
        )
