from datetime import date, timedelta

from odoo.tests import tagged

from .common import PROJECT_UUID, TOKEN, RakenCase


@tagged("post_install", "-at_install")
class TestRakenPull(RakenCase):
    """Raken has no webhooks: approved time cards and daily reports are
    pulled page by page (offset / limit) from the newest ``updatedAt`` seen."""

    def add_cards(self, count):
        start = date(2026, 10, 1)
        return [
            self.double.add_time_card(
                serial,
                self.workers[serial % 3],
                (start + timedelta(days=serial // 3)).isoformat(),
                hours=8.0 if serial % 2 else 7.5,
            )
            for serial in range(count)
        ]

    def test_each_resource_has_a_pull_in_the_systems_channel(self):
        self.assertEqual(
            sorted(self.system.pull_ids.mapped("resource")), ["daily_reports", "time_cards"]
        )
        pull = self.pull("time_cards")
        pull._start()
        self.assertEqual(pull.job_id.channel, "root.construction_pull.raken_test")

    def test_two_pages_of_time_cards_through_429s_become_timesheets_once_each(self):
        cards = self.add_cards(150)
        # a draft card is not pulled: Raken is asked for approved ones only
        self.double.add_time_card(900, self.workers[0], "2026-10-20", status="SUBMITTED")
        self.double.faults += [
            ("/api/timeCards", 429, {"Retry-After": "3"}),
            ("/api/timeCards", 429, {}),
        ]
        pull = self.pull("time_cards")
        pull._start()
        retries = self.run_jobs()

        self.assertEqual(retries[0].seconds, 3, "Retry-After in seconds")
        self.assertTrue(5 <= retries[1].seconds <= 20, "no header: exponential backoff")
        pages = pull.exchange_ids.sorted("page")
        self.assertEqual(pages.mapped("item_count"), [100, 50])
        self.assertEqual(
            pages.mapped("request"),
            [
                "GET /timeCards?status=APPROVED&offset=0&limit=100",
                "GET /timeCards?status=APPROVED&offset=100&limit=100",
            ],
        )
        self.assertEqual((pull.state, pull.run_event_count), ("idle", 150))
        lines = self.Line.search([("construction_source_entry", "like", "te-")])
        self.assertEqual(len(lines), 150, "one timesheet per time entry")
        self.assertEqual(
            sorted(lines.mapped("construction_source_entry")),
            sorted(card["timeEntries"][0]["uuid"] for card in cards),
        )
        first = lines.filtered(lambda line: line.construction_source_entry == "te-0004")
        self.assertEqual(
            (first.employee_id, first.project_id, first.date, first.unit_amount),
            (self.employees[1], self.project, date(2026, 10, 2), 7.5),
        )
        self.assertEqual(first[self.plan._column_name()], self.cost_code.analytic_account_id)
        self.assertEqual(
            (first.construction_crew, first.construction_approver, first.construction_pay_class),
            ("Operator", "Dana Whitfield", "regular"),
        )
        newest = max(card["updatedAt"] for card in cards)
        self.assertEqual(pull._cursor_value(), {"offset": 0, "since": newest, "high_water": newest})

        # the next run asks for what changed since: nothing doubles
        self.double.requests.clear()
        pull._start()
        self.run_jobs()
        self.assertIn(f"updatedAfter={newest.replace(':', '%3A')}", self.double.requests[0].path)
        self.assertEqual(len(self.Line.search([("construction_source_entry", "like", "te-")])), 150)

        # a card pulled twice (a backfill) is one event and one timesheet
        pull._start(since=pull.last_run_at - timedelta(days=400))
        self.run_jobs()
        self.assertEqual(pull.run_duplicate_count, 150)
        self.assertEqual(len(self.events("labor.approved")), 150)
        self.assertEqual(len(self.Line.search([("construction_source_entry", "like", "te-")])), 150)

    def test_a_time_card_with_an_unknown_pay_type_waits_for_review_and_the_run_goes_on(self):
        self.add_cards(2)
        self.double.add_time_card(7, self.workers[2], "2026-10-05", pay_code="PTO")
        pull = self.pull("time_cards")
        pull._start()
        self.run_jobs()
        self.assertEqual(pull.state, "idle")
        self.assertEqual(len(self.Line.search([("construction_source_entry", "like", "te-")])), 2)
        unmapped = self.events("connector.unmapped")
        self.assertEqual((unmapped.state, unmapped.error_code), ("needs_review", "unmappable"))
        self.assertIn("'PTO'", unmapped.error_message)

    def test_a_daily_report_becomes_the_projects_daily_log_with_its_photos_on_the_site(self):
        report = self.double.add_daily_report("dr-1", "2026-11-03")
        pull = self.pull("daily_reports")
        pull._start()
        self.assertEqual(self.run_jobs(), [])

        log = self.Log.search([("source_system_id", "=", self.system.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.project_id, log.site_id, log.date), (self.project, self.site, date(2026, 11, 3))
        )
        self.assertEqual(
            (log.weather, log.temperature_high, log.temperature_low),
            (
                "Partly cloudy",
                20.0,
                10.0,
            ),
        )
        self.assertEqual(
            [(crew.trade, crew.company_name, crew.headcount) for crew in log.crew_ids],
            [("Laborers", False, 6), ("Paving", "Lincoln Asphalt", 4)],
        )
        self.assertEqual((log.headcount, log.crew_hours), (10, 78.0))
        self.assertEqual(log.equipment_ids.mapped("name"), ["Cold planer W 100", "Tandem roller"])
        self.assertEqual(log.deliveries, "24 t of surface course, 09:40")
        self.assertIn("Water main", log.delays)
        self.assertIn("live traffic", log.safety_notes)
        self.assertIn("blocks 3 and 4", log.notes)
        photos = log.photo_ids.sorted("client_uuid")
        self.assertEqual(
            photos.mapped("client_uuid"), [photo["uuid"] for photo in report["photos"]]
        )
        self.assertEqual(photos.site_id, self.site, "the photos are field evidence of the site")
        self.assertEqual(set(photos.mapped("state")), {"needs_review"})
        self.assertEqual(photos[0].note, "North curb, pass 1")
        self.assertEqual(len(self.events("photo.published")), 2)
        self.assertEqual(set(self.events("photo.published").mapped("state")), {"done"})

        # pulled again: nothing new; a later version of the report updates the log
        pull._start(since=pull.last_run_at - timedelta(days=30))
        self.run_jobs()
        self.assertEqual(self.Log.search_count([("source_system_id", "=", self.system.id)]), 1)
        self.assertEqual(len(log.photo_ids), 2)
        report.update(updatedAt="2026-11-04T08:00:00Z", crews=report["crews"][:1])
        pull._start()
        self.run_jobs()
        self.assertEqual(log.headcount, 6)
        self.assertEqual(
            self.env["construction.photo"].search_count(
                [("source_system_id", "=", self.system.id)]
            ),
            2,
            "the photos are not downloaded twice",
        )

    def test_a_report_of_a_project_not_bound_here_waits_for_a_person(self):
        self.double.add_daily_report("dr-2", "2026-11-05", project={"uuid": "other-project"})
        self.pull("daily_reports")._start()
        self.run_jobs()
        event = self.events("daily_log.reported")
        self.assertEqual(event.state, "needs_review")
        self.assertIn("other-project", event.error_message)
        self.assertFalse(self.Log.search([("source_system_id", "=", self.system.id)]))

    def test_refused_token_fails_the_run_with_a_reason_and_no_secret(self):
        self.add_cards(2)
        self.system.sudo().api_token = "revoked"
        pull = self.pull("time_cards")
        pull._start()
        self.run_jobs()
        self.assertEqual(pull.state, "failed")
        self.assertEqual(pull.last_error, "GET /api/timeCards answered 401")
        self.assertNotIn("revoked", pull.last_error)
        self.system.sudo().api_token = TOKEN
        pull._start()
        self.run_jobs()
        self.assertEqual(
            (pull.state, self.Line.search_count([("construction_source_entry", "like", "te-")])),
            ("idle", 2),
        )
        self.assertEqual(PROJECT_UUID, self.events("labor.approved")[0]._payload()["project"])
