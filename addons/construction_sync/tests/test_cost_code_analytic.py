from odoo.exceptions import UserError
from odoo.tests import Form

from .common import ConstructionCase


class TestCostCodeAnalytic(ConstructionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.column = cls.plan._column_name()
        cls.project_account = cls.env["account.analytic.account"].create(
            {
                "name": "Main Street Resurfacing",
                "plan_id": cls.env["account.analytic.plan"]
                .search([("id", "!=", cls.plan.id)], limit=1)
                .id,
            }
        )

    def book(self, cost_code, amount, hours=0.0):
        return self.env["account.analytic.line"].create(
            {
                "name": f"Booked on {cost_code.code}",
                "amount": amount,
                "unit_amount": hours,
                self.project_account.plan_id._column_name(): self.project_account.id,
                self.column: cost_code.analytic_account_id.id,
            }
        )

    def test_new_code_gets_an_account_in_the_cost_codes_plan(self):
        code = self.CostCode.create(
            {"code": "32 31 13", "name": "Chain Link Fences", "company_id": self.company.id}
        )
        account = code.analytic_account_id
        self.assertEqual(account.plan_id, self.plan)
        self.assertEqual((account.code, account.name), ("32 31 13", "Chain Link Fences"))
        self.assertEqual(account.company_id, self.company)
        self.assertEqual(account.display_name, "[32 31 13] Chain Link Fences")

    def test_rename_renumber_move_and_archive_follow_on_the_account(self):
        code = self.CostCode.create({"code": "32 31 13", "name": "Fences"})
        account = code.analytic_account_id
        code.write({"name": "Chain Link Fences", "code": "32-31-13.53"})
        self.assertEqual((account.code, account.name), ("32 31 13.53", "Chain Link Fences"))
        code.company_id = self.other_company
        self.assertEqual(account.company_id, self.other_company)
        code.action_archive()
        self.assertFalse(account.active)
        code.action_unarchive()
        self.assertTrue(account.active)

    def test_the_account_mirrors_its_code_without_chatter(self):
        """The code's chatter tells its history; its account, a mirror,
        gets no note and no follower of its own."""
        controller = self.users["controller"]
        codes = self.CostCode.with_user(controller).with_context(tracking_disable=False)
        code = codes.create({"code": "32 31 13", "name": "Fences"})
        code.name = "Chain Link Fences"
        self.env.flush_all()
        account = code.analytic_account_id
        self.assertEqual(account.name, "Chain Link Fences")
        self.assertFalse(account.message_ids)
        self.assertFalse(account.message_follower_ids)
        self.assertEqual(code.message_ids.mapped("body"), ["<p>Construction Cost Code created</p>"])
        self.assertEqual(code.message_partner_ids, controller.partner_id)

    def test_data_divisions_are_shared_accounts(self):
        account = self.division_32.analytic_account_id
        self.assertEqual(account.plan_id, self.plan)
        self.assertFalse(account.company_id)

    def test_entries_carry_project_and_cost_code_and_report_by_cost_code(self):
        paving, patching = self.create_codes("32 31 13", "32 31 23")
        self.book(paving, -1200.0, 8)
        self.book(paving, -300.0, 2)
        self.book(patching, -50.0, 1)
        groups = self.env["account.analytic.line"]._read_group(
            [(self.column, "in", (paving | patching).analytic_account_id.ids)],
            [self.column],
            ["amount:sum", "unit_amount:sum"],
        )
        totals = {account: (amount, hours) for account, amount, hours in groups}
        self.assertEqual(totals[paving.analytic_account_id], (-1500.0, 10.0))
        self.assertEqual(totals[patching.analytic_account_id], (-50.0, 1.0))

        action = paving.action_open_analytic_lines()
        lines = self.env["account.analytic.line"].search(action["domain"])
        self.assertEqual(sorted(lines.mapped("amount")), [-1200.0, -300.0])
        self.assertEqual(action["context"]["pivot_row_groupby"], [self.column])

    def test_code_with_entries_cannot_be_deleted_but_can_be_archived(self):
        code = self.CostCode.create({"code": "32 31 13", "name": "Fences"})
        self.book(code, -10.0)
        with self.assertRaisesRegex(UserError, "Archive them instead"), self.env.cr.savepoint():
            code.unlink()
        self.assertTrue(code.exists())
        self.assertTrue(code.analytic_account_id.exists())
        code.action_archive()
        self.assertFalse(code.analytic_account_id.active)

    def test_unused_code_is_deleted_with_its_account(self):
        code = self.CostCode.create({"code": "32 31 13", "name": "Fences"})
        account = code.analytic_account_id
        code.unlink()
        self.assertFalse(account.exists())

    def test_settings_make_cost_code_mandatory(self):
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.construction_cost_code_plan_id, self.plan)
        settings.construction_cost_code_applicability = "mandatory"
        settings.save().execute()
        self.assertEqual(self.plan.default_applicability, "mandatory")
