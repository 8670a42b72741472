import hashlib
import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.construction_share_link import REQUEST_LIMIT
from .common import INSIDE, FieldEvidenceCase


@tagged("post_install", "-at_install")
class TestShareLink(FieldEvidenceCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.before_photo = cls._accepted(cls.before)
        cls.after_photo = cls._accepted(cls.after)
        cls.unreviewed = cls.Photo._create_from_upload(
            cls.image(), "image/jpeg", {"site_id": cls.site.id, "stage": "during"}, cls.system
        )
        cls.defect = cls.Defect.create(
            {
                "site_id": cls.site.id,
                "category_id": cls.pothole.id,
                "severity": "high",
                "latitude": INSIDE[0],
                "longitude": INSIDE[1],
                "photo_ids": [(6, 0, (cls.before_photo | cls.after_photo | cls.unreviewed).ids)],
                "state": "confirmed",
            }
        )
        cls.other_site = cls.Site.create({"name": "Other client's lot"})
        cls.other_photo = cls._accepted(cls.before, cls.other_site)
        cls.Link = cls.env["construction.share.link"]
        cls.link, url = cls.Link._issue({"site_id": cls.site.id})
        cls.token = url.rsplit("/", 1)[1]

    @classmethod
    def _accepted(cls, stage, site=None):
        photo = cls.Photo._create_from_upload(
            cls.image(),
            "image/jpeg",
            {"site_id": (site or cls.site).id, "stage": stage.code},
            cls.system,
        )
        photo.action_accept()
        return photo

    def issue(self, **vals):
        """A new link of the site and its token."""
        link, url = self.Link._issue(dict(vals, site_id=self.site.id))
        return link, url.rsplit("/", 1)[1]

    def page(self, token):
        return self.url_open(f"/construction/share/{token}")

    def photo_url(self, photo, size="preview", token=None):
        return f"/construction/share/{token or self.token}/photo/{photo.id}/{size}"

    def test_token_is_long_and_random_and_only_its_hash_is_stored(self):
        other, other_token = self.issue()
        self.assertGreaterEqual(len(self.token), 43)
        self.assertNotEqual(other_token, self.token)
        self.assertEqual(self.link.state, "valid")
        self.assertEqual(self.link.token_hash, hashlib.sha256(self.token.encode()).hexdigest())
        # Whoever reads the table (a backup, a reviewer over RPC) cannot open the page.
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM construction_share_link WHERE id = %s", other.ids)
        self.assertNotIn(other_token, repr(self.env.cr.fetchall()))
        self.assertEqual(self.page(other.token_hash).status_code, 404)
        self.assertEqual(self.page(other_token).status_code, 200)

    def test_valid_link_shows_the_site_without_login(self):
        response = self.page(self.token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Lakeside Lot", response.text)
        self.assertIn("Pothole", response.text)
        self.assertIn("<svg", response.text)
        # each defect's photos are shown with its boxes drawn
        self.assertIn(self.photo_url(self.before_photo, "annotated"), response.text)
        self.assertIn(self.photo_url(self.after_photo, "annotated"), response.text)
        self.assertNotIn(f"/photo/{self.unreviewed.id}/", response.text)
        self.assertEqual(response.headers["X-Robots-Tag"], "noindex, nofollow")
        self.assertEqual(self.link.view_count, 1)

    def test_a_mail_clients_tracking_parameters_are_ignored_quietly(self):
        query = "?utm_source=newsletter&fbclid=IwAR0"
        with self.assertNoLogs("odoo.http", "WARNING"):
            page = self.url_open(f"/construction/share/{self.token}{query}")
            photo = self.url_open(self.photo_url(self.before_photo) + query)
        self.assertEqual((page.status_code, photo.status_code), (200, 200))
        self.assertIn("Lakeside Lot", page.text)

    def test_photos_of_the_site_are_served_through_the_token(self):
        response = self.url_open(self.photo_url(self.before_photo))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/jpeg")
        self.assertEqual(response.content[:3], b"\xff\xd8\xff")
        self.assertEqual(
            self.url_open(self.photo_url(self.after_photo, "thumbnail")).status_code, 200
        )

    def test_nothing_else_is_reachable_through_the_token(self):
        for url in (
            self.photo_url(self.other_photo),  # another site's photo
            self.photo_url(self.unreviewed),  # not accepted
            self.photo_url(self.before_photo, "image"),  # the original
            self.photo_url(self.before_photo, "../image"),
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotEqual(response.content[:3], b"\xff\xd8\xff")
        # Without a session Odoo's own image route only has a placeholder.
        response = self.url_open(
            f"/web/image/construction.photo/{self.before_photo.id}/image_preview"
        )
        self.assertNotEqual(response.headers["Content-Type"], "image/jpeg")

    def test_expired_revoked_and_unknown_links_answer_404(self):
        expired, expired_token = self.issue(expires_at=fields.Datetime.now() - timedelta(minutes=1))
        revoked, revoked_token = self.issue()
        self.assertEqual(self.page(revoked_token).status_code, 200)
        revoked.action_revoke()
        self.assertEqual((expired.state, revoked.state), ("expired", "revoked"))
        for link, token in ((expired, expired_token), (revoked, revoked_token)):
            with self.subTest(state=link.state):
                self.assertEqual(self.page(token).status_code, 404)
                response = self.url_open(self.photo_url(self.before_photo, token=token))
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.page("not-a-token").status_code, 404)

    def test_a_flooded_link_answers_429_until_its_window_has_passed(self):
        link, token = self.issue()
        self.assertEqual(self.page(token).status_code, 200)
        self.url_open(self.photo_url(self.before_photo, token=token))
        self.assertEqual(link.request_count, 2)
        # A script has pulled the limit through the link in this window.
        link.sudo().write({"request_count": REQUEST_LIMIT})
        for url in (f"/construction/share/{token}", self.photo_url(self.before_photo, token=token)):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 429)
                self.assertNotEqual(response.content[:3], b"\xff\xd8\xff")
                self.assertTrue(0 < int(response.headers["Retry-After"]) <= 600)
        self.assertEqual(link.request_count, REQUEST_LIMIT)
        # Other links are not affected; this one answers once its window is over.
        self.assertEqual(self.page(self.token).status_code, 200)
        link.sudo().write({"request_window_start": fields.Datetime.now() - timedelta(minutes=11)})
        self.assertEqual(self.page(token).status_code, 200)
        self.assertEqual(link.request_count, 1)

    def test_site_condition_report(self):
        report = self.env.ref("construction_field_evidence.action_report_site_condition")
        html, _kind = report._render_qweb_html(report.report_name, self.site.ids)
        html = html.decode()
        self.assertIn("Site condition report", html)
        self.assertIn("Lakeside Lot", html)
        self.assertIn('src="data:image/jpg;base64,/9j/', html)
        self.assertIn("<svg", html)
        self.assertNotIn("/construction/share/", html)

    def test_share_page_tour(self):
        self.start_tour(f"/construction/share/{self.token}", "construction_share_page")
        self.assertEqual(
            (self.site.client_response, self.site.client_response_by), ("approved", "Dana Reyes")
        )
        self.assertIn("Go ahead with the patching.", self.link.answer_ids.message)

    def test_share_action_creates_a_link_and_shows_its_url_once(self):
        action = self.site.action_share()
        url = action["context"]["default_url"]
        link = self.Link.search([("site_id", "=", self.site.id)], limit=1)
        self.assertEqual((link.site_id, link.state), (self.site, "valid"))
        self.assertEqual(self.page(url.rsplit("/", 1)[1]).status_code, 200)
        self.assertNotIn("url", self.Link._fields)

    def test_a_reviewer_cannot_unrevoke_a_link_over_rpc(self):
        reviewer = new_test_user(
            self.env,
            login="share_reviewer",
            password="share_reviewer",
            groups="construction_sync.group_construction_sync_reviewer",
        )
        link, token = self.issue()
        link.with_user(reviewer).action_revoke()
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, "share_reviewer", "share_reviewer", {}
        )
        for vals in ({"revoked_at": False}, {"token_hash": self.link.token_hash}):
            with self.subTest(vals=vals), self.assertRaises(xmlrpc.client.Fault) as caught:
                self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname,
                    uid,
                    "share_reviewer",
                    "construction.share.link",
                    "write",
                    [link.ids, vals],
                )
            self.assertEqual(caught.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        self.env.invalidate_all()
        self.assertEqual(link.state, "revoked")
        self.assertEqual(self.page(token).status_code, 404)


@tagged("post_install", "-at_install")
class TestReviewQueueTour(FieldEvidenceCase, HttpCase):
    def test_reviewer_accepts_and_corrects_detections(self):
        new_test_user(
            self.env,
            login="queue_reviewer",
            password="queue_reviewer",
            groups="construction_sync.group_construction_sync_reviewer",
        )
        photo = self.upload(site_id=self.site.id, stage="before")
        low = self.Defect.create(
            {
                "site_id": self.site.id,
                "source": "ai",
                "detected_label": "pothole",
                "confidence": 0.31,
                "photo_ids": [(6, 0, photo.ids)],
            }
        )
        # The detector's box, drawn over the photo on the card.
        self.env["construction.defect.annotation"].create(
            {
                "defect_id": low.id,
                "photo_id": photo.id,
                "x": 0.25,
                "y": 0.25,
                "width": 0.5,
                "height": 0.5,
                "label": "pothole",
                "confidence": 0.31,
            }
        )
        unknown = self.Defect.create(
            {
                "site_id": self.site.id,
                "source": "ai",
                "detected_label": "zebra lines",
                "confidence": 0.9,
            }
        )
        self.start_tour(
            "/odoo/action-construction_field_evidence.construction_defect_review_action",
            "construction_review_queue",
            login="queue_reviewer",
        )
        self.assertEqual(low.state, "confirmed")
        self.assertEqual(low.reviewer_id.login, "queue_reviewer")
        self.assertEqual((unknown.state, unknown.category_id), ("confirmed", self.striping))

    def test_reviewer_accepts_a_photo_and_shares_the_site(self):
        new_test_user(
            self.env,
            login="site_reviewer",
            password="site_reviewer",
            groups="construction_sync.group_construction_sync_reviewer",
        )
        photo = self.upload(site_id=self.site.id, stage="before")
        self.Defect.create(
            {
                "site_id": self.site.id,
                "category_id": self.pothole.id,
                "latitude": INSIDE[0],
                "longitude": INSIDE[1],
            }
        )
        self.start_tour(
            "/odoo/action-construction_field_evidence.construction_photo_review_action",
            "construction_photo_review_and_site",
            login="site_reviewer",
        )
        self.assertEqual(photo.state, "accepted")
        link = self.env["construction.share.link"].search([("site_id", "=", self.site.id)])
        self.assertEqual(len(link), 1)
        self.assertEqual(link.create_uid.login, "site_reviewer")
