from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BASE_ROWS, EstimateSyncCase, estimate_payload, to_json


@tagged("post_install", "-at_install")
class TestEstimateApprovedEvent(EstimateSyncCase):
    def apply(self, payload, key):
        with trap_jobs() as trap:
            event = self.receive("estimate.approved", payload, key)
            trap.assert_jobs_count(1, only=event._job_apply)
            trap.perform_enqueued_jobs()
        return event

    def estimates(self, external_ref="EST-1"):
        return self.Estimate.search(
            [("project_id", "=", self.project.id), ("external_ref", "=", external_ref)]
        )

    def test_approved_estimate_is_imported_and_approved(self):
        event = self.apply(estimate_payload(revision=3), "bp-1")
        self.assertEqual(event.state, "done", event.error_message)
        estimate = self.estimates()
        self.assertEqual(len(estimate), 1)
        self.assertEqual(event.link_ids.res_id, estimate.id)
        self.assertEqual(
            (estimate.state, estimate.revision, estimate.system_id, estimate.partner_id),
            ("budgeted", 3, self.system, self.customer),
        )
        self.assertEqual(len(estimate.line_ids), 5)
        # same figures as the wizard's import of the same rows
        self.assertAlmostEqual(estimate.amount_total, 10600)
        paving = estimate.line_ids.filtered(lambda line: line.external_line_id == "L1")
        self.assertEqual(paving.parent_id.external_line_id, "A1")
        self.assertEqual(
            (paving.cost_code_id, paving.uom_id, paving.product_id, paving.vendor_id),
            (self.code_paving, self.uom_ton, self.product_asphalt, self.vendor_asphalt),
        )
        seal = estimate.line_ids.filtered(lambda line: line.external_line_id == "L4")
        self.assertEqual((seal.is_alternate, seal.in_budget), (True, False))

    def test_line_errors_send_the_event_to_review_and_write_nothing(self):
        rows = [
            *BASE_ROWS,
            ["L9", "", "Bad code", "99 99 99", 1, "t", 1, "", "", "", "", ""],
            ["L10", "", "Negative", "32 12 16", -2, "t", 1, "", "", "", "", ""],
        ]
        event = self.apply(estimate_payload(rows), "bp-2")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("Nothing was imported", event.error_message)
        self.assertIn("row 6, cost_code: unknown cost code '99 99 99'", event.error_message)
        self.assertIn("row 7, quantity: quantity -2 is negative", event.error_message)
        self.assertFalse(self.estimates())

    def test_wizard_and_event_report_the_same_errors(self):
        rows = [["E1", "", "Unit mismatch", "32 12 16", 1, "Hours", 1, "", "", "", "", ""]]
        event = self.apply(estimate_payload(rows), "bp-3")
        with self.assertRaises(UserError) as caught:
            self.import_estimate(to_json(rows), filename="estimate.json", external_ref="EST-9")
        expected = "does not measure cost code 32 12 16"
        self.assertIn(expected, event.error_message)
        self.assertIn(expected, str(caught.exception))

    def test_a_project_the_platform_names_otherwise_is_found_by_its_binding(self):
        self.env["construction.sync.binding"].create(
            {
                "system_id": self.system.id,
                "res_model": "project.project",
                "res_id": self.project.id,
                "external_id": "PRJ-77",
            }
        )
        event = self.apply(estimate_payload(project="PRJ-77"), "bp-4")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.estimates().state, "budgeted")
        self.assertFalse(self.env["project.project"].search([("name", "=", "PRJ-77")]))

    def test_new_revision_supersedes_and_an_old_one_is_refused(self):
        self.apply(estimate_payload(revision=1), "bp-5")
        first = self.estimates()
        rows = [list(row) for row in BASE_ROWS]
        rows[1][4] = 120
        second_event = self.apply(estimate_payload(rows, revision=2), "bp-6")
        self.assertEqual(second_event.state, "done", second_event.error_message)
        second = self.estimates().filtered(lambda estimate: estimate.revision == 2)
        self.assertEqual((first.state, second.previous_revision_id), ("superseded", first))
        self.assertAlmostEqual(second.amount_total, 10600 + 20 * 90)

        stale = self.apply(estimate_payload(revision=2), "bp-7")
        self.assertEqual((stale.state, stale.error_code), ("needs_review", "business_rule"))
        self.assertIn("not newer", stale.error_message)
        self.assertEqual(len(self.estimates()), 2)

    def test_payload_outside_the_schema_is_refused_at_intake(self):
        payload = estimate_payload()
        payload["lines"][1]["quantity"] = "lots"
        with self.assertRaises(ApiError) as caught:
            self.receive("estimate.approved", payload, "bp-8")
        self.assertEqual(caught.exception.code, "schema_violation")
        self.assertEqual(caught.exception.errors[0]["pointer"], "/payload/lines/1/quantity")
