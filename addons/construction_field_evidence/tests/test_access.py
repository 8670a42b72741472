import base64

from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.exceptions import AccessError

from .common import FieldEvidenceCase

ROLES = (
    "user",
    "field_api",
    "reviewer",
    "estimator",
    "controller",
    "sync_manager",
    "administrator",
)


def rights(user, field_api, reviewer, controller, administrator):
    """Expected rights per role; estimators have the reviewer's, sync
    managers the field API's."""
    return {
        "user": user,
        "field_api": field_api,
        "reviewer": reviewer,
        "estimator": reviewer,
        "controller": controller,
        "sync_manager": field_api,
        "administrator": administrator,
    }


# model -> role -> the operations (read, write, create, unlink) it may do.
EXPECTED = {
    "construction.site": rights("", "r", "rwc", "rwc", "rwcu"),
    "construction.photo": rights("", "rwc", "rwc", "rwc", "rwcu"),
    "construction.photo.stage": rights("", "r", "r", "rwc", "rwcu"),
    "construction.photo.tag": rights("", "r", "rwc", "rwc", "rwcu"),
    "construction.defect.category": rights("", "r", "r", "rwc", "rwcu"),
    "construction.defect": rights("", "rwc", "rwc", "rwc", "rwcu"),
    "construction.defect.annotation": rights("", "rwc", "rwcu", "rwcu", "rwcu"),
    "construction.share.link": rights("", "", "rwc", "rwc", "rwcu"),
}

# Field written by the "w" attempt, per model.
WRITE_FIELD = {
    "construction.photo": ("name", "Renamed"),
    "construction.defect": ("severity", "high"),
    "construction.defect.annotation": ("label", "Renamed"),
    "construction.share.link": ("note", "Renamed"),
}


class TestAccess(FieldEvidenceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.defect = cls.Defect.create({"site_id": cls.site.id, "category_id": cls.pothole.id})

    def sample(self, model, serial):
        """Values of a new record of the model, different for each serial."""
        if model == "construction.site":
            return {"name": f"Site {serial}"}
        if model == "construction.photo":
            data = make_image(exif=make_exif(description=f"access {serial}"))
            return {"site_id": self.site.id, "image": base64.b64encode(data)}
        if model == "construction.photo.stage":
            return {"name": f"Stage {serial}", "code": f"stage_{serial}"}
        if model == "construction.photo.tag":
            return {"name": f"Tag {serial}"}
        if model == "construction.defect.category":
            return {"name": f"Category {serial}", "code": f"category_{serial}"}
        if model == "construction.defect":
            return {"site_id": self.site.id, "category_id": self.pothole.id}
        if model == "construction.defect.annotation":
            photo = self.Photo.create(self.sample("construction.photo", serial + 10_000))
            return {
                "defect_id": self.defect.id,
                "photo_id": photo.id,
                "x": 0.1,
                "y": 0.1,
                "width": 0.2,
                "height": 0.2,
            }
        return {"site_id": self.site.id}

    def attempt(self, model, role, operation, serial):
        """Try one operation as the role; True when it went through."""
        Model = self.env[model]
        record = Model.create(self.sample(model, serial))
        as_user = Model.with_user(self.users[role])
        field, value = WRITE_FIELD.get(model, ("name", "Renamed"))
        value = f"{value} {serial}" if field != "severity" else value
        try:
            with self.env.cr.savepoint():
                if operation == "r":
                    as_user.browse(record.id).read([field])
                elif operation == "w":
                    as_user.browse(record.id).write({field: value})
                elif operation == "c":
                    as_user.create(self.sample(model, serial + 20_000))
                else:
                    as_user.browse(record.id).unlink()
        except AccessError:
            return False
        return True

    def test_each_role_may_do_exactly_what_it_should(self):
        serial = 0
        for model, roles in EXPECTED.items():
            for role in ROLES:
                for operation in "rwcu":
                    serial += 1
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            self.attempt(model, role, operation, serial),
                            operation in roles[role],
                        )

    def test_records_of_another_company_are_hidden(self):
        foreign_site = self.Site.create({"name": "Foreign", "company_id": self.other_company.id})
        foreign_photo = self.Photo.create(
            {"site_id": foreign_site.id, "image": base64.b64encode(self.image())}
        )
        self.assertEqual(foreign_photo.company_id, self.other_company)
        foreign_defect = self.Defect.create(
            {"site_id": foreign_site.id, "company_id": self.other_company.id}
        )
        foreign_link = self.env["construction.share.link"].create({"site_id": foreign_site.id})
        reviewer = self.users["reviewer"]
        for record in (foreign_site, foreign_photo, foreign_defect, foreign_link):
            with self.subTest(model=record._name):
                self.assertFalse(record.with_user(reviewer).search([("id", "=", record.id)]))
                with self.assertRaises(AccessError):
                    record.with_user(reviewer).read(["display_name"])
        self.assertTrue(self.site.with_user(reviewer).read(["name"]))

    def test_share_token_is_hidden_from_the_field_api(self):
        link = self.env["construction.share.link"].create({"site_id": self.site.id})
        self.assertTrue(link.with_user(self.users["reviewer"]).token)
        self.assertFalse(
            link._fields["token"].is_accessible(self.env(user=self.users["field_api"]))
        )
