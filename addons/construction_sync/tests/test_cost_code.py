import psycopg2

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import ConstructionCase


class TestCostCode(ConstructionCase):
    def test_number_is_stored_in_canonical_form(self):
        code = self.CostCode.create({"code": "34-71-13", "name": "Vehicle Barriers"})
        self.assertEqual(code.code, "34 71 13")
        self.assertEqual(code.display_name, "34 71 13 Vehicle Barriers")
        code.code = "3471 13.53"
        self.assertEqual(code.code, "34 71 13.53")

    def test_bad_number_is_refused_with_a_reason_and_nothing_written(self):
        before = self.CostCode.search_count([])
        with self.assertRaisesRegex(ValidationError, r"'Paving' is not a MasterFormat cost code"):
            self.CostCode.create({"code": "Paving", "name": "Paving"})
        with self.assertRaisesRegex(ValidationError, "groups of two"):
            self.CostCode.create({"code": "32 1 16", "name": "Paving"})
        self.assertEqual(self.CostCode.search_count([]), before)

    def test_section_files_under_existing_division_and_levels(self):
        section = self.CostCode.create({"code": "32 31 13", "name": "Chain Link Fences"})
        self.assertEqual(section.parent_id, self.division_32)
        self.assertEqual(section.division_id, self.division_32)
        self.assertEqual(section.level, "4")
        self.assertEqual(self.division_32.level, "1")

    def test_new_intermediate_level_adopts_existing_sections(self):
        section, subsection = self.create_codes("32 31 13", "32 31 13.53")
        self.assertEqual(subsection.parent_id, section)
        level3 = self.CostCode.create({"code": "32 31 00", "name": "Fences and Gates"})
        self.assertEqual(section.parent_id, level3)
        self.assertEqual(level3.parent_id, self.division_32)
        level2 = self.CostCode.create({"code": "32 30 00", "name": "Site Improvements"})
        self.assertEqual(level3.parent_id, level2)
        self.assertEqual(section.parent_id, level3, "the nearest ancestor stays the parent")
        self.assertEqual(subsection.division_id, self.division_32)
        self.assertIn(subsection, self.CostCode.search([("parent_id", "child_of", level2.id)]))

    def test_deleting_a_level_moves_its_children_up(self):
        level3, section = self.create_codes("32 31 00", "32 31 13")
        self.assertEqual(section.parent_id, level3)
        level3.unlink()
        self.assertEqual(section.parent_id, self.division_32)

    def test_changing_the_number_moves_the_code_and_leaves_its_children(self):
        section, subsection = self.create_codes("32 31 13", "32 31 13.53")
        self.assertEqual(subsection.parent_id, section)
        section.code = "31 31 13"
        self.assertEqual(section.parent_id, self.env.ref("construction_sync.cost_code_division_31"))
        self.assertEqual(subsection.parent_id, self.division_32, "32 31 13.53 stays in 32")

    def test_company_code_files_under_shared_parent_but_not_the_reverse(self):
        company_level3 = self.CostCode.create(
            {"code": "32 31 00", "name": "Fences", "company_id": self.company.id}
        )
        company_section = self.CostCode.create(
            {"code": "32 31 13", "name": "Fences", "company_id": self.company.id}
        )
        other_section = self.CostCode.create(
            {"code": "32 31 13", "name": "Fences", "company_id": self.other_company.id}
        )
        self.assertEqual(company_section.parent_id, company_level3)
        self.assertEqual(
            other_section.parent_id,
            self.division_32,
            "another company's section skips this company's level-3 code",
        )

    def test_number_is_unique_per_company(self):
        self.CostCode.create({"code": "32 31 13", "name": "Fences", "company_id": self.company.id})
        self.CostCode.create(
            {"code": "32 31 13", "name": "Fences", "company_id": self.other_company.id}
        )
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.CostCode.create(
                {"code": "32-31-13", "name": "Again", "company_id": self.company.id}
            )

    def test_shared_number_cannot_be_repeated_in_a_company(self):
        with self.assertRaisesRegex(ValidationError, "32 00 00 already exists"):
            self.CostCode.create({"code": "32", "name": "Exterior", "company_id": self.company.id})
        self.CostCode.create({"code": "32 31 13", "name": "Fences", "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "32 31 13 already exists"):
            self.CostCode.create({"code": "32 31 13", "name": "Fences", "company_id": False})

    def test_standard_import_normalizes_and_reports_bad_rows(self):
        fields = ["code", "name", "cost_type", "uom_id"]
        result = self.CostCode.load(
            fields,
            [
                ["32 31 13", "Chain Link Fences", "material", "ft"],
                ["323113.53", "Chain Link Gates", "subcontract", "Units"],
            ],
        )
        self.assertFalse(result["messages"])
        gate = self.CostCode.browse(result["ids"][1])
        self.assertEqual(gate.code, "32 31 13.53")
        self.assertEqual(gate.parent_id.code, "32 31 13")
        self.assertEqual(gate.uom_id, self.env.ref("uom.product_uom_unit"))

        before = self.CostCode.search_count([])
        result = self.CostCode.load(
            fields,
            [
                ["34 71 13", "Vehicle Barriers", "material", "Units"],
                ["ABC", "Nonsense", "other", ""],
            ],
        )
        self.assertFalse(result["ids"])
        self.assertIn("is not a MasterFormat cost code", result["messages"][0]["message"])
        self.assertEqual(self.CostCode.search_count([]), before, "a bad file writes nothing")

    def test_standard_export(self):
        section = self.CostCode.create(
            {"code": "32 31 13", "name": "Fences", "cost_type": "material"}
        )
        exported = section.export_data(["code", "name", "cost_type", "parent_id/code"])
        self.assertEqual(exported["datas"], [["32 31 13", "Fences", "Material", "32 00 00"]])
