from odoo.tests import tagged

from .common import FieldActualsCase


@tagged("post_install", "-at_install")
class TestSyncFieldProgress(FieldActualsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.done_stage = cls.env["project.task.type"].create(
            {"name": "Done", "fold": True, "sequence": 90, "project_ids": [(4, cls.project.id)]}
        )
        cls.env["project.task.type"].create(
            {"name": "In Progress", "sequence": 5, "project_ids": [(4, cls.project.id)]}
        )
        cls.project.user_id = cls.users["controller"]
        cls.vendor = cls.env["res.partner"].create({"name": "Striping Pros LLC"})
        cls.striping = cls.env["product.product"].create(
            {"name": "Line striping (subcontract)", "type": "service", "purchase_method": "receive"}
        )
        cls.order = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "order_line": [
                    (0, 0, {"product_id": cls.striping.id, "product_qty": 400, "price_unit": 2.5})
                ],
            }
        )
        cls.order.button_confirm()
        cls.po_line = cls.order.order_line
        cls.bind(cls.po_line, "SUB-7-L1")

    def completed(self, key, occurred_at="2026-03-12T16:00:00+00:00", **payload):
        payload = dict(
            {
                "task": "JOB-100-T1",
                "completed_at": "2026-03-12T15:45:00-05:00",
                "progress_percent": 100,
                "notes": "Overlay finished, joints sealed",
            },
            **payload,
        )
        return self.receive_event("field.task.completed", key, occurred_at, payload)

    def confirmed(self, key, occurred_at="2026-03-12T16:00:00+00:00", **payload):
        payload.setdefault("purchase_line", "SUB-7-L1")
        return self.receive_event("subcontract.work.confirmed", key, occurred_at, payload)

    def test_completed_task_is_closed_noted_and_ready_to_invoice(self):
        event = self.completed("done-1")
        self.apply()
        self.assertEqual((event.state, event.error_code), ("done", False))
        self.assertEqual((self.task.state, self.task.stage_id), ("1_done", self.done_stage))
        self.assertEqual(str(self.task.construction_completed_at), "2026-03-12 20:45:00")
        note = self.task.message_ids.filtered(lambda m: "Completed in the field" in (m.body or ""))
        self.assertIn("joints sealed", note.body)
        self.assertIn("corr-done-1", note.body)
        activity = self.task.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.users["controller"])
        self.assertIn("Ready to invoice", activity.summary)
        self.assertEqual(event.link_ids.res_id, self.task.id)

        again = self.completed("done-2", occurred_at="2026-03-12T17:00:00+00:00")
        late = self.completed("done-0", occurred_at="2026-03-11T16:00:00+00:00")
        self.apply()
        self.assertEqual(again.state, "done")
        self.assertEqual(len(self.task.activity_ids), 1, "a resend asks once")
        self.assertEqual(late.error_code, "out_of_order")

    def test_unknown_task_waits_for_review(self):
        event = self.completed("done-3", task="JOB-100-T9")
        self.apply()
        self.assertEqual(event.error_code, "unknown_reference")
        self.assertIn("/payload/task", event.error_message)
        self.assertNotEqual(self.task.state, "1_done")

    def test_subcontract_progress_is_received_and_ready_to_bill(self):
        half = self.confirmed("sub-1", percent_complete=50)
        self.apply()
        self.assertEqual(half.state, "done")
        self.assertEqual((self.po_line.qty_received, self.po_line.qty_to_invoice), (200.0, 200.0))
        activity = self.order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Ready to bill", activity.summary)
        self.assertEqual(half.link_ids.res_id, self.po_line.id)

        more = self.confirmed("sub-2", "2026-03-13T16:00:00+00:00", quantity=300)
        stale = self.confirmed("sub-0", "2026-03-11T16:00:00+00:00", quantity=100)
        too_much = self.confirmed("sub-3", "2026-03-14T16:00:00+00:00", quantity=450)
        self.apply()
        self.assertEqual(more.state, "done")
        self.assertEqual(stale.error_code, "out_of_order")
        self.assertEqual(too_much.error_code, "business_rule")
        self.assertIn("more than the 400.0 ordered", too_much.error_message)
        self.assertEqual(self.po_line.qty_received, 300.0)

    def test_subcontract_refuses_goods_and_unconfirmed_orders(self):
        draft = self.order.copy()
        self.bind(draft.order_line, "SUB-8-L1")
        event = self.confirmed("sub-4", purchase_line="SUB-8-L1", quantity=10)
        unknown = self.confirmed("sub-5", purchase_line="SUB-404", quantity=10)
        self.apply()
        self.assertEqual(event.error_code, "business_rule")
        self.assertIn("is not confirmed", event.error_message)
        self.assertEqual(unknown.error_code, "unknown_reference")
