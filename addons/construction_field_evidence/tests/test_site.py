import json

from odoo.exceptions import ValidationError

from .common import INSIDE, LOT, NORTH_100M, FieldEvidenceCase, boundary


class TestSite(FieldEvidenceCase):
    def test_area_and_default_point_from_boundary(self):
        self.assertAlmostEqual(self.site.area_m2, 49.7 * 100.1, delta=50)
        self.assertAlmostEqual(self.site.latitude, 41.88045, places=3)
        self.assertAlmostEqual(self.site.longitude, -87.6297, places=3)

    def test_self_intersecting_boundary_is_repaired(self):
        bow_tie = [LOT[0], LOT[2], LOT[1], LOT[3], LOT[0]]
        site = self.Site.create({"name": "Bow tie", "boundary_geojson": boundary(bow_tie)})
        self.assertEqual(json.loads(site.boundary_geojson)["type"], "MultiPolygon")
        self.assertAlmostEqual(site.area_m2, 49.7 * 100.1 / 2, delta=50)

    def test_invalid_boundaries_get_a_clear_error(self):
        for text in (
            "{not json",
            json.dumps({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
            boundary([[0, 0], [1, 1], [2, 2], [0, 0]]),
            boundary([[41.88, -87.63], [41.88, -97.63], [42.0, -97.0], [41.88, -87.63]]),
        ):
            with (
                self.subTest(text=text),
                self.assertRaises(ValidationError) as caught,
                self.env.cr.savepoint(),
            ):
                self.site.boundary_geojson = text
            self.assertEqual(caught.exception.code, "invalid_geometry")

    def test_site_gps_out_of_range(self):
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.Site.create({"name": "Nowhere", "latitude": 100.0, "longitude": 0.0})
        self.assertEqual(caught.exception.code, "gps_out_of_range")

    def test_address_is_normalized(self):
        site = self.Site.create(
            {
                "name": "Depot",
                "street": "  12   Main  St ",
                "city": " Springfield ",
                "zip": "ab1 2cd",
                "country_id": self.env.ref("base.us").id,
            }
        )
        self.assertEqual(
            (site.street, site.city, site.zip), ("12 Main St", "Springfield", "AB1 2CD")
        )
        self.assertEqual(site.address, "12 Main St, AB1 2CD Springfield, US")

    def test_find_nearest(self):
        neighbour = self.Site.create(
            {"name": "Neighbour", "latitude": NORTH_100M[0] + 0.0003, "longitude": NORTH_100M[1]}
        )
        self.assertEqual(self.Site._find_nearest(*INSIDE, 50), [(self.site, 0.0)])
        nearest = self.Site._find_nearest(*NORTH_100M, 500, limit=2)
        self.assertEqual([site for site, _distance in nearest], [neighbour, self.site])
        self.assertAlmostEqual(nearest[0][1], 33.4, delta=1)
        self.assertAlmostEqual(nearest[1][1], 100.1, delta=1)
        self.assertEqual(self.Site._find_nearest(*NORTH_100M, 20), [])
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.Site._find_nearest(0, 200, 10)
        self.assertEqual(caught.exception.code, "gps_out_of_range")

    def test_site_plan_draws_boundary_and_defects(self):
        self.Defect.create(
            {
                "site_id": self.site.id,
                "category_id": self.pothole.id,
                "severity": "critical",
                "latitude": INSIDE[0],
                "longitude": INSIDE[1],
            }
        )
        plan = str(self.site.site_plan)
        self.assertIn("<svg", plan)
        self.assertIn("<path", plan)
        self.assertIn('fill="#c62828"', plan)  # one critical marker
        self.assertEqual(plan.count("<circle"), 1)

    def test_counts_and_actions(self):
        self.upload(site_id=self.site.id)
        self.assertEqual((self.site.photo_count, self.site.review_count), (1, 1))
        action = self.site.action_open_photos()
        self.assertEqual(action["domain"], [("site_id", "in", self.site.ids)])
