import base64

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import (
    IN_NORTH,
    IN_SOUTH,
    LOT,
    NORTH_HALF,
    SOUTH_HALF,
    FieldApiCase,
    boundary,
)


@tagged("post_install", "-at_install")
class TestSiteArea(FieldApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Area = cls.env["construction.site.area"]
        cls.south = cls.Area.create(
            {"name": "South Bay", "site_id": cls.site.id, "outline_geojson": boundary(SOUTH_HALF)}
        )
        cls.north = cls.Area.create(
            {"name": "North Bay", "site_id": cls.site.id, "outline_geojson": boundary(NORTH_HALF)}
        )

    def assert_refused(self, vals, words):
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            self.Area.create(dict({"name": "Bad", "site_id": self.site.id}, **vals))
        self.assertIn(words, str(caught.exception))

    def test_an_area_outline_must_be_a_closed_ring_inside_the_site_that_does_not_cross_itself(
        self,
    ):
        self.assertAlmostEqual(self.south.area_m2, 49.7 * 50, delta=30)
        self.assert_refused({"outline_geojson": boundary(SOUTH_HALF[:-1])}, "not closed")
        bow_tie = [SOUTH_HALF[0], SOUTH_HALF[2], SOUTH_HALF[1], SOUTH_HALF[3], SOUTH_HALF[0]]
        self.assert_refused({"outline_geojson": boundary(bow_tie)}, "crosses itself")
        beyond = [[-87.6300, 41.8800], [-87.6280, 41.8800], [-87.6280, 41.8805], LOT[0]]
        self.assert_refused({"outline_geojson": boundary(beyond)}, "outside the site boundary")
        # a boundary redrawn smaller may not leave an area outside it
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.site.boundary_geojson = boundary(SOUTH_HALF)

    def test_photos_fall_into_the_area_their_gps_position_is_in(self):
        south_photo = self.upload(latitude=IN_SOUTH[0], longitude=IN_SOUTH[1])
        north_photo = self.upload(data=self.image(latitude=IN_NORTH[0], longitude=IN_NORTH[1]))
        self.assertEqual((south_photo.site_id, south_photo.area_id), (self.site, self.south))
        self.assertEqual((north_photo.site_id, north_photo.area_id), (self.site, self.north))
        # made in the office (UI or import): the same rule
        manual = self.Photo.create(
            {
                "site_id": self.site.id,
                "image": base64.b64encode(self.image()),
                "latitude": IN_NORTH[0],
                "longitude": IN_NORTH[1],
                "gps_source": "manual",
            }
        )
        self.assertEqual(manual.area_id, self.north)
        # an area drawn after the upload takes the photos inside it
        self.north.unlink()
        self.assertFalse(north_photo.area_id)
        redrawn = self.Area.create(
            {"name": "North Bay", "site_id": self.site.id, "outline_geojson": boundary(NORTH_HALF)}
        )
        self.assertEqual(north_photo.area_id, redrawn)

    def test_the_platforms_area_name_is_read_through_an_area_value_map(self):
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "area",
                "external_value": "Zone B",
                "internal_reference": f"construction.site.area,{self.north.id}",
            }
        )
        mapped = self.upload(site_id=self.site.id, area="zone b")
        self.assertEqual(mapped.area_id, self.north)
        by_name = self.upload(site_id=self.site.id, area=" south bay ")
        self.assertEqual(by_name.area_id, self.south)
        with self.assertRaises(ValidationError) as caught:
            self.upload(site_id=self.site.id, area="Roof")
        self.assertEqual(caught.exception.code, "unknown_area")
        self.assertIn("North Bay", str(caught.exception))

    def test_field_api_files_photos_and_observations_under_their_area(self):
        single = self.upload_http(
            self.image(latitude=IN_SOUTH[0], longitude=IN_SOUTH[1]), client_uuid="cam-a1"
        )
        self.assertEqual(single.status_code, 201, single.text)
        self.assertEqual(single.json()["area"], "South Bay")
        unknown = self.upload_http(self.image(), site_id=self.site.id, area="Roof")
        self.assertEqual(unknown.status_code, 422)
        self.assertEqual(unknown.json()["code"], "unknown_area")
        self.assertEqual(unknown.json()["errors"][0]["pointer"], "/area")

        response = self.post_batch(
            {
                "photos": [
                    {
                        "client_uuid": "cam-a2",
                        "mimetype": "image/jpeg",
                        "image_base64": base64.b64encode(
                            self.image(latitude=IN_NORTH[0], longitude=IN_NORTH[1])
                        ).decode(),
                    }
                ],
                "observations": [
                    # no position: the area its photos share
                    {
                        "client_uuid": "obs-a1",
                        "category": "pothole",
                        "photo_client_uuids": ["cam-a2"],
                    },
                    # its own position
                    {
                        "client_uuid": "obs-a2",
                        "category": "pothole",
                        "site_id": self.site.id,
                        "latitude": IN_SOUTH[0],
                        "longitude": IN_SOUTH[1],
                    },
                    # the platform names it
                    {
                        "client_uuid": "obs-a3",
                        "category": "pothole",
                        "site_id": self.site.id,
                        "area": "north bay",
                    },
                    {
                        "client_uuid": "obs-a4",
                        "category": "pothole",
                        "site_id": self.site.id,
                        "area": "Roof",
                    },
                ],
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["photos"][0]["photo"]["area"], "North Bay")
        results = body["observations"]
        self.assertEqual(
            [result.get("defect", {}).get("area") for result in results[:3]],
            ["North Bay", "South Bay", "North Bay"],
        )
        self.assertEqual(
            (results[3]["status"], results[3]["error"]["code"]), ("rejected", "unknown_area")
        )
        self.assertEqual(results[3]["error"]["errors"][0]["pointer"], "/observations/3/area")

    def test_the_site_plan_draws_the_areas_and_the_defects_in_them(self):
        self.Defect.create(
            {
                "site_id": self.site.id,
                "category_id": self.pothole.id,
                "latitude": IN_SOUTH[0],
                "longitude": IN_SOUTH[1],
            }
        )
        plan = str(self.site.site_plan)
        self.assertEqual(plan.count('class="o_construction_site_plan_area"'), 2)
        self.assertIn("<title>South Bay</title>", plan)
        self.assertIn("<title>North Bay</title>", plan)
        self.assertEqual(plan.count('class="o_construction_site_plan_marker"'), 1)
        defect = self.site.defect_ids
        self.assertEqual(defect.area_id, self.south)
        self.assertEqual(self.south.defect_count, 1)
