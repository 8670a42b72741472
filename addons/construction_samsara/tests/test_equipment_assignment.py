from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SamsaraCase


@tagged("post_install", "-at_install")
class TestEquipmentAssignment(SamsaraCase):
    def assign(self, equipment, project, date_from, date_to=False, cost_code=None):
        return self.Assignment.create(
            {
                "equipment_id": equipment.id,
                "project_id": project.id,
                "cost_code_id": (cost_code or self.earthwork).id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )

    def test_the_project_of_a_day_is_the_assignment_else_the_default(self):
        self.assign(self.excavator, self.project, "2026-03-01", "2026-03-10")
        self.assign(self.excavator, self.bridge, "2026-03-11", cost_code=self.paving_base)
        self.excavator.write(
            {
                "construction_project_id": self.bridge.id,
                "construction_cost_code_id": self.earthwork.id,
            }
        )
        days = {
            day: self.Assignment._on_days([(self.excavator, self.date(day))]).get(
                (self.excavator.id, self.date(day))
            )
            for day in ("2026-02-28", "2026-03-10", "2026-03-11", "2027-01-01")
        }
        self.assertEqual(days["2026-02-28"], (self.bridge, self.earthwork), "the default")
        self.assertEqual(days["2026-03-10"], (self.project, self.earthwork))
        self.assertEqual(days["2026-03-11"], (self.bridge, self.paving_base), "open-ended")
        self.assertEqual(days["2027-01-01"], (self.bridge, self.paving_base))
        self.assertEqual(self.Assignment._on_days([(self.loader, self.date("2026-03-10"))]), {})

    @staticmethod
    def date(text):
        return date.fromisoformat(text)

    def test_equipment_works_on_one_project_a_day(self):
        self.assign(self.excavator, self.project, "2026-03-01", "2026-03-10")
        with self.assertRaises(ValidationError) as overlap:
            self.assign(self.excavator, self.bridge, "2026-03-10")
        self.assertIn("already on Main Street Resurfacing", str(overlap.exception))
        open_ended = self.assign(self.loader, self.bridge, "2026-03-01")
        with self.assertRaises(ValidationError) as later:
            self.assign(self.loader, self.project, "2026-06-01", "2026-06-30")
        self.assertIn("end that assignment before this one starts", str(later.exception))
        open_ended.date_to = "2026-05-31"
        self.assign(self.loader, self.project, "2026-06-01", "2026-06-30")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.assign(self.excavator, self.bridge, "2026-04-10", "2026-04-01")

    def test_assignments_are_kept_on_the_equipment_form(self):
        with Form(self.excavator) as equipment:
            equipment.construction_project_id = self.bridge
            equipment.construction_cost_code_id = self.earthwork
            with equipment.construction_assignment_ids.new() as line:
                line.project_id = self.project
                line.cost_code_id = self.paving_base
                line.date_from = self.date("2026-03-01")
        assignment = self.excavator.construction_assignment_ids
        self.assertEqual((assignment.project_id, assignment.date_to), (self.project, False))
        self.assertIn("Excavator CAT 320 → Main Street Resurfacing", assignment.display_name)
