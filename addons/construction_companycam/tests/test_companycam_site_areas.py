import json

from odoo.tests import tagged

from .common import CompanyCamCase, delivery


def polygon(west, east):
    ring = [[west, 40.8150], [east, 40.8150], [east, 40.8159], [west, 40.8159], [west, 40.8150]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@tagged("post_install", "-at_install")
class TestCompanyCamSiteAreas(CompanyCamCase):
    """A CompanyCam Project (Core API v2, https://docs.companycam.com/reference,
    its ``address`` and ``geofence`` as served by common.py) that the office
    made a site for before connecting CompanyCam finds that site by its
    address, and its photos fall into the site's areas by GPS, as field
    uploads do."""

    def test_a_project_finds_the_offices_site_and_its_photos_fall_into_its_areas(self):
        office_site = self.env["construction.site"].create(
            {
                "name": "Psych HQ (office)",
                "street": "810 P Street",
                "street2": "Ste 430",
                "city": "Lincoln",
                "zip": "68508",
            }
        )
        west, east = self.env["construction.site.area"].create(
            [
                {
                    "name": "West",
                    "site_id": office_site.id,
                    "outline_geojson": polygon(-96.7102, -96.70965),
                },
                {
                    "name": "East",
                    "site_id": office_site.id,
                    "outline_geojson": polygon(-96.70965, -96.7091),
                },
            ]
        )
        self.double.add_project(94772883, name="Psych Office")
        self.double.add_photo(4782987471, 94772883, serial=1)  # at 40.81545, -96.70960
        self.double.add_photo(
            4782987472, 94772883, serial=2, coordinates={"lat": 40.8155, "lon": -96.7100}
        )
        for photo in self.double.photos:
            response = self.post_webhook(delivery("photo.created", photo))
            self.assertEqual(response.status_code, 200)

        self.assertEqual(self.run_jobs(), [])

        self.assertEqual(self.bound("construction.site", "94772883"), office_site)
        self.assertEqual(
            self.env["construction.site"].search_count(
                [("street_key", "=", office_site.street_key)]
            ),
            1,
            "no second site for the same address",
        )
        self.assertTrue(office_site.boundary_geojson, "the project's geofence became its boundary")
        by_id = {photo.client_uuid: photo for photo in self.photos()}
        self.assertEqual(by_id["4782987471"].area_id, east)
        self.assertEqual(by_id["4782987472"].area_id, west)
