from odoo.exceptions import UserError

from .common import BillingCase


class TestContract(BillingCase):
    def test_approved_estimate_becomes_a_contract_priced_with_markups_per_cost_type_and_line(self):
        contract = self.make_contract()
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.construction_project_id, self.project)
        rows = [
            (
                line.construction_cost_code_id,
                line.construction_original_value,
                line.price_subtotal,
            )
            for line in contract.order_line
        ]
        # Traffic control 600 + 25 % (its own), paving 9,000 + 10 % (material),
        # striping 1,000 + 5 % (subcontract); the excluded alternate is left out.
        self.assertEqual(
            rows,
            [
                (self.code_traffic, 750.0, 750.0),
                (self.code_paving, 9900.0, 9900.0),
                (self.code_striping, 1050.0, 1050.0),
            ],
        )
        self.assertEqual(contract.contract_original_sum, 11700.0)
        self.assertEqual(contract.amount_total, 11700.0, "schedule lines carry no tax")
        paving = self.schedule_line(contract, self.code_paving)
        self.assertEqual(paving.construction_estimate_line_ids.mapped("external_line_id"), ["L1"])
        self.assertEqual(
            (paving.construction_quantity, paving.construction_uom_id), (100.0, self.uom_ton)
        )
        self.assertEqual(contract.construction_estimate_id.contract_id, contract)

    def test_only_an_approved_estimate_with_a_customer_becomes_a_contract_once(self):
        draft = self.import_estimate(
            b"line_id,description,cost_code,quantity,unit,unit_cost\nL1,Overlay,321216,1,t,90\n",
            external_ref="EST-2",
        )
        with self.assertRaisesRegex(UserError, "Only an approved estimate"):
            draft.action_create_contract()
        contract = self.make_contract()
        with self.assertRaisesRegex(UserError, "already has contract"):
            contract.construction_estimate_id.action_create_contract()

    def test_approved_owner_change_order_revises_and_adds_lines_traced_to_it(self):
        estimate = self.approved_estimate()
        estimate.action_create_budget()
        contract = self.make_contract(estimate)
        order = self.env["construction.change.order"].create(
            {
                "title": "Extra overlay and seal coat",
                "budget_id": estimate.budget_id.id,
                "source": "client",
                "reason": "Owner asked",
                "contract_id": contract.id,
                "line_ids": [
                    (0, 0, {"cost_code_id": self.code_paving.id, "amount_delta": 1000}),
                    (0, 0, {"cost_code_id": self.code_seal.id, "amount_delta": 400}),
                ],
            }
        )
        order.with_user(self.pm).action_submit()
        self.assertEqual(contract.contract_change_sum, 0.0, "nothing changes before approval")
        order.with_user(self.controller).action_approve()
        paving = self.schedule_line(contract, self.code_paving)
        seal = self.schedule_line(contract, self.code_seal)
        self.assertEqual(
            (paving.construction_original_value, paving.construction_change_value),
            (9900.0, 1100.0),
        )
        self.assertEqual(paving.price_subtotal, 11000.0)
        self.assertEqual((seal.construction_change_value, seal.price_subtotal), (480.0, 480.0))
        self.assertEqual(paving.construction_change_order_ids, order)
        self.assertEqual(seal.construction_change_order_ids, order)
        self.assertEqual(
            (contract.contract_original_sum, contract.contract_change_sum), (11700.0, 1580.0)
        )
        self.assertTrue(
            contract.message_ids.filtered(lambda message: order.name in (message.body or ""))
        )
