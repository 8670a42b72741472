import os
import shutil

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FieldActualsCase


@tagged("post_install", "-at_install")
class TestSyncFileSource(FieldActualsCase):
    """A timekeeping tool that only exports cost files: each row of a CSV
    file, its columns mapped to a payload, becomes an inbound event through
    the inbox's one method; a file is taken once, all of it or nothing."""

    MAPPING = (
        "source_entry_id = Entry\nemployee = Badge\nproject = Job\n"
        "work_date = Date\nhours = Hours\ncost_code = Cost Code"
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = os.path.join(cls.file_source_root("payroll"), "payroll")
        cls.source = cls.env["construction.sync.file.source"].create(
            {
                "name": "Payroll exports",
                "system_id": cls.system.id,
                "folder": "payroll",
                "event_type_id": cls.env.ref("construction_sync.event_type_labor_approved").id,
                "column_map": cls.MAPPING,
            }
        )

    def setUp(self):
        super().setUp()
        # the folder is real: each test starts from an empty one
        shutil.rmtree(self.folder)
        os.makedirs(self.folder)

    def drop(self, name, rows):
        lines = ["Entry,Badge,Job,Date,Hours,Cost Code"] + [",".join(r) for r in rows]
        with open(os.path.join(self.folder, name), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")

    def scan(self):
        made = self.env["construction.sync.file.source"]._cron_scan()
        self.env.cr.postcommit.run()
        return made

    def test_a_cost_file_becomes_labor_events_and_timesheets_once(self):
        rows = [
            ("P-1", "EMP-17", "JOB-100", "2026-11-02", "8", "31 23 16.26"),
            ("P-2", "EMP-17", "JOB-100", "2026-11-03", "7.5", "31 23 16.26"),
        ]
        self.drop("week-45.csv", rows)
        self.scan()
        record = self.source.file_ids
        self.assertEqual((record.state, record.event_count), ("done", 2))
        self.assertEqual(record.exchange_id.kind, "file")
        self.apply()
        lines = self.entry_lines("P-1") | self.entry_lines("P-2")
        self.assertEqual(lines.mapped("unit_amount"), [8.0, 7.5])
        self.assertEqual(set(lines.mapped("employee_id")), {self.employee})
        self.assertEqual(
            sorted(os.listdir(os.path.join(self.folder, "processed"))),
            [f"{record.sha256[:12]}-week-45.csv"],
        )

        # the same content again: nothing; a later cumulative export: only the new row
        self.drop("week-45-again.csv", rows)
        self.scan()
        self.assertEqual(len(self.source.file_ids), 1)
        self.drop("week-46.csv", [*rows, ("P-3", "EMP-17", "JOB-100", "2026-11-09", "6", "")])
        self.scan()
        self.assertEqual(self.source.file_ids.sorted("id")[-1].event_count, 1)
        self.apply()
        self.assertEqual(len(self.entry_lines("P-1")), 1)
        self.assertEqual(self.entry_lines("P-3").unit_amount, 6.0)

    def test_a_file_with_one_bad_row_imports_nothing_and_says_which_row(self):
        self.drop(
            "week-47.csv",
            [
                ("P-7", "EMP-17", "JOB-100", "2026-11-16", "8", ""),
                ("P-8", "EMP-17", "JOB-100", "2026-11-17", "31", ""),
                ("P-9", "EMP-17", "JOB-100", "2026-11-18", "eight", ""),
            ],
        )
        self.scan()
        record = self.source.file_ids
        self.assertEqual(record.state, "failed")
        self.assertIn("row 3", record.error)
        self.assertIn("row 4: Hours: 'eight' is not a number", record.error)
        self.assertFalse(
            self.Event.search(
                [("idempotency_key", "like", "row:"), ("system_id", "=", self.system.id)]
            )
        )
        self.assertFalse(self.env["construction.sync.exchange"].search([("kind", "=", "file")]))
        self.assertEqual(len(os.listdir(os.path.join(self.folder, "failed"))), 1)

    def test_a_type_the_system_is_not_granted_cannot_be_mapped(self):
        self.system.inbound_event_type_ids -= self.env.ref(
            "construction_sync.event_type_labor_approved"
        )
        with self.assertRaisesRegex(ValidationError, "not granted"):
            self.source.column_map = self.MAPPING + "\ncrew = Crew"
