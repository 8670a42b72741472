from odoo.exceptions import UserError

from .common import BASE_ROWS, EstimateBridgeCase, to_csv


def revised_rows(paving_quantity=120):
    rows = [list(row) for row in BASE_ROWS if row[0] != "L2"]  # striping removed
    rows[1][4] = paving_quantity  # L1 quantity
    rows.append(["L5", "", "Wheel stops", "32 17 23", 40, "ft", 3, "", "", "", "", ""])
    return rows


class TestEstimateRevision(EstimateBridgeCase):
    def test_new_revision_shows_added_removed_changed_and_supersedes(self):
        first = self.import_estimate(to_csv(BASE_ROWS))
        wizard = self.make_wizard(to_csv(revised_rows()))
        wizard.action_preview()
        self.assertEqual(wizard.previous_estimate_id, first)
        changes = {(change.kind, change.line_ref): change for change in wizard.change_ids}
        self.assertEqual(set(changes), {("changed", "L1"), ("removed", "L2"), ("added", "L5")})
        changed = changes[("changed", "L1")]
        self.assertEqual(changed.changed_fields, "quantity")
        self.assertEqual((changed.old_quantity, changed.new_quantity), (100, 120))
        self.assertEqual((changed.old_amount, changed.new_amount), (9000, 10800))
        self.assertFalse(wizard.blocked_count)

        action = wizard.action_import()
        second = self.Estimate.browse(action["res_id"])
        self.assertEqual(second.revision, 2)
        self.assertEqual(second.previous_revision_id, first)
        self.assertEqual(first.state, "superseded")
        self.assertEqual(self.Estimate._find_current_revision(self.project, "EST-1"), second)

    def test_other_reference_is_a_new_estimate(self):
        self.import_estimate(to_csv(BASE_ROWS))
        other = self.import_estimate(to_csv(BASE_ROWS), external_ref="EST-2")
        self.assertEqual(other.revision, 1)
        self.assertFalse(other.previous_revision_id)

    def test_overwrite_rule_once_purchases_commit_the_cost_code(self):
        estimate = self.budgeted_estimate()
        order = self.make_po(self.vendor_asphalt, self.product_asphalt, 80, 90, self.code_paving)
        order.button_confirm()
        # 7,200 committed on paving: bringing paving to 50 t (4,500) is refused
        wizard = self.make_wizard(to_csv(revised_rows(paving_quantity=50)))
        wizard.action_preview()
        blocked = wizard.change_ids.filtered("is_blocked")
        self.assertEqual(blocked.mapped("line_ref"), ["L1"])
        self.assertIn("7,200.00 committed", blocked.blocked_reason)
        self.assertIn("budgets only 4,500.00", blocked.blocked_reason)
        with self.assertRaisesRegex(UserError, "line L1 reduces cost code 32 12 16"):
            wizard.action_import()
        self.assertEqual(estimate.state, "budgeted")
        # 80 t still covers the commitment: accepted
        wizard = self.make_wizard(to_csv(revised_rows(paving_quantity=80)))
        wizard.action_preview()
        self.assertFalse(wizard.blocked_count)
        second = self.Estimate.browse(wizard.action_import()["res_id"])
        self.assertEqual(second.revision, 2)
        self.assertEqual(estimate.state, "superseded")

    def test_new_revision_updates_the_budget_originals(self):
        first = self.budgeted_estimate()
        budget = first.budget_id
        wizard = self.make_wizard(to_csv(revised_rows()))
        second = self.Estimate.browse(wizard.action_import()["res_id"])
        second.action_approve()
        second.action_create_budget()
        self.assertEqual(second.budget_id, budget)
        self.assertAlmostEqual(self.budget_line(budget, self.code_paving).original, 10800)
        # striping: L2 removed (1,000), L5 added (120)
        self.assertAlmostEqual(self.budget_line(budget, self.code_striping).original, 120)
        self.assertEqual(budget.estimate_id, second)
