"""Procore work order contracts (subcontracts) as subcontracts here.

The Work Order Contract served is the shape of Procore's Construction
Financials reference, "Show Work Order Contract" and "Sync Work Order
Contracts" (``GET /rest/v1.0/work_order_contracts/{id}?project_id=``,
https://developers.procore.com/reference/rest/work-order-contracts):
``{id, number, title, status ("Draft", "Approved", "Complete", "Void",
"Terminated"), executed, retainage_percent (a string), vendor {id,
company}, line_items [{id, amount, quantity, unit_cost, description,
cost_code {id, full_code}}], updated_at}``; its line items are the
contract's schedule of values ("Work Order Contract Line Items").
"""

import json

from odoo.addons.construction_procore.tests.common import ProcoreCase, delivery
from odoo.tests import tagged

SOV = [
    {
        "id": 11,
        "amount": "60000.0",
        "quantity": "1.0",
        "unit_cost": "60000.0",
        "description": "Foundations and slab on grade",
        "cost_code": {"id": 91, "full_code": "03 30 00"},
    },
    {
        "id": 12,
        "amount": "15000.0",
        "quantity": "1.0",
        "unit_cost": "15000.0",
        "description": "Site concrete: walks and pads",
        "cost_code": {"id": 92, "full_code": "03 31 13"},
    },
]


