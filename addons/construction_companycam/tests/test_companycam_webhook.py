import base64
import hashlib

from odoo.tests import tagged

from ..lib.companycam import sign
from .common import API_TOKEN, CAPTURED, WEBHOOK_TOKEN, CompanyCamCase, delivery


@tagged("post_install", "-at_install")
class TestCompanyCamWebhook(CompanyCamCase):
    """Signed CompanyCam webhooks (https://docs.companycam.com/docs/webhooks-1)
    become sites and photos waiting for review, once."""

    def counts(self):
        return (
            self.Exchange.search_count([("system_id", "=", self.system.id)]),
            self.Event.search_count([("system_id", "=", self.system.id)]),
            len(self.photos()),
            self.env["queue.job"].search_count([]),
        )

    def test_photo_of_an_unknown_project_pulls_the_project_and_files_the_photo_for_review(self):
        self.double.add_project(94772883, name="Psych Office")
        photo = self.double.add_photo(
            4782987471, 94772883, serial=1, tags=("Front Side", "Curb"), description="North curb"
        )
        body = delivery("photo.created", photo)

        response = self.post_webhook(body)

        self.assertEqual(response.status_code, 200, "CompanyCam wants a 200")
        event = self.events("photo.published")
        self.assertEqual(event.state, "queued", "the download is a job, not the request")
        self.assertFalse(self.double.requests, "the request itself asked CompanyCam nothing")
        self.assertFalse(self.photos())

        self.assertEqual(self.run_jobs(), [])

        site = self.bound("construction.site", "94772883")
        self.assertEqual(
            (site.name, site.street, site.city, site.zip, site.country_id.code, site.company_id),
            ("Psych Office", "810 P St", "Lincoln", "68508", "US", self.company),
        )
        self.assertAlmostEqual(site.latitude, 40.815462, places=5)
        self.assertTrue(site.boundary_geojson, "the project's geofence is the site's boundary")
        stored = self.photos()
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored, self.bound("construction.photo", "4782987471"))
        self.assertEqual(stored.site_id, site)
        self.assertEqual(stored.state, "needs_review", "in the review queue")
        self.assertEqual((stored.latitude, stored.longitude), (40.81545, -96.7096))
        self.assertEqual(stored.gps_source, "device")
        self.assertTrue(stored.inside_boundary)
        self.assertEqual(stored.captured_at.timestamp(), CAPTURED + 1)
        self.assertEqual(sorted(stored.tag_ids.mapped("name")), ["Curb", "Front Side"])
        self.assertEqual(stored.note, "North curb")
        self.assertEqual(stored.source_md5, photo["hash"])
        image = self.double.images["/static/4782987471.jpg"]
        self.assertEqual(
            stored.checksum, hashlib.sha256(image).hexdigest(), "the original, byte for byte"
        )

        # the trail: the event and its webhook delivery, the site's fetch
        self.assertEqual(event.state, "done")
        self.assertEqual(event.link_ids.res_id, stored.id)
        self.assertEqual(
            (
                event.exchange_id.kind,
                event.exchange_id.vendor_event,
                event.exchange_id.vendor_delivery,
            ),
            ("webhook", "photo.created", "4200"),
        )
        site_event = self.events("site.upserted")
        self.assertEqual(site_event.link_ids.res_id, site.id)
        self.assertEqual(
            (site_event.exchange_id.kind, site_event.exchange_id.request),
            ("fetch", "GET /projects/94772883"),
        )
        self.assertEqual(
            [request.path for request in self.double.requests],
            [
                "/v2/photos/4782987471/tags?per_page=100",
                "/v2/projects/94772883",
                "/static/4782987471.jpg",
            ],
        )
        self.assertTrue(
            all(
                request.headers["Authorization"] == f"Bearer {API_TOKEN}"
                for request in self.double.requests
                if request.path.startswith("/v2/")
            )
        )

        # the same delivery again changes nothing
        before = self.counts()
        response = self.post_webhook(body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.run_jobs(), [])
        after = self.counts()
        self.assertEqual(after[1:], before[1:], "no event, photo or job more")
        self.assertEqual(after[0], before[0] + 1, "the delivery itself is kept")
        resend = self.Exchange.search([("system_id", "=", self.system.id)], limit=1)
        self.assertEqual((resend.event_count, resend.duplicate_count), (0, 1))

    def test_wrong_or_missing_signature_is_refused_and_nothing_written(self):
        self.double.add_project(1, name="Somewhere")
        body = delivery("photo.created", self.double.add_photo(11, 1, serial=2))
        before = self.counts()
        forged = base64.b64encode(
            hashlib.sha1(WEBHOOK_TOKEN.encode() + body, usedforsecurity=False).digest()
        ).decode()
        for signature in (forged, "", "x" * 28):
            with self.subTest(signature=signature):
                response = self.post_webhook(body, signature=signature)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["code"], "invalid_signature")
                self.assertNotIn(WEBHOOK_TOKEN, response.text)
        tampered = body.replace(b"Curb cut", b"Curb cat")
        response = self.post_webhook(tampered, signature=sign(WEBHOOK_TOKEN, body))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.counts(), before, "nothing written")

    def test_a_delivery_costs_a_fixed_number_of_queries(self):
        """The webhook's hot path: verify, keep, map, receive and queue."""
        self.double.add_project(12)
        first, second = (self.double.add_photo(120 + n, 12, serial=9 + n) for n in range(2))
        for photo, queries in ((first, 200), (second, 12)):
            body = delivery("photo.created", photo)
            headers = {"X-CompanyCam-Signature": sign(WEBHOOK_TOKEN, body)}
            self.env.flush_all()
            with self.assertQueryCount(queries):
                status, _headers, _answer = self.Exchange._receive_webhook(
                    self.system, headers, body
                )
                self.env.flush_all()
            self.assertEqual(status, 200)

    def test_a_system_that_acknowledges_first_maps_a_burst_in_one_job(self):
        self.system.webhook_intake = "job"
        self.double.add_project(31, name="Burst")
        photos = [self.double.add_photo(310 + n, 31, serial=20 + n) for n in range(3)]
        bodies = [delivery("photo.created", photo) for photo in photos]
        before = self.counts()
        forged = self.post_webhook(bodies[0], signature=sign("not the token", bodies[0]))
        self.assertEqual((forged.status_code, forged.json()["code"]), (401, "invalid_signature"))
        self.assertEqual(self.counts(), before, "a forged delivery is not kept either")

        for body in (*bodies, bodies[0], b"event_type=photo.created"):
            self.assertEqual(self.post_webhook(body).status_code, 200)
        exchanges = self.Exchange.search([("system_id", "=", self.system.id)], order="id")
        self.assertEqual(len(exchanges), 5, "every delivery is kept")
        self.assertTrue(all(exchanges.mapped("waiting_body")), "none mapped in the request")
        self.assertFalse(self.Event.search([("system_id", "=", self.system.id)]))
        mapping = self.pending_jobs().filtered(lambda job: job.method_name == "_job_map_waiting")
        self.assertEqual(len(mapping), 1, "one job for the whole burst")

        self.assertEqual(self.run_jobs(), [])
        self.assertFalse(any(exchanges.mapped("waiting_body")))
        events = self.events("photo.published")
        self.assertEqual(len(events), 3, "the resent delivery is a duplicate")
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self.photos()), 3)
        self.assertEqual(len(events.job_id), 1, "the three photos are applied in one job")
        self.assertEqual(
            [(e.vendor_event, e.event_count, e.duplicate_count) for e in exchanges[:4]],
            [("photo.created", 1, 0)] * 3 + [("photo.created", 0, 1)],
        )
        unmapped = self.events("connector.unmapped")
        self.assertEqual((unmapped.state, unmapped.exchange_id), ("needs_review", exchanges[4]))
        self.assertIn("not JSON", unmapped.error_message)

    def test_a_delivery_whose_mapping_job_was_lost_is_mapped_by_the_sweep(self):
        self.system.webhook_intake = "job"
        self.double.add_project(32, name="Swept")
        self.post_webhook(delivery("photo.created", self.double.add_photo(320, 32, serial=30)))
        mapping = self.pending_jobs().filtered(lambda job: job.method_name == "_job_map_waiting")
        mapping.button_cancelled()  # e.g. an administrator cancelled it
        self.assertFalse(self.pending_jobs())

        self.env.ref("construction_sync.ir_cron_map_waiting_deliveries").method_direct_trigger()
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(self.events("photo.published").state, "done")
        self.assertEqual(len(self.photos()), 1)

    def test_body_past_the_limit_is_refused_before_anything_is_read(self):
        before = self.counts()
        body = b'{"event_type": "photo.created", "pad": "' + b"x" * (1024 * 1024) + b'"}'
        response = self.post_webhook(body)
        self.assertEqual(
            (response.status_code, response.json()["code"]), (413, "payload_too_large")
        )
        self.assertEqual(self.counts(), before)

    def test_unknown_address_is_a_404_problem(self):
        response = self.url_open(
            "/construction/api/v1/webhooks/not-a-system",
            data=b"{}",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual((response.status_code, response.json()["code"]), (404, "not_found"))
        suite_system = self.System.create({"name": "Suite", "code": "suite_api_test"})
        response = self.url_open(
            f"/construction/api/v1/webhooks/{suite_system.webhook_uuid}",
            data=b"{}",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 404, "a system of the suite's API has no webhook")

    def test_body_that_cannot_be_mapped_waits_for_review_and_is_acknowledged(self):
        comment = delivery("comment.created", {"id": "77", "content": "Have you seen this yet?"})
        not_json = b"event_type=photo.created"
        no_original = delivery(
            "photo.created", {"id": "12", "project_id": "1", "uris": [], "updated_at": CAPTURED}
        )
        for body, reason in (
            (comment, "'comment.created' is not one the suite takes in"),
            (not_json, "not JSON"),
            (no_original, "has no original among its uris"),
        ):
            with self.subTest(reason=reason):
                response = self.post_webhook(body)
                self.assertEqual(response.status_code, 200, "acknowledged: the hook stays enabled")
                self.post_webhook(body)
        unmapped = self.events("connector.unmapped")
        self.assertEqual(len(unmapped), 3, "each body once, however often it is sent")
        self.assertEqual(set(unmapped.mapped("state")), {"needs_review"})
        self.assertEqual(set(unmapped.mapped("error_code")), {"unmappable"})
        messages = " | ".join(unmapped.mapped("error_message"))
        for reason in ("'comment.created'", "not JSON", "no original among its uris"):
            self.assertIn(reason, messages)
        self.assertFalse(self.events("photo.published"))

    def test_body_the_inbox_refuses_is_kept_with_the_schema_reason(self):
        project = self.double.add_project(5, coordinates={"lat": 123.0, "lon": 10.0})
        response = self.post_webhook(delivery("project.created", project))
        self.assertEqual(response.status_code, 200)
        unmapped = self.events("connector.unmapped")
        self.assertEqual(unmapped.state, "needs_review")
        self.assertIn("/0/payload/latitude", unmapped.error_message)
        self.assertFalse(self.events("site.upserted"))
        unmapped.action_replay()
        self.run_jobs()
        self.assertEqual(unmapped.state, "needs_review", "still refused, with the reason")
        self.assertIn("/payload/latitude", unmapped.error_message)
        self.assertFalse(self.events("site.upserted"))

    def test_replaying_an_unmapped_body_maps_it_again(self):
        site_type = self.env.ref("construction_field_evidence.event_type_site_upserted")
        site_type.active = False  # an administrator switched the event type off
        project = self.double.add_project(6, name="Replayed")
        self.post_webhook(delivery("project.updated", project))
        unmapped = self.events("connector.unmapped")
        self.assertEqual(unmapped.state, "needs_review")
        self.assertIn("'site.upserted' is not known", unmapped.error_message)

        site_type.active = True
        unmapped.action_replay()
        self.run_jobs()
        self.assertEqual(unmapped.state, "done")
        site_event = self.events("site.upserted")
        self.assertEqual(unmapped.link_ids.res_id, site_event.id, "the replay's event is linked")
        self.assertEqual(
            site_event.exchange_id, unmapped.exchange_id, "brought by the same delivery"
        )
        self.assertEqual(self.bound("construction.site", "6").name, "Replayed")

    def test_replaying_a_body_still_unmappable_keeps_it_to_review_with_the_reason(self):
        project = self.double.add_project(16)
        del project["id"]
        self.post_webhook(delivery("project.updated", project))
        unmapped = self.events("connector.unmapped")
        self.assertIn("needs its id", unmapped.error_message)
        unmapped.action_replay()
        self.run_jobs()
        self.assertEqual((unmapped.state, unmapped.error_code), ("needs_review", "business_rule"))
        self.assertIn("needs its id", unmapped.error_message)

    def test_update_changes_note_and_tags_never_the_original(self):
        self.double.add_project(7)
        photo = self.double.add_photo(70, 7, serial=3, tags=("Before",))
        self.post_webhook(delivery("photo.created", photo))
        self.run_jobs()
        stored = self.photos()
        original = stored.checksum

        replacement = self.double.add_photo(71, 7, serial=4)
        updated = dict(
            photo,
            description="Curb cut, sealed",
            updated_at=photo["updated_at"] + 600,
            uris=replacement["uris"],
            hash=replacement["hash"],
        )
        self.double.tags["70"] = [{"id": "1", "display_value": "After", "value": "after"}]
        self.double.requests.clear()
        self.assertEqual(self.post_webhook(delivery("photo.updated", updated)).status_code, 200)
        self.run_jobs()

        self.assertEqual(self.photos(), stored, "the same photo")
        self.assertEqual(stored.note, "Curb cut, sealed")
        self.assertEqual(stored.tag_ids.mapped("name"), ["After"])
        self.assertEqual(stored.checksum, original, "the original is evidence and stays")
        self.assertFalse(self.double.requests_to("/static/"), "no image is downloaded again")
        self.assertEqual(self.events("photo.published").mapped("state"), ["done", "done"])

        # the older version arriving late is skipped
        self.post_webhook(delivery("photo.created", dict(photo, description="stale")))
        self.run_jobs()
        self.assertEqual(stored.note, "Curb cut, sealed")

    def test_tags_named_by_value_maps_give_the_stage_and_condition_on_create_and_update(self):
        # CompanyCam photos carry no stage or condition, only Tag objects
        # (GET /photos/{id}/tags, display_value): the office maps its tags.
        before = self.env.ref("construction_field_evidence.photo_stage_before")
        after = self.env.ref("construction_field_evidence.photo_stage_after")
        pothole = self.env.ref("construction_field_evidence.defect_category_pothole")
        self.env["construction.sync.value.map"].create(
            [
                {
                    "system_id": self.system.id,
                    "kind": "photo_stage",
                    "external_value": stage.name,
                    "internal_reference": f"construction.photo.stage,{stage.id}",
                }
                for stage in (before, after)
            ]
            + [
                {
                    "system_id": self.system.id,
                    "kind": "synonym",
                    "external_value": "Asphalt Failure",
                    "internal_value": "pothole",
                },
                {
                    "system_id": self.system.id,
                    "kind": "defect_category",
                    "external_value": "PH-01",
                    "internal_reference": f"construction.defect.category,{pothole.id}",
                },
            ]
        )
        self.double.add_project(8)
        photo = self.double.add_photo(80, 8, serial=5, tags=("Asphalt Failure", "Curb"))
        self.post_webhook(delivery("photo.created", photo))
        self.run_jobs()
        stored = self.photos()
        self.assertEqual(
            (stored.stage_id, stored.category_id), (self.env["construction.photo.stage"], pothole)
        )
        self.assertEqual(stored.tag_ids.mapped("name"), ["Curb"])

        self.double.tags["80"] = [{"id": "2", "display_value": "Before", "value": "before"}]
        updated = dict(photo, updated_at=photo["updated_at"] + 600)
        self.post_webhook(delivery("photo.updated", updated))
        self.run_jobs()
        self.assertEqual(stored.stage_id, before, "the mapped tag fills the missing stage")
        self.assertFalse(stored.tag_ids)

        self.double.tags["80"] = [{"id": "3", "display_value": "After", "value": "after"}]
        self.post_webhook(
            delivery("photo.updated", dict(updated, updated_at=updated["updated_at"] + 600))
        )
        self.run_jobs()
        self.assertEqual(stored.stage_id, before, "a stage already set is not overwritten")

        coded = self.double.add_photo(81, 8, serial=6, tags=("PH-01", "After"))
        self.post_webhook(delivery("photo.created", coded))
        self.run_jobs()
        second = self.bound("construction.photo", "81")
        self.assertEqual((second.stage_id, second.category_id), (after, pothole))
        self.assertFalse(second.tag_ids)

    def test_original_not_matching_its_md5_waits_for_review_and_nothing_is_stored(self):
        self.double.add_project(8)
        photo = self.double.add_photo(80, 8, serial=5, hash="0" * 32)
        self.post_webhook(delivery("photo.created", photo))
        self.run_jobs()
        event = self.events("photo.published")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("does not match the MD5", event.error_message)
        self.assertFalse(self.photos())

    def test_something_not_an_image_is_refused_like_an_upload(self):
        self.double.add_project(9)
        photo = self.double.add_photo(90, 9, serial=6, image=b"%PDF-1.7 not a photo")
        self.post_webhook(delivery("photo.created", photo))
        self.run_jobs()
        event = self.events("photo.published")
        self.assertEqual(event.state, "needs_review")
        self.assertFalse(self.photos())

    def test_image_server_errors_and_slow_answers_are_retried(self):
        self.double.add_project(10)
        photo = self.double.add_photo(100, 10, serial=7)
        self.double.faults += [
            ("/static/100.jpg", 500, {}, 0),
            # slower than the timeout (Odoo's test client raises timeouts below 10 s to 10 s)
            ("/static/100.jpg", None, {}, 10.5),
            ("/static/100.jpg", 429, {"Retry-After": "4"}, 0),
        ]
        self.post_webhook(delivery("photo.created", photo))
        retries = self.run_jobs()
        self.assertEqual(len(retries), 3)
        self.assertIn("answered 500", str(retries[0]))
        self.assertIn("did not answer in 2 s", str(retries[1]))
        self.assertEqual(retries[2].seconds, 4, "Retry-After is honoured")
        self.assertEqual(len(self.photos()), 1)
        self.assertEqual(self.events("photo.published").state, "done")
