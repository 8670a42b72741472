from .common import FieldEvidenceCase

# Far from the Lakeside lot of common.py, so that only the sites made here match.
DEPOT = (41.7500, -87.7000)


class TestSiteMatching(FieldEvidenceCase):
    """A platform's project (site.upserted) finds the site the office made
    before any binding: binding, property name, normalized address, GPS;
    two candidates at a step wait for review, naming both."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant(cls.system, "site.upserted")
        cls.Event = cls.env["construction.sync.event"]
        cls.depot = cls.Site.create(
            {
                "name": "Westfield Depot",
                "street": "100 N. Main Street",
                "street2": "Suite 5",
                "city": "Springfield",
                "zip": "62701",
                "latitude": DEPOT[0],
                "longitude": DEPOT[1],
            }
        )
        cls.serial_event = 0

    def upsert(self, external_id, **payload):
        """Apply a ``site.upserted`` of the platform's project ``external_id``."""
        type(self).serial_event += 1
        event, _created = self.Event.sudo()._receive(
            self.system,
            {
                "event_type": "site.upserted",
                "idempotency_key": f"site-{external_id}-{self.serial_event}",
                "occurred_at": f"2026-11-20T10:{self.serial_event:02d}:00Z",
                "payload": dict({"external_id": external_id}, **payload),
            },
        )
        event._job_apply()
        return event

    def site_of(self, event):
        return self.Site.browse(
            event.link_ids.filtered(lambda link: link.res_model == self.Site._name).res_id
        )

    def assert_matched(self, event, site):
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.site_of(event), site)

    def test_the_binding_comes_first(self):
        first = self.upsert("P-1", name="Westfield Depot")
        self.assert_matched(first, self.depot)
        # renamed on the platform, moved elsewhere: still the bound site
        again = self.upsert("P-1", name="Depot (renamed)", latitude=45.0, longitude=-93.0)
        self.assert_matched(again, self.depot)
        self.assertEqual(self.depot.name, "Depot (renamed)")

    def test_the_property_name_matches_without_case(self):
        self.assert_matched(self.upsert("P-2", name="  WESTFIELD depot"), self.depot)

    def test_the_address_matches_however_it_is_written(self):
        event = self.upsert(
            "P-3",
            name="Job 4471",
            street="100 north main st #5",
            city="SPRINGFIELD",
            zip="62701-1234",
        )
        self.assert_matched(event, self.depot)
        self.assertEqual(self.Site.search_count([("name", "=", "Job 4471")]), 1)

    def test_an_address_in_another_town_is_another_site(self):
        event = self.upsert("P-4", name="Job 4472", street="100 N Main St Ste 5", city="Chatham")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertNotEqual(self.site_of(event), self.depot)

    def test_gps_within_the_configured_radius_matches(self):
        near = (DEPOT[0] + 0.0004, DEPOT[1])  # about 45 m north
        self.assert_matched(
            self.upsert("P-5", name="Job 4473", latitude=near[0], longitude=near[1]), self.depot
        )
        self.env["ir.config_parameter"].set_param(
            "construction_field_evidence.site_match_radius_m", "20"
        )
        event = self.upsert("P-6", name="Job 4474", latitude=near[0], longitude=near[1])
        self.assertNotEqual(self.site_of(event), self.depot)

    def test_two_candidates_at_a_step_wait_for_review_naming_both(self):
        twin = self.Site.create(
            {
                "name": "Eastfield Depot",
                "street": "100 North Main St, Ste. 5",
                "city": "Springfield",
            }
        )
        event = self.upsert("P-7", name="Job 4475", street="100 N Main Street Suite 5")
        self.assertEqual((event.state, event.error_code), ("needs_review", "duplicate"))
        self.assertIn("by address", event.error_message)
        self.assertIn(f"#{self.depot.id}", event.error_message)
        self.assertIn(f"#{twin.id}", event.error_message)
        self.assertFalse(self.Site.search_count([("name", "=", "Job 4475")]))

        # the office binds the one meant and replays
        self.env["construction.sync.binding"].create(
            {
                "system_id": self.system.id,
                "res_model": self.Site._name,
                "res_id": twin.id,
                "external_id": "P-7",
            }
        )
        event.action_replay()
        event._job_apply()
        self.assert_matched(event, twin)

    def test_a_site_bound_to_another_project_is_not_a_candidate(self):
        self.assert_matched(self.upsert("P-8", name="Westfield Depot"), self.depot)
        other = self.upsert("P-9", name="Westfield Depot")
        self.assertEqual(other.state, "done", other.error_message)
        self.assertNotEqual(self.site_of(other), self.depot)
