from datetime import UTC, datetime

from odoo.addons.queue_job.job import Job
from odoo.tests import tagged

from .common import CAPTURED, CompanyCamCase, delivery


@tagged("post_install", "-at_install")
class TestCompanyCamPull(CompanyCamCase):
    """``GET /v2/photos`` and ``GET /v2/projects`` pulled page by page
    (page / per_page, bare arrays, until a short page) from a cursor."""

    def pull(self, resource):
        return self.system.pull_ids.filtered(lambda pull: pull.resource == resource)

    def add_photos(self, count, project_id=42):
        self.double.add_project(project_id, name="Riverside Plaza")
        return [
            self.double.add_photo(5000 + serial, project_id, serial=serial)
            for serial in range(count)
        ]

    def test_each_resource_has_a_pull_with_its_cursor(self):
        self.assertEqual(sorted(self.system.pull_ids.mapped("resource")), ["photos", "projects"])
        self.assertEqual(set(self.system.pull_ids.mapped("state")), {"idle"})
        self.assertEqual(
            self.system.queue_channel_id.complete_name, "root.construction_pull.companycam_test"
        )
        pull = self.pull("photos")
        pull._start()
        self.assertEqual(pull.job_id.channel, "root.construction_pull.companycam_test")

    def test_backfill_of_three_pages_through_429s_and_a_500_takes_every_photo_once(self):
        photos = self.add_photos(230)
        self.double.faults += [
            ("/v2/photos", 429, {"Retry-After": "2"}, 0),
            ("/v2/photos", 429, {}, 0),
            ("/v2/photos", 500, {}, 0),
        ]
        since = datetime.fromtimestamp(CAPTURED - 60, UTC).replace(tzinfo=None)
        wizard = (
            self.env["construction.sync.backfill"]
            .with_user(self.users["sync_manager"])
            .create({"system_id": self.system.id, "since": since})
        )
        wizard.pull_ids = self.pull("photos")
        wizard.action_start()
        pull = self.pull("photos")
        self.assertEqual(pull.state, "running")

        retries = self.run_jobs()

        self.assertEqual(retries[0].seconds, 2, "Retry-After in seconds")
        self.assertTrue(5 <= retries[1].seconds <= 20, "no header: exponential backoff")
        self.assertIn("answered 500", str(retries[2]))
        pages = pull.exchange_ids.sorted("page")
        self.assertEqual(pages.mapped("page"), [1, 2, 3])
        self.assertEqual(pages.mapped("item_count"), [100, 100, 30])
        self.assertEqual(
            pages[0].request, f"GET /photos?page=1&per_page=100&start_date={CAPTURED - 60}"
        )
        self.assertEqual(
            (pull.state, pull.run_page_count, pull.run_item_count, pull.run_event_count),
            ("idle", 3, 230, 230),
        )
        newest = max(photo["captured_at"] for photo in photos)
        self.assertEqual(pull._cursor_value(), {"page": 1, "since": newest, "high_water": newest})
        stored = self.photos()
        self.assertEqual(len(stored), 230, "every photo once")
        self.assertEqual(
            sorted(stored.mapped("client_uuid")), sorted(photo["id"] for photo in photos)
        )
        self.assertEqual(set(stored.mapped("state")), {"needs_review"})
        self.assertEqual(len(self.Site.search([("name", "=", "Riverside Plaza")])), 1)
        event = self.Event.search(
            [("link_ids.res_id", "=", stored[0].id), ("event_type_id.code", "=", "photo.published")]
        )
        self.assertEqual(event.exchange_id.kind, "pull")
        self.assertEqual(event.exchange_id.pull_id, pull)

        # an item both pulled and pushed is one event
        response = self.post_webhook(delivery("photo.created", photos[7]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.events("photo.published")), 230)
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(len(self.photos()), 230)

        # the next run starts from the newest capture time: only what is new
        self.double.add_photo(6000, 42, serial=400)
        pull._start()
        self.run_jobs()
        self.assertEqual(len(self.photos()), 231)
        self.assertEqual((pull.run_item_count, pull.run_event_count), (2, 1))

    def test_pull_killed_mid_page_resumes_from_its_cursor_with_nothing_doubled(self):
        self.add_photos(150)
        pull = self.pull("photos")
        pull._start()
        self.run_job(pull.job_id)  # page 1
        self.assertEqual(pull._cursor_value()["page"], 2)
        page_two = pull.job_id
        with self.env.cr.savepoint() as savepoint:
            Job.load(self.env, page_two.uuid).perform()
            self.assertEqual(pull.run_page_count, 2)
            savepoint.rollback()  # the worker died before its commit
        self.env.invalidate_all()
        self.assertEqual(pull._cursor_value()["page"], 2, "the cursor did not move")
        self.assertEqual(len(self.events("photo.published")), 100)

        self.run_jobs()  # queue_job gives the dead job to another worker
        self.assertEqual(len(self.double.requests_to("/v2/photos?page=2")), 2)
        self.assertEqual(len(self.events("photo.published")), 150, "page 2 taken in once")
        self.assertEqual(len(self.photos()), 150)
        self.assertEqual((pull.state, pull.run_page_count), ("idle", 2))

    def test_projects_become_sites_and_the_next_run_asks_for_changes_only(self):
        for project_id in range(1, 4):
            self.double.add_project(project_id, updated_at=CAPTURED + project_id)
        pull = self.pull("projects")
        pull._start()
        self.run_jobs()
        sites = self.Site.search([("name", "like", "Project ")])
        self.assertEqual(len(sites), 3)
        self.assertEqual(self.bound("construction.site", "2").name, "Project 2")
        self.assertEqual(pull._cursor_value()["since"], CAPTURED + 3)

        self.double.add_project(2, name="Project 2, renamed", updated_at=CAPTURED + 50)
        self.double.requests.clear()
        pull._start()
        self.run_jobs()
        self.assertIn("modified_since=", self.double.requests[0].path)
        self.assertEqual(self.bound("construction.site", "2").name, "Project 2, renamed")
        self.assertEqual(len(self.Site.search([("name", "like", "Project ")])), 3)

    def test_refused_credentials_fail_the_run_with_a_reason_and_no_secret(self):
        self.add_photos(3)
        self.system.sudo().api_token = "revoked-token"
        pull = self.pull("photos")
        pull._start()
        self.run_jobs()
        self.assertEqual(pull.state, "failed")
        self.assertEqual(pull.last_error, "GET /v2/photos answered 401")
        self.assertFalse(self.photos())

        # the scheduled action starts it again from its cursor once fixed
        self.system.sudo().api_token = "cc-api-token-7f3a"
        pull.last_run_at = datetime(2020, 1, 1)
        self.env["construction.sync.pull"]._cron_run_due()
        self.run_jobs()
        self.assertEqual((pull.state, len(self.photos())), ("idle", 3))

    def test_unmappable_pulled_item_is_kept_for_review_and_the_run_goes_on(self):
        self.add_photos(2)
        self.double.photos[0]["uris"] = []
        pull = self.pull("photos")
        pull._start()
        self.run_jobs()
        self.assertEqual(pull.state, "idle")
        self.assertEqual(len(self.photos()), 1)
        unmapped = self.events("connector.unmapped")
        self.assertEqual((unmapped.state, unmapped.exchange_id.kind), ("needs_review", "pull"))

    def test_dashboard_shows_webhooks_pulls_items_behind_and_the_last_error(self):
        self.add_photos(3)
        for photo in self.double.photos[:2]:
            self.post_webhook(delivery("photo.created", photo))
        self.pull("projects")._start()
        self.run_job(self.pull("projects").job_id)
        Monitor = self.env["construction.sync.monitor"]
        monitor = Monitor.search([("system_id", "=", self.system.id)])
        self.assertEqual(
            (monitor.webhooks_received, monitor.pulls_run, monitor.items_behind),
            (2, 1, 3),
            "two photos and the pulled project wait to be applied",
        )
        self.assertFalse(monitor.last_error)

        self.system.sudo().api_token = "revoked-token"
        self.pull("photos")._start()
        self.run_jobs()
        self.env.invalidate_all()
        monitor = Monitor.search([("system_id", "=", self.system.id)])
        self.assertEqual(monitor.items_behind, 0)
        self.assertIn("answered 401", monitor.last_error)