@tagged("post_install", "-at_install")
class TestProcoreSubcontract(ProcoreCase):
    """A work order contract pulled or pushed by Procore becomes a
    subcontract on its project with its schedule of values per cost code
    and its retainage; a change in Procore changes it in place."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site_concrete = cls.CostCode.search([("code", "=", "03 31 13")])
        cls.budget.line_ids = [(0, 0, {"cost_code_id": cls.site_concrete.id, "original": 20000.0})]
        cls.Resolver = cls.env["construction.sync.resolver"]
        # a system that hears of commitments
        cls.listener = cls.System.create(
            {
                "name": "Commitment listener",
                "code": "commitment_listener",
                "kind": "procurement",
                "outbound_url": "https://hooks.listener.example/odoo",
                "outbound_event_type_ids": [
                    (
                        6,
                        0,
                        cls.env["construction.sync.event.type"]
                        .search([("code", "=", "commitment.changed")])
                        .ids,
                    )
                ],
            }
        )

    def work_order_contract(self, contract_id=7201, **values):
        values.setdefault("retainage_percent", "10.0")
        values.setdefault("line_items", json.loads(json.dumps(SOV)))
        return self.double.add_commitment(
            contract_id,
            path="work_order_contracts",
            number="SC-007",
            title="Concrete subcontract",
            **values,
        )

    def subcontract(self, contract_id=7201):
        return self.Resolver._binding(self.system, "purchase.order", f"commitment:{contract_id}")[1]

    def commitments_published(self):
        return [
            json.loads(sent.payload)
            for sent in self.env["construction.sync.delivery"].search(
                [
                    ("system_id", "=", self.listener.id),
                    ("event_type_id.code", "=", "commitment.changed"),
                ],
                order="id",
            )
        ]

    def budget_line(self, code):
        line = self.budget.line_ids.filtered(lambda line: line.cost_code_id == code)
        line.invalidate_recordset()
        return line

    def test_work_order_contract_becomes_a_subcontract_with_its_schedule_of_values(self):
        self.work_order_contract()
        body = delivery("Work Order Contracts", 7201, "01JDY0SUBK2000000000000001")
        self.assertEqual(self.post_webhook(body).status_code, 200)
        self.assertEqual(self.run_jobs(), [])
        event = self.events("commitment.upserted")
        self.assertEqual(event.state, "done", event.error_message)

        order = self.subcontract()
        self.assertTrue(order.construction_subcontract)
        self.assertEqual(
            (order.partner_id, order.project_id, order.partner_ref, order.state),
            (self.vendor, self.project, "SC-007", "purchase"),
        )
        self.assertEqual(order.construction_retainage_percent, 10.0)
        schedule = order._construction_schedule_lines()
        self.assertEqual(
            [(line._construction_cost_code(), line.price_subtotal) for line in schedule],
            [(self.concrete, 60000.0), (self.site_concrete, 15000.0)],
        )
        # committed from confirmation, per cost code
        self.assertEqual(self.budget_line(self.concrete).committed, 60000.0)
        self.assertEqual(self.budget_line(self.site_concrete).committed, 15000.0)
        published = self.commitments_published()
        self.assertEqual(len(published), 1)
        self.assertEqual(published[0]["retainage_percent"], 10.0)
        self.assertEqual(
            [(line["cost_code"], line["committed"]) for line in published[0]["lines"]],
            [("03 30 00", 60000.0), ("03 31 13", 15000.0)],
        )

    def test_a_change_in_procore_changes_the_subcontract_in_place(self):
        self.work_order_contract()
        self.pull("work_order_contracts").action_run_now()
        self.assertEqual(self.run_jobs(), [])
        order = self.subcontract()
        lines = order.order_line

        # Procore revises the schedule of values: the slab grows, a line for
        # embeds is added, the retainage drops to 5 %
        revised = json.loads(json.dumps(SOV))
        revised[0].update(amount="64000.0", unit_cost="64000.0")
        revised.append(
            {
                "id": 13,
                "amount": "2500.0",
                "quantity": "1.0",
                "unit_cost": "2500.0",
                "description": "Embeds",
                "cost_code": {"id": 92, "full_code": "03 31 13"},
            }
        )
        self.work_order_contract(
            line_items=revised, retainage_percent="5.0", updated_at="2026-12-02T08:00:00Z"
        )
        self.post_webhook(delivery("Work Order Contracts", 7201, "01JDY0SUBK2000000000000002"))
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(self.events("commitment.upserted")[-1].state, "done")

        subcontracts = self.env["purchase.order"].search([("partner_ref", "=", "SC-007")])
        self.assertEqual(subcontracts, order, "changed, not doubled")
        self.assertEqual(order.construction_retainage_percent, 5.0)
        self.assertEqual(len(order.order_line), 3)
        self.assertLess(lines, order.order_line, "the lines are the same ones, changed")
        self.assertEqual(order.amount_untaxed, 81500.0)
        self.assertEqual(self.budget_line(self.concrete).committed, 64000.0)
        self.assertEqual(self.budget_line(self.site_concrete).committed, 17500.0)
        published = self.commitments_published()
        self.assertEqual(len(published), 2, "confirmed, then changed")
        self.assertEqual(published[-1]["retainage_percent"], 5.0)
        self.assertEqual(
            sorted(line["scheduled_value"] for line in published[-1]["lines"]),
            [2500.0, 15000.0, 64000.0],
        )

        # the same version again, from the next pull: nothing changes
        self.pull("work_order_contracts").action_run_now()
        self.run_jobs()
        self.assertEqual(len(self.commitments_published()), 2)
        self.assertEqual(order.amount_untaxed, 81500.0)

    def test_a_line_removed_in_procore_below_what_is_billed_is_refused_with_its_reason(self):
        self.work_order_contract()
        self.pull("work_order_contracts").action_run_now()
        self.run_jobs()
        order = self.subcontract()
        walks = order.order_line.filtered(lambda line: line.construction_commitment_line == "12")
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.vendor.id,
                "invoice_date": "2026-12-01",
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "purchase_line_id": walks.id,
                            "quantity": 1.0,
                            "price_unit": 15000.0,
                            "name": "Site concrete: walks and pads",
                        },
                    )
                ],
            }
        )
        bill.action_post()
        self.work_order_contract(line_items=SOV[:1], updated_at="2026-12-02T08:00:00Z")
        self.post_webhook(delivery("Work Order Contracts", 7201, "01JDY0SUBK2000000000000003"))
        self.run_jobs()
        event = self.events("commitment.upserted")[-1]
        self.assertEqual(event.state, "needs_review")
        self.assertIn("already received or billed", event.error_message)
        self.assertEqual(walks.product_qty, 1.0, "nothing half-written")

    def test_unknown_vendor_or_cost_code_waits_for_review_with_its_reason(self):
        self.work_order_contract(7202, vendor={"id": 9911, "company": "Unknown Sitework Co."})
        sov = json.loads(json.dumps(SOV))
        sov[1]["cost_code"] = {"id": 99, "full_code": "99 99 99"}
        self.work_order_contract(7203, line_items=sov)
        self.pull("work_order_contracts").action_run_now()
        self.run_jobs()
        vendor_event, code_event = self.events("commitment.upserted").sorted(
            lambda event: event._payload()["external_id"]
        )
        self.assertEqual(vendor_event.state, "needs_review")
        self.assertIn("'9911' at /payload/vendor", vendor_event.error_message)
        self.assertEqual(code_event.state, "needs_review")
        self.assertIn("'99 99 99' at /payload/lines/1/cost_code", code_event.error_message)
        self.assertFalse(self.subcontract(7202) | self.subcontract(7203))
        self.assertFalse(self.env["purchase.order"].search([("partner_ref", "=", "SC-007")]))

    def test_a_procore_change_order_on_the_subcontract_joins_its_schedule_traced_to_it(self):
        self.work_order_contract()
        self.pull("work_order_contracts").action_run_now()
        self.run_jobs()
        order = self.subcontract()
        # "Show Commitment Change Order": contract_id names the work order contract
        self.double.add_change_order(915, contract_id=7201)
        self.post_webhook(delivery("Commitment Change Orders", 915, "01JDY0SUBK2000000000000004"))
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(self.events("change_order.approved").state, "done")

        change = self.env["construction.change.order"].search([("subcontract_id", "=", order.id)])
        self.assertEqual((change.state, change.amount_total), ("approved", 12500.0))
        added = order.order_line.filtered("construction_change_order_id")
        self.assertEqual(added.construction_change_order_id, change)
        self.assertEqual(added.price_subtotal, 12500.0)
        self.assertEqual(order.amount_untaxed, 87500.0)
        self.assertEqual(self.budget_line(self.concrete).committed, 72500.0)
        self.assertEqual(self.budget_line(self.concrete).revised, 262500.0)
        self.assertEqual(len(self.commitments_published()), 2, "confirmed, then changed")

        # the next version of the contract leaves the change order's line alone
        self.work_order_contract(retainage_percent="5.0", updated_at="2026-12-02T08:00:00Z")
        self.pull("work_order_contracts").action_run_now()
        self.run_jobs()
        self.assertEqual(order.amount_untaxed, 87500.0)
        self.assertIn(added, order.order_line)
