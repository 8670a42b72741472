import json

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.addons.construction_sync.tests.common import ConstructionCase
from odoo.tests import HttpCase, new_test_user

API = "/construction/api/v1"

# A parking lot about 50 m x 100 m near Chicago, [longitude, latitude].
LOT = [
    [-87.6300, 41.8800],
    [-87.6294, 41.8800],
    [-87.6294, 41.8809],
    [-87.6300, 41.8809],
    [-87.6300, 41.8800],
]
INSIDE = (41.88045, -87.6297)
# Its southern and northern halves (areas of the site), and a point in each.
SOUTH_HALF = [
    [-87.6300, 41.8800],
    [-87.6294, 41.8800],
    [-87.6294, 41.88045],
    [-87.6300, 41.88045],
    [-87.6300, 41.8800],
]
NORTH_HALF = [
    [-87.6300, 41.88045],
    [-87.6294, 41.88045],
    [-87.6294, 41.8809],
    [-87.6300, 41.8809],
    [-87.6300, 41.88045],
]
IN_SOUTH = (41.8802, -87.6297)
IN_NORTH = (41.8807, -87.6297)
NORTH_100M = (41.8818, -87.6297)


def boundary(ring=None):
    return json.dumps({"type": "Polygon", "coordinates": [ring or LOT]})


class FieldEvidenceCase(ConstructionCase):
    """A site with a boundary, a field platform, stages and categories."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Site = cls.env["construction.site"]
        cls.Photo = cls.env["construction.photo"]
        cls.Defect = cls.env["construction.defect"]
        cls.Category = cls.env["construction.defect.category"]
        cls.before = cls.env.ref("construction_field_evidence.photo_stage_before")
        cls.during = cls.env.ref("construction_field_evidence.photo_stage_during")
        cls.after = cls.env.ref("construction_field_evidence.photo_stage_after")
        cls.pothole = cls.env.ref("construction_field_evidence.defect_category_pothole")
        cls.striping = cls.env.ref("construction_field_evidence.defect_category_faded_striping")
        cls.square_foot = cls.env.ref("uom.uom_square_foot")
        cls.square_meter = cls.env.ref("uom.uom_square_meter")
        cls.system = cls.env["construction.sync.system"].create(
            {"name": "FieldCam test", "code": "fieldcam_test", "kind": "field_evidence"}
        )
        cls.site = cls.Site.create({"name": "Lakeside Lot", "boundary_geojson": boundary()})
        cls.serial = 0

    @classmethod
    def image(cls, **exif):
        """A JPEG never produced before in this test class (unique bytes)."""
        cls.serial += 1
        return make_image(exif=make_exif(description=f"image {cls.serial}", **exif))

    def upload(self, data=None, mimetype="image/jpeg", system=None, **metadata):
        return self.Photo._create_from_upload(
            data if data is not None else self.image(), mimetype, metadata, system or self.system
        )

    def accepted_photo(self, stage, site=None, **metadata):
        photo = self.upload(site_id=(site or self.site).id, stage=stage.code, **metadata)
        photo.action_accept()
        return photo


class FieldApiCase(HttpCase, FieldEvidenceCase):
    """The field platform's service user with its API key, and the calls
    the platform makes with it (``api_key`` is the bearer they send)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        service = new_test_user(
            cls.env,
            login="fieldcam_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.system.service_user_id = service
        cls.api_key = cls.new_api_key(service)
        cls.Event = cls.env["construction.sync.event"]

    def headers(self):
        return {"Authorization": f"Bearer {self.api_key}"}

    def upload_http(self, data, mimetype="image/jpeg", **metadata):
        return self.opener.post(
            self.base_url() + API + "/field/photos",
            files={"image": ("photo.jpg", data, mimetype)},
            data={"metadata": json.dumps(metadata)},
            headers=self.headers(),
            timeout=60,
        )

    def post_json(self, path, body):
        return self.opener.post(
            self.base_url() + API + path,
            data=json.dumps(body),
            headers=dict(self.headers(), **{"Content-Type": "application/json"}),
            timeout=60,
        )

    def post_batch(self, body):
        return self.post_json("/field/batch", body)

    def get(self, path):
        return self.opener.get(self.base_url() + API + path, headers=self.headers(), timeout=30)

    def events(self, code):
        return self.Event.search(
            [("system_id", "=", self.system.id), ("event_type_id.code", "=", code)]
        )
