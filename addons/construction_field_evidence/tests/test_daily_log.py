from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import FieldEvidenceCase


@tagged("post_install", "-at_install")
class TestDailyLog(FieldEvidenceCase):
    """A daily log per project and day, written in the UI by the field
    office, printable, with the day's photos of the project's site."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Lakeside Lot Repaving"})
        cls.site.project_id = cls.project
        cls.Log = cls.env["construction.daily.log"]

    def write_log(self, user=None, day=date(2026, 11, 3)):
        with Form(self.Log.with_user(user or self.users["reviewer"])) as form:
            form.project_id = self.project
            form.date = day
            form.weather = "Overcast, light wind"
            form.temperature_high = 14
            with form.crew_ids.new() as crew:
                crew.trade = "Laborers"
                crew.headcount = 5
                crew.hours = 40
            with form.crew_ids.new() as crew:
                crew.trade = "Electricians"
                crew.company_name = "Bright Line Electric"
                crew.headcount = 2
                crew.hours = 12
            with form.equipment_ids.new() as item:
                item.name = "Skid steer"
                item.hours = 3
            form.delays = "Concrete truck 45 minutes late"
            form.safety_notes = "Near miss at the gate: flagger added"
        return form.record

    def test_a_reviewer_writes_the_days_log_with_crews_per_trade_on_the_projects_site(self):
        log = self.write_log()
        self.assertEqual(log.site_id, self.site, "the project's site is proposed")
        self.assertEqual((log.headcount, log.crew_hours), (7, 52.0))
        self.assertEqual(log.name, "Lakeside Lot Repaving — 2026-11-03")
        photo = self.upload(site_id=self.site.id)
        log.with_user(self.users["reviewer"]).photo_ids = photo
        self.assertEqual(log.photo_count, 1)
        log.with_user(self.users["reviewer"]).message_post(body="Inspector on site at 10:00")
        self.assertIn("Inspector on site", log.message_ids[:1].body)

    def test_one_log_per_project_day_and_source(self):
        self.write_log()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.write_log()
            self.env.flush_all()
        self.assertTrue(self.write_log(day=date(2026, 11, 4)))

    def test_the_daily_log_prints_with_crews_equipment_and_photos(self):
        log = self.write_log()
        log.photo_ids = self.upload(site_id=self.site.id)
        html, kind = self.env["ir.actions.report"]._render_qweb_html(
            "construction_field_evidence.action_report_daily_log", log.ids
        )
        self.assertEqual(kind, "html")
        text = html.decode()
        for expected in (
            "Lakeside Lot Repaving",
            "Bright Line Electric",
            "Skid steer",
            "Concrete truck 45 minutes late",
            "Near miss at the gate",
            "data:image/",
        ):
            self.assertIn(expected, text)

    def test_who_may_read_write_and_delete_a_daily_log(self):
        log = self.write_log()
        log.with_user(self.users["sync_manager"]).read(["headcount"])
        for role in ("user", "sync_manager"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                log.with_user(self.users[role]).weather = "Rain"
        with self.assertRaises(AccessError):
            log.with_user(self.users["field_api"]).read(["weather"])
        with self.assertRaises(AccessError):
            log.with_user(self.users["reviewer"]).unlink()
        log.with_user(self.users["administrator"]).unlink()
        self.assertFalse(log.exists())
