"""A field platform of one company, calling the real HTTP API with its own
API key, reaches nothing of another company nor of another system: every
foreign id it sends is answered like an id that does not exist, and no
answer carries the other company's data."""

import base64
import json
import re

from odoo import Command
from odoo.addons.construction_field_evidence.tests.common import (
    INSIDE,
    FieldApiCase,
    boundary,
)
from odoo.tests import new_test_user, tagged

from .common import BASE_ROWS, HEADER, estimate_payload

UNKNOWN_ID = 987654321


def swap(text, old, new):
    """``text`` with the word (or number) ``old`` replaced by ``new``."""
    return re.sub(rf"\b{re.escape(str(old))}\b", str(new), text)


@tagged("post_install", "-at_install")
class TestApiIsolation(FieldApiCase):
    """Company A (the main one) has the Lakeside site, a project, its own
    defect category and cost code, and its field platform's events. Company
    B's platform calls the API: its requests carry B's API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project_a = cls.env["project.project"].create(
            {"name": "Lakeside Resurfacing", "company_id": cls.company.id}
        )
        cls.site.project_id = cls.project_a
        cls.category_a = cls.Category.create(
            {"name": "Lakeside Sinkhole", "code": "lakeside_sinkhole", "company_id": cls.company.id}
        )
        cls.code_a = cls.CostCode.create(
            {"code": "34 71 19", "name": "Lakeside Bollards", "company_id": cls.company.id}
        )
        cls.photo_a = cls.Photo._create_from_upload(
            cls.image(), "image/jpeg", {"site_id": cls.site.id}, cls.system
        )
        cls.event_a = cls.env["construction.sync.event"]._record_applied(
            cls.system, "photo.captured", "lakeside-photo-1", {}, cls.photo_a
        )
        # What of A must never show in an answer to B.
        cls.secrets_a = [
            cls.company.name,
            cls.site.name,
            cls.project_a.name,
            cls.category_a.name,
            cls.code_a.name,
            cls.system.name,
            cls.event_a.idempotency_key,
            cls.photo_a.checksum,
        ]

        # Company B: its platform (whose key the requests carry), a second
        # system of B, and B's own site on the same spot as A's.
        cls.service_b = cls.service_user_of(cls.other_company, "northside_fieldcam")
        cls.system_b = cls.env["construction.sync.system"].create(
            {
                "name": "Northside FieldCam",
                "code": "northside_fieldcam",
                "kind": "field_evidence",
                "company_id": cls.other_company.id,
                "service_user_id": cls.service_b.id,
            }
        )
        timekeeper = cls.env["construction.sync.system"].create(
            {
                "name": "Northside Clock",
                "code": "northside_clock",
                "company_id": cls.other_company.id,
            }
        )
        cls.event_other_system = cls.env["construction.sync.event"].create(
            {
                "system_id": timekeeper.id,
                "company_id": cls.other_company.id,
                "event_type_id": cls.env.ref("construction_sync.event_type_cost_code_upserted").id,
                "idempotency_key": "clock-1",
                "payload": "{}",
            }
        )
        cls.site_b = cls.Site.create(
            {
                "name": "Northside Lot",
                "company_id": cls.other_company.id,
                "boundary_geojson": boundary(),
            }
        )
        cls.api_key = cls.new_api_key(cls.service_b)

    @classmethod
    def service_user_of(cls, company, login, companies=None):
        return new_test_user(
            cls.env,
            login=login,
            groups="construction_sync.group_construction_sync_field_api",
            company_id=company.id,
            company_ids=[Command.set((companies or company).ids)],
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def assertRefusedLikeUnknown(self, response, unknown, foreign_value, unknown_value, status):
        """``response`` (to a request naming A's ``foreign_value``) is the
        problem ``unknown`` (the same request naming ``unknown_value``, which
        exists nowhere), word for word: nothing tells B that A's record
        exists, let alone what it holds."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        self.assertEqual(
            json.loads(swap(response.content.decode(), foreign_value, unknown_value)),
            unknown.json(),
        )
        self.assertNoSecretOfA(response)

    def assertNoSecretOfA(self, response):
        for secret in self.secrets_a:
            self.assertNotIn(secret, response.content.decode())

    def photos_of_b(self):
        return self.Photo.search([("source_system_id", "=", self.system_b.id)])

    def jpeg_base64(self, **exif):
        return base64.b64encode(self.image(**exif)).decode()

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_events_of_other_systems_are_not_found(self):
        unknown = self.get(f"/events/{UNKNOWN_ID}")
        self.assertEqual(unknown.status_code, 404)
        for event in (self.event_a, self.event_other_system):
            with self.subTest(system=event.system_id.code):
                foreign = self.get(f"/events/{event.id}")
                self.assertRefusedLikeUnknown(foreign, unknown, event.id, UNKNOWN_ID, 404)
                self.assertNotIn(self.event_other_system.idempotency_key, foreign.text)

    def test_no_photo_lands_on_another_companys_site(self):
        unknown = self.upload_http(self.image(), site_id=UNKNOWN_ID)
        foreign = self.upload_http(self.image(), site_id=self.site.id)
        self.assertRefusedLikeUnknown(foreign, unknown, self.site.id, UNKNOWN_ID, 422)
        self.assertEqual(foreign.json()["code"], "unknown_site")
        # GPS inside A's lot finds B's own site there, never A's.
        located = self.upload_http(self.image(latitude=INSIDE[0], longitude=INSIDE[1]))
        self.assertEqual(located.status_code, 201, located.text)
        self.assertEqual(located.json()["site_id"], self.site_b.id)
        self.assertNoSecretOfA(located)
        self.assertEqual(self.photos_of_b().site_id, self.site_b)
        self.assertEqual(self.site.photo_ids, self.photo_a)

    def test_batch_cannot_reference_another_companys_site_or_category(self):
        def batch(site_id, category):
            return {
                "photos": [{"image_base64": self.jpeg_base64(), "site_id": site_id}],
                "observations": [
                    {"client_uuid": f"obs-{site_id}", "site_id": site_id},
                    {
                        "client_uuid": f"cat-{category}",
                        "site_id": self.site_b.id,
                        "category": category,
                    },
                ],
            }

        unknown = self.post_batch(batch(UNKNOWN_ID, "no_such_category"))
        foreign = self.post_batch(batch(self.site.id, self.category_a.code))
        self.assertEqual(foreign.status_code, 200, foreign.text)
        self.assertNoSecretOfA(foreign)
        results = foreign.json()
        outcomes = [item["status"] for item in results["photos"] + results["observations"]]
        self.assertEqual(outcomes, ["rejected"] * 3)
        self.assertEqual(
            [item["error"]["code"] for item in results["photos"] + results["observations"]],
            ["unknown_site", "unknown_site", "unknown_category"],
        )
        for kind in ("photos", "observations"):
            for item, twin in zip(results[kind], unknown.json()[kind], strict=True):
                text = json.dumps(item["error"])
                text = swap(text, self.site.id, UNKNOWN_ID)
                text = text.replace(self.category_a.code, "no_such_category")
                self.assertEqual(json.loads(text), twin["error"])
        self.assertFalse(self.photos_of_b())
        self.assertFalse(self.Defect.search([("site_id", "=", self.site.id)]))

    def test_site_lookup_lists_only_the_sites_of_the_systems_company(self):
        near = self.get(f"/field/sites?lat={INSIDE[0]}&lon={INSIDE[1]}&radius=500&limit=50")
        self.assertEqual(near.status_code, 200, near.text)
        self.assertEqual([item["id"] for item in near.json()["items"]], [self.site_b.id])
        self.assertNoSecretOfA(near)

    def test_a_service_user_of_several_companies_stays_in_its_systems_company(self):
        """A user allowed in both companies, serving B's system, is confined
        to B when it calls as that system."""
        both = self.service_user_of(
            self.other_company, "northside_both", companies=self.company | self.other_company
        )
        self.system_b.service_user_id = both
        self.api_key = self.new_api_key(both)
        near = self.get(f"/field/sites?lat={INSIDE[0]}&lon={INSIDE[1]}&radius=500&limit=50")
        self.assertEqual([item["id"] for item in near.json()["items"]], [self.site_b.id])
        unknown = self.upload_http(self.image(), site_id=UNKNOWN_ID)
        foreign = self.upload_http(self.image(), site_id=self.site.id)
        self.assertRefusedLikeUnknown(foreign, unknown, self.site.id, UNKNOWN_ID, 422)
        codes = [item["code"] for item in self.get("/field/categories").json()["items"]]
        self.assertNotIn(self.category_a.code, codes)
        self.assertEqual(self.site.photo_ids, self.photo_a)

    def test_no_estimate_lands_on_another_companys_project(self):
        """An award of an unknown project makes B's own job: B naming A's
        project gets a job of its own company by that name, never A's."""
        self.grant(self.system_b, "estimate.approved")
        # B's mapping profile (the standard one is the first company's)
        self.env["construction.estimate.import.profile"].create(
            {
                "name": "Northside estimates",
                "system_id": self.system_b.id,
                "company_id": self.system_b.company_id.id,
            }
        )
        estimates = self.env["construction.estimate"]
        # A's vendors and products are not B's: B's estimate names none.
        rows = [
            [
                "" if column in ("vendor", "product") else value
                for column, value in zip(HEADER, row, strict=True)
            ]
            for row in BASE_ROWS
        ]
        foreign = self.post_json("/estimates", estimate_payload(rows, project=self.project_a.name))
        self.assertEqual(foreign.status_code, 201, foreign.text)
        estimate = estimates.browse(foreign.json()["id"])
        self.assertEqual(estimate.project_id.name, self.project_a.name)
        self.assertNotEqual(estimate.project_id, self.project_a)
        self.assertEqual(estimate.project_id.company_id, self.system_b.company_id)
        self.secrets_a.remove(self.project_a.name)
        self.assertNoSecretOfA(foreign)
        self.assertFalse(estimates.search([("project_id", "=", self.project_a.id)]))

    def test_cost_codes_of_another_company_are_not_listed(self):
        response = self.get("/cost-codes?limit=500")
        self.assertEqual(response.status_code, 200, response.text)
        ids = [item["id"] for item in response.json()["items"]]
        self.assertNotIn(self.code_a.id, ids)
        self.assertIn(self.env.ref("construction_sync.cost_code_division_32").id, ids)
        self.assertNoSecretOfA(response)

    def test_the_other_companys_platform_still_sees_its_own(self):
        """The confinement does not blind A's own platform."""
        self.api_key = self.new_api_key(self.system.service_user_id)
        self.assertEqual(self.get(f"/events/{self.event_a.id}").status_code, 200)
        near = self.get(f"/field/sites?lat={INSIDE[0]}&lon={INSIDE[1]}&radius=500&limit=50")
        self.assertEqual([item["id"] for item in near.json()["items"]], [self.site.id])
