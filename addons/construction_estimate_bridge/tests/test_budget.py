from odoo import Command, fields
from odoo.exceptions import UserError

from .common import EstimateBridgeCase, row, to_csv


class TestBudget(EstimateBridgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.estimate = cls.budgeted_estimate()
        cls.budget = cls.estimate.budget_id
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Test Flagger", "hourly_cost": 40.0, "company_id": cls.company.id}
        )

    def test_approved_estimate_creates_one_line_per_cost_code(self):
        self.assertEqual(self.estimate.state, "budgeted")
        self.assertEqual(self.budget.project_id, self.project)
        self.assertEqual(
            self.budget.line_ids.cost_code_id,
            self.code_paving | self.code_striping | self.code_traffic,
        )
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_paving).original, 9000)
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_striping).original, 1000)
        self.assertAlmostEqual(self.budget_line(self.budget, self.code_traffic).original, 600)
        self.assertAlmostEqual(
            self.budget_line(self.budget, self.code_paving).original_quantity, 100
        )
        self.assertAlmostEqual(self.budget.revised, 10600)
        self.assertAlmostEqual(self.budget.remaining, 10600)

    def test_only_approved_estimates_are_budgeted(self):
        draft = self.import_estimate(
            b"line_id,cost_code,quantity,unit_cost\nX,32 12 16,1,1\n", external_ref="EST-9"
        )
        with self.assertRaisesRegex(UserError, "not possible"):
            draft.action_create_budget()

    def test_committed_actual_remaining_after_purchases_bills_and_timesheets(self):
        paving = self.budget_line(self.budget, self.code_paving)
        traffic = self.budget_line(self.budget, self.code_traffic)
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 60, 90, self.code_paving)
        self.assertEqual(paving.committed, 0, "a draft RFQ commits nothing")
        order.button_confirm()
        self.assertAlmostEqual(paving.committed, 5400)
        self.assertAlmostEqual(paving.actual, 0)

        self.bill(order, 20)  # 20 t billed: 1,800 actual, 40 t still committed
        self.assertAlmostEqual(paving.committed, 3600)
        self.assertAlmostEqual(paving.actual, 1800)
        self.assertAlmostEqual(paving.remaining, 9000 - 3600 - 1800)
        self.assertAlmostEqual(paving.forecast, 9000)
        self.assertAlmostEqual(paving.variance, 0)
        self.assertFalse(paving.over_budget)

        self.env["account.analytic.line"].create(
            {
                "name": "Flagging",
                "project_id": self.project.id,
                "employee_id": self.employee.id,
                "unit_amount": 3,
                self.column: self.code_traffic.analytic_account_id.id,
            }
        )
        self.assertAlmostEqual(traffic.actual, 120)  # 3 h at 40
        self.assertAlmostEqual(traffic.remaining, 480)

        self.company.construction_budget_check = "none"
        extra = self.make_po(self.vendor_asphalt, self.product_asphalt, 50, 90, self.code_paving)
        extra.button_confirm()
        self.assertAlmostEqual(paving.committed, 3600 + 4500)
        self.assertAlmostEqual(paving.remaining, -900)
        self.assertAlmostEqual(paving.forecast, 9900)
        self.assertAlmostEqual(paving.variance, -900)
        self.assertTrue(paving.over_budget)
        self.assertEqual(self.budget.over_budget_count, 1)
        self.assertAlmostEqual(self.budget.committed, 8100)
        self.assertAlmostEqual(self.budget.actual, 1920)

        extra.button_cancel()
        self.assertAlmostEqual(paving.committed, 3600)
        self.assertFalse(paving.over_budget)

    def test_a_draft_bill_keeps_its_quantity_committed_until_it_posts(self):
        paving = self.budget_line(self.budget, self.code_paving)
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 60, 90, self.code_paving)
        order.button_confirm()
        action = order.action_create_invoice()
        bill = self.env["account.move"].browse(action["res_id"])
        bill.write(
            {
                "invoice_date": fields.Date.context_today(bill),
                "invoice_line_ids": [Command.update(bill.invoice_line_ids.id, {"quantity": 20})],
            }
        )
        paving._refresh_figures()
        self.assertAlmostEqual(paving.committed, 5400, msg="a draft bill is no cost yet")
        self.assertAlmostEqual(paving.actual, 0)
        bill.action_post()
        self.assertAlmostEqual(paving.committed, 3600)
        self.assertAlmostEqual(paving.actual, 1800)
        bill.button_draft()
        bill.button_cancel()
        self.assertAlmostEqual(paving.committed, 5400, msg="a cancelled bill frees nothing")
        self.assertAlmostEqual(paving.actual, 0)

    def test_other_projects_and_cost_codes_do_not_count(self):
        other_project = self.env["project.project"].create({"name": "Other lot"})
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor_asphalt.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_asphalt.id,
                            "product_qty": 10,
                            "price_unit": 90,
                            "analytic_distribution": {
                                f"{other_project.account_id.id},"
                                f"{self.code_paving.analytic_account_id.id}": 100
                            },
                        },
                    )
                ],
            }
        )
        order.button_confirm()
        self.budget.action_refresh_figures()
        self.assertEqual(self.budget_line(self.budget, self.code_paving).committed, 0)

    def flush_tracking(self):
        """Write tracking messages, as committing the transaction would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_budget_approval_is_tracked_in_chatter(self):
        budget = self.budget.with_env(self.env(context={}))
        self.flush_tracking()  # the budget was created in this transaction: approve in a later one
        budget.with_user(self.users["controller"]).action_approve()
        self.flush_tracking()
        budget.invalidate_recordset(["message_ids"])
        self.assertEqual(budget.state, "approved")
        self.assertEqual(budget.approved_by_id, self.users["controller"])
        bodies = " ".join(budget.message_ids.mapped("body"))
        self.assertIn("Budget approved at", bodies)
        tracked = budget.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(tracked[:1].new_value_char, "Approved")
        with self.assertRaises(UserError):
            budget.action_approve()

    def test_quantities_in_other_units_are_converted_to_the_cost_codes_unit(self):
        square_foot = self.env.ref("uom.uom_square_foot")
        self.assertEqual(self.code_seal.uom_id, square_foot)
        square_yard = self.env["uom.uom"].create(
            {
                "name": "SY test",
                "category_id": square_foot.category_id.id,
                "uom_type": "bigger",
                "factor_inv": 9 * square_foot.factor_inv,
            }
        )
        project = self.env["project.project"].create({"name": "Test Lot with seal coat"})
        estimate = self.make_wizard(
            to_csv(
                [
                    row("S1", "32 01 13.62", 900, "ft²", 0.3, "Seal coat east"),
                    row("S2", "32 01 13.62", 100, "SY test", 2.7, "Seal coat west"),
                ]
            ),
            project_id=project.id,
            external_ref="EST-SEAL",
        ).action_import()
        estimate = self.Estimate.browse(estimate["res_id"])
        estimate.action_approve()
        estimate.action_create_budget()
        seal = self.budget_line(estimate.budget_id, self.code_seal)
        # 900 ft² + 100 yd² (900 ft²), not 1,000 of anything
        self.assertAlmostEqual(seal.original_quantity, 1800)
        self.assertEqual(seal.uom_id, square_foot)
        self.assertAlmostEqual(seal.original, 540)
        # a change order of 180 ft² is a tenth more: each line needs a tenth more, in its unit
        change = self.env["construction.change.order"].create(
            {
                "title": "Seal the loading dock too",
                "budget_id": estimate.budget_id.id,
                "reason": "Client request.",
                "line_ids": [
                    Command.create(
                        {
                            "cost_code_id": self.code_seal.id,
                            "quantity_delta": 180,
                            "amount_delta": 54,
                        }
                    )
                ],
            }
        )
        change.with_user(self.users["controller"]).action_approve()
        estimate.budget_id.action_approve()
        proposals = {
            proposal.estimate_line_id.external_line_id: (proposal.needed_quantity, proposal.uom_id)
            for proposal in self.open_rfq_wizard(seal).line_ids
        }
        self.assertEqual(proposals["S1"][1], square_foot)
        self.assertAlmostEqual(proposals["S1"][0], 990)
        self.assertEqual(proposals["S2"][1], square_yard)
        self.assertAlmostEqual(proposals["S2"][0], 110)

    def test_a_quantity_that_cannot_convert_is_refused_by_name(self):
        project = self.env["project.project"].create({"name": "Test Lot with hours"})
        action = self.make_wizard(
            to_csv([row("S1", "32 01 13.62", 900, "ft²", 0.3, "Seal coat east")]),
            project_id=project.id,
            external_ref="EST-HOURS",
        ).action_import()
        estimate = self.Estimate.browse(action["res_id"])
        # edited by hand after the import, which checks units against cost codes
        estimate.line_ids.uom_id = self.env.ref("uom.product_uom_hour")
        estimate.action_approve()
        with self.assertRaisesRegex(UserError, r"(?s)Seal coat east.*Hours.*32 01 13\.62.*ft²"):
            estimate.action_create_budget()
        self.assertFalse(self.env["construction.budget"].search([("project_id", "=", project.id)]))

    def test_a_cost_code_without_unit_counts_in_its_first_lines_unit(self):
        self.code_seal.uom_id = False
        project = self.env["project.project"].create({"name": "Test Lot without unit"})
        action = self.make_wizard(
            to_csv(
                [
                    row("S1", "32 01 13.62", 2, "m²", 3, "Seal coat east"),
                    row("S2", "32 01 13.62", 10.7639, "ft²", 0.3, "Seal coat west"),
                    row("S3", "32 01 13.62", 1, "Hours", 50, "Seal coat crew"),
                ]
            ),
            project_id=project.id,
            external_ref="EST-NOUNIT",
        ).action_import()
        estimate = self.Estimate.browse(action["res_id"])
        estimate.action_approve()
        with self.assertRaisesRegex(UserError, r"(?s)Seal coat crew.*Hours.*m²"):
            estimate.action_create_budget()
        estimate.action_reset_to_draft()
        estimate.line_ids.filtered(lambda line: line.name == "Seal coat crew").unlink()
        estimate.action_approve()
        estimate.action_create_budget()
        seal = self.budget_line(estimate.budget_id, self.code_seal)
        self.assertEqual(seal.uom_id, self.env.ref("uom.uom_square_meter"))
        self.assertAlmostEqual(seal.original_quantity, 3, places=3)
