from datetime import datetime

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from .common import EstimateSyncCase


@tagged("post_install", "-at_install")
class TestSupplierConfirmation(EstimateSyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.construction_budget_check = "none"
        cls.grant(cls.system, "supplier.confirmation")

    def confirm(self, payload, key):
        with trap_jobs() as trap:
            event = self.receive("supplier.confirmation", payload, key)
            trap.perform_enqueued_jobs()
        return event

    def test_rfq_takes_confirmed_quantities_and_dates(self):
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 100, 90, self.code_paving)
        order.order_line = [
            (0, 0, {"product_id": self.product_striping.id, "product_qty": 2000, "price_unit": 0.5})
        ]
        asphalt, striping = order.order_line
        payload = {
            "order": order.name,
            "lines": [
                {"product": "TST-HMA", "quantity": 95, "date_planned": "2026-12-01T14:00:00+02:00"},
                {"line_id": striping.id, "date_planned": "2026-12-03"},
            ],
        }
        event = self.confirm(payload, "conf-1")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.link_ids.res_id, order.id)
        self.assertEqual(asphalt.product_qty, 95)
        self.assertEqual(asphalt.date_planned, datetime(2026, 12, 1, 12, 0))
        self.assertEqual(striping.product_qty, 2000)
        self.assertEqual(striping.date_planned, datetime(2026, 12, 3))

    def test_confirmed_order_found_by_vendor_reference_takes_dates_only(self):
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 100, 90, self.code_paving)
        order.partner_ref = "SUMMIT-SO-881"
        order.button_confirm()
        line = order.order_line
        same_quantity = {
            "order": "SUMMIT-SO-881",
            "lines": [{"product": "Test asphalt", "quantity": 100, "date_planned": "2026-12-05"}],
        }
        event = self.confirm(same_quantity, "conf-2")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(line.date_planned, datetime(2026, 12, 5))

        changed_quantity = {
            "order": "SUMMIT-SO-881",
            "lines": [{"line_id": line.id, "quantity": 80, "date_planned": "2026-12-09"}],
        }
        event = self.confirm(changed_quantity, "conf-3")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn(f"{order.name} is already confirmed", event.error_message)
        self.assertIn("the vendor confirms 80", event.error_message)
        self.assertIn("the order has 100", event.error_message)
        # nothing of a refused confirmation applies
        self.assertEqual((line.product_qty, line.date_planned), (100, datetime(2026, 12, 5)))

    def test_unknown_order_waits_for_review(self):
        event = self.confirm({"order": "NOPE-1", "lines": [{"product": "TST-HMA"}]}, "conf-4")
        self.assertEqual((event.state, event.error_code), ("needs_review", "unknown_reference"))
        self.assertIn("'NOPE-1'", event.error_message)

    def test_unknown_line_is_named(self):
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 100, 90, self.code_paving)
        payload = {"order": order.name, "lines": [{"product": "TST-STRIPE", "quantity": 3}]}
        event = self.confirm(payload, "conf-5")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("0 lines for 'TST-STRIPE'", event.error_message)
