from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import FieldEvidenceCase


@tagged("post_install", "-at_install")
class TestEvidenceRetention(FieldEvidenceCase):
    """The retention policy reaches what field evidence can lose: annotated
    previews (drawn again when next shown, the original and its preview
    never touched) and share links long expired or revoked; a project on
    legal hold keeps all of them, and its photos too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Purge = cls.env["construction.sync.purge"]
        cls.Link = cls.env["construction.share.link"]
        cls.Attachment = cls.env["ir.attachment"].sudo()
        cls.held_project = cls.env["project.project"].create({"name": "Port Claim Lot"})
        cls.loose_project = cls.env["project.project"].create({"name": "Mall Lot"})
        cls.held_site = cls.Site.create({"name": "Port Lot", "project_id": cls.held_project.id})
        cls.loose_site = cls.Site.create({"name": "Mall Lot", "project_id": cls.loose_project.id})
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("construction_field_evidence.rendition_retention_days", 90)
        parameters.set_param("construction_field_evidence.share_link_retention_days", 180)

    def age(self, records, days, *columns):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s WHERE id IN %s",
                SQL.identifier(records._table),
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(column), fields.Datetime.now() - timedelta(days))
                    for column in ("create_date", *columns)
                ),
                tuple(records.ids),
            )
        )
        records.invalidate_recordset()

    def annotated_photo(self, site):
        """An accepted photo with a confirmed defect's box: the share page
        draws the box on its preview and keeps the drawing."""
        photo = self.accepted_photo(self.before, site=site)
        defect = self.Defect.create(
            {"site_id": site.id, "category_id": self.pothole.id, "photo_ids": [(6, 0, photo.ids)]}
        )
        self.env["construction.defect.annotation"].create(
            {
                "defect_id": defect.id,
                "photo_id": photo.id,
                "x": 0.25,
                "y": 0.2,
                "width": 0.5,
                "height": 0.5,
                "label": "pothole",
                "confidence": 0.9,
            }
        )
        defect.action_confirm()
        self.assertTrue(photo._annotated_image())
        return photo

    def images(self, photo):
        return self.Attachment.search(
            [
                ("res_model", "=", "construction.photo"),
                ("res_id", "=", photo.id),
                ("res_field", "!=", False),
            ]
        )

    def test_old_annotated_previews_go_and_are_drawn_again_originals_stay(self):
        old, recent = self.annotated_photo(self.loose_site), self.annotated_photo(self.loose_site)
        old_drawing = self.images(old).filtered(lambda a: a.res_field == "image_annotated")
        self.age(old_drawing, 100)
        evidence = self.images(old) - old_drawing
        self.assertEqual(len(evidence), 3)

        counts = self.Purge._cron_purge()

        self.assertEqual(counts["photo_rendition"], 1)
        self.assertFalse(old_drawing.exists())
        self.assertEqual(evidence.exists(), evidence, "the original and its renditions stay")
        self.assertEqual(len(self.images(recent)), 4, "a drawing within its period stays")
        # shown again, it is drawn again
        self.assertTrue(old._annotated_image())
        self.assertEqual(len(self.images(old)), 4)
        history = self.Purge.search([("kind", "=", "photo_rendition")], limit=1)
        self.assertEqual((history.purged_count, history.period_days), (1, 90))

    def test_long_expired_or_revoked_share_links_go_unless_a_client_answered(self):
        expired, _url = self.Link._issue({"site_id": self.loose_site.id})
        revoked, _url = self.Link._issue({"site_id": self.loose_site.id})
        answered, _url = self.Link._issue({"site_id": self.loose_site.id})
        lately, _url = self.Link._issue({"site_id": self.loose_site.id})
        valid, _url = self.Link._issue({"site_id": self.loose_site.id})
        self.env["construction.share.answer"]._record(answered, "approved", "Dana Owner", "")
        self.age(expired | answered, 400, "expires_at")
        self.age(revoked, 400, "revoked_at")
        self.age(lately, 30, "expires_at")

        counts = self.Purge._cron_purge()

        self.assertEqual(counts["share_link"], 2)
        self.assertFalse((expired | revoked).exists())
        self.assertEqual((answered | lately | valid).exists(), answered | lately | valid)

    def test_a_legal_hold_keeps_the_project_s_renditions_links_and_photos(self):
        held_photo = self.annotated_photo(self.held_site)
        loose_photo = self.annotated_photo(self.loose_site)
        self.age(self.images(held_photo) | self.images(loose_photo), 400)
        self.age(held_photo | loose_photo, 400)
        held_link, _url = self.Link._issue({"site_id": self.held_site.id})
        self.age(held_link, 400, "expires_at")
        self.held_project._construction_place_legal_hold("Claim by the port authority")

        counts = self.Purge._cron_purge()
        self.assertEqual((counts["photo_rendition"], counts["share_link"]), (1, 0))
        self.assertEqual(len(self.images(held_photo)), 4)
        self.assertEqual(len(self.images(loose_photo)), 3)
        self.assertTrue(held_link.exists())

        # the photo retention itself keeps the held project's photos
        self.env["ir.config_parameter"].sudo().set_param(
            "construction_field_evidence.photo_retention_days", 365
        )
        self.assertEqual(self.Photo._cron_purge_expired(), 1)
        self.assertFalse(loose_photo.exists())
        self.assertTrue(held_photo.exists())
