import io
import json
import zipfile
from unittest.mock import patch

from odoo.exceptions import UserError

from ..models import construction_estimate
from .common import BASE_ROWS, EstimateBridgeCase, to_csv, to_json, to_xlsx


class TestEstimateImport(EstimateBridgeCase):
    def assert_base_estimate(self, estimate):
        self.assertEqual(estimate.state, "draft")
        self.assertEqual(estimate.revision, 1)
        self.assertEqual(estimate.project_id, self.project)
        self.assertEqual(estimate.external_ref, "EST-1")
        lines = {line.external_line_id: line for line in estimate.line_ids}
        self.assertEqual(set(lines), {"A1", "L1", "L2", "L3", "L4"})
        overlay = lines["L1"]
        self.assertEqual(overlay.cost_code_id, self.code_paving)
        self.assertEqual(overlay.parent_id, lines["A1"])
        self.assertEqual(overlay.uom_id, self.uom_ton)
        self.assertEqual(overlay.product_id, self.product_asphalt)
        self.assertEqual(overlay.vendor_id, self.vendor_asphalt)
        self.assertEqual(overlay.cost_type, "material")
        self.assertEqual(overlay.bid_package, "Paving")
        self.assertAlmostEqual(overlay.amount, 9000)
        self.assertTrue(lines["A1"].is_assembly)
        self.assertFalse(lines["A1"].in_budget)
        self.assertAlmostEqual(lines["A1"].amount, 9000)
        self.assertEqual(lines["L3"].cost_code_id, self.code_traffic)
        self.assertTrue(lines["L4"].is_alternate)
        self.assertFalse(lines["L4"].in_budget)
        # 9,000 + 1,000 + 600: the assembly and the excluded alternate stay out
        self.assertAlmostEqual(estimate.amount_total, 10600)

    def test_import_csv(self):
        self.assert_base_estimate(self.import_estimate(to_csv(BASE_ROWS)))

    def test_import_xlsx(self):
        self.assert_base_estimate(self.import_estimate(to_xlsx(BASE_ROWS), "estimate.xlsx"))

    def test_import_json(self):
        self.assert_base_estimate(self.import_estimate(to_json(BASE_ROWS), "estimate.json"))

    def test_profile_maps_platform_columns_and_unit_synonyms(self):
        self.profile.write(
            {
                "column_line_id": "Item",
                "column_cost_code": "CSI",
                "column_quantity": "Qty",
                "column_unit": "UOM",
                "column_unit_cost": "Rate",
                "column_name": "Desc",
            }
        )
        content = "Item;CSI;Desc;Qty;UOM;Rate\nP1;32.12.16;Overlay;12;TN;88\n"
        estimate = self.import_estimate(content)
        self.assertEqual(estimate.line_ids.cost_code_id, self.code_paving)
        self.assertEqual(estimate.line_ids.uom_id, self.uom_ton)
        self.assertAlmostEqual(estimate.amount_total, 1056)

    def test_resolve_cost_code_normalizes_platform_numbers(self):
        for raw in ("321216", "32-12-16", " 32 12 16 ", "32.12.16"):
            with self.subTest(raw=raw):
                self.assertEqual(self.profile._resolve_cost_code(raw), self.code_paving)
        self.assertFalse(self.profile._resolve_cost_code("99 99 99"))
        self.assertFalse(self.profile._resolve_cost_code("not a code"))

    def test_preview_lists_every_error_with_row_and_column(self):
        rows = [
            ["E1", "", "Unknown code", "99 99 99", 1, "t", 1, "", "", "", "", ""],
            ["E2", "", "Unit mismatch", "32 12 16", 1, "Hours", 1, "", "", "", "", ""],
            ["E3", "", "Negative", "32 12 16", -5, "t", 1, "", "", "", "", ""],
            ["E4", "", "No price", "32 12 16", 1, "t", "", "", "", "", "", ""],
            ["E4", "", "Duplicate", "32 12 16", 1, "t", 1, "", "", "", "", ""],
            ["E6", "", "Bad vendor", "32 12 16", 1, "t", 1, "Nobody Inc", "", "", "", ""],
        ]
        wizard = self.make_wizard(to_csv(rows))
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        self.assertEqual(wizard.line_count, 6)
        found = {(issue.row, issue.column) for issue in wizard.issue_ids}
        self.assertEqual(
            found,
            {
                (2, "cost_code"),
                (3, "unit"),
                (4, "quantity"),
                (5, "unit_cost"),
                (5, "line_id"),
                (6, "line_id"),
                (7, "vendor"),
            },
        )
        messages = {(issue.row, issue.column): issue.message for issue in wizard.issue_ids}
        self.assertIn("unknown cost code '99 99 99'", messages[(2, "cost_code")])
        self.assertIn("does not measure cost code 32 12 16", messages[(3, "unit")])
        self.assertIn("negative", messages[(4, "quantity")])
        self.assertIn("unit cost is missing", messages[(5, "unit_cost")])
        self.assertIn("repeated", messages[(6, "line_id")])
        self.assertEqual(wizard.issue_count, 7)

    def test_nothing_is_written_when_one_line_is_wrong(self):
        rows = [*BASE_ROWS, ["L9", "", "Bad", "32 12 16", -1, "t", 1, "", "", "", "", ""]]
        before = self.env["construction.estimate.line"].search_count([])
        wizard = self.make_wizard(to_csv(rows))
        expected = r"(?s)Nothing was imported.*row 7, quantity: quantity -1 is negative"
        with self.assertRaisesRegex(UserError, expected):
            wizard.action_import()
        self.assertEqual(self.env["construction.estimate.line"].search_count([]), before)
        self.assertFalse(self.Estimate.search([("external_ref", "=", "EST-1")]))

    def test_a_long_import_tells_the_importer_how_far_it_is(self):
        # The notices go through cursors of their own: keep them in this test's.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        notices = self.env["bus.bus"].search_count([("message", "like", "lines written")])
        # Five lines written two at a time stand for 50,000 in chunks of 5,000.
        with patch.object(construction_estimate, "IMPORT_CHUNK", 2):
            self.assert_base_estimate(self.import_estimate(to_csv(BASE_ROWS)))
        sent = self.env["bus.bus"].search(
            [("message", "like", "lines written")], order="id", offset=notices
        )
        messages = [json.loads(notice.message) for notice in sent]
        self.assertEqual(
            [message["payload"]["message"] for message in messages],
            [
                "2 of 5 lines written (40 %).",
                "4 of 5 lines written (80 %).",
                "5 of 5 lines written (100 %).",
            ],
        )
        self.assertEqual(messages[0]["type"], "simple_notification")
        self.assertIn(str(self.env.user.partner_id.id), sent[0].channel)

    def test_a_short_import_sends_no_progress(self):
        notices = self.env["bus.bus"].search_count([("message", "like", "lines written")])
        self.import_estimate(to_csv(BASE_ROWS))
        self.assertEqual(
            self.env["bus.bus"].search_count([("message", "like", "lines written")]), notices
        )

    def test_valid_preview_counts_lines_and_total(self):
        wizard = self.make_wizard(to_xlsx(BASE_ROWS), "bid.xlsx")
        self.assertEqual(wizard.file_format, "xlsx")
        wizard.action_preview()
        self.assertFalse(wizard.issue_ids)
        self.assertEqual((wizard.line_count, wizard.budget_line_count), (5, 3))
        self.assertAlmostEqual(wizard.amount_total, 10600)
        self.assertFalse(wizard.previous_estimate_id)

    def test_unreadable_file_is_refused(self):
        wizard = self.make_wizard(b"{broken", "estimate.json")
        with self.assertRaisesRegex(UserError, "cannot be read"):
            wizard.action_preview()

    def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(self):
        # An estimator's upload: a workbook with one part of 300 MB of blanks,
        # a few hundred kilobytes on the wire.
        buffer = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(to_xlsx(BASE_ROWS))) as source,
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
        ):
            for member in source.infolist():
                bomb.writestr(member, source.read(member))
            bomb.writestr("xl/worksheets/sheet9.xml", b" " * (300 << 20))
        wizard = self.make_wizard(buffer.getvalue(), "estimate.xlsx")
        estimates = self.env["construction.estimate"].search_count([])
        with (
            patch("openpyxl.load_workbook", side_effect=AssertionError("unpacked")),
            self.assertRaisesRegex(UserError, "unpacks"),
        ):
            wizard.action_preview()
        self.assertEqual(self.env["construction.estimate"].search_count([]), estimates)

    def test_a_european_spreadsheet_export_is_read_as_its_platform_writes_it(self):
        # Excel on a German Windows: semicolons, decimal comma, dots grouping thousands,
        # Windows-1252 text
        self.profile.write({"number_format": "comma", "encoding": "cp1252"})
        content = (
            "line_id;description;cost_code;quantity;unit;unit_cost\n"
            "E1;Asphaltdecke Einfahrt;32 12 16;1.234,5;t;88,40\n"
            "E2;Markierung Gehweg \u2013 weiß;32 17 23;2 000;ft;0,55\n"
        ).encode("cp1252")
        wizard = self.make_wizard(content)
        wizard.action_preview()
        self.assertFalse(wizard.issue_ids)
        self.assertAlmostEqual(wizard.amount_total, 1234.5 * 88.40 + 2000 * 0.55)
        estimate = self.Estimate.browse(wizard.action_import()["res_id"])
        lines = {line.external_line_id: line for line in estimate.line_ids}
        self.assertAlmostEqual(lines["E1"].quantity, 1234.5)
        self.assertAlmostEqual(lines["E1"].unit_cost, 88.40)
        self.assertEqual(lines["E2"].name, "Markierung Gehweg \u2013 weiß")
        self.assertAlmostEqual(lines["E2"].quantity, 2000)

    def test_numbers_and_text_that_cannot_be_read_surely_are_refused_row_by_row(self):
        # an automatic profile, a file with nothing to tell the convention, cp1252 bytes
        content = (
            "line_id,description,cost_code,quantity,unit,unit_cost\n"
            'N1,Overlay,32 12 16,"1,234",t,88\n'
            "N2,Crème seal,32 12 16,10,t,90\n"
            "N3,Overlay east,32 12 16,12,t,90\n"
        ).encode("cp1252")
        estimates_before = self.Estimate.search_count([])
        wizard = self.make_wizard(content)
        wizard.action_preview()
        self.assertEqual(wizard.state, "preview")
        refused = {(issue.row, issue.column): issue.message for issue in wizard.issue_ids}
        self.assertEqual(set(refused), {(2, "quantity"), (3, "description")})
        self.assertIn("number format of the import profile", refused[2, "quantity"])
        self.assertIn("encoding of the import profile", refused[3, "description"])
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertEqual(self.Estimate.search_count([]), estimates_before)
