import base64
import io
import os
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta

from PIL import Image

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..lib.markup import BOX_COLOUR
from ..lib.tests.images import box_edge_share, make_exif, make_image, region_of
from ..models.construction_share_answer import RATE_LIMIT
from .common import FieldEvidenceCase

# A flat colour no part of the page or the report has, so that the photo
# can be found on a rasterised PDF page.
PHOTO_COLOUR = (60, 170, 150)
BOX = (0.25, 0.2, 0.5, 0.5)
ELSEWHERE = (0.05, 0.8, 0.1, 0.15)  # below and left of the box: nothing drawn there


@tagged("post_install", "-at_install")
class TestShareEvidenceVisible(FieldEvidenceCase, HttpCase):
    """The client share page and the PDF report show the detection's box
    where the detection says, the stages side by side, and take the
    client's answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # No boundary: no site plan drawn beside the photo.
        cls.harbor = cls.Site.create({"name": "Harbor Lot"})
        cls.photo = cls.Photo._create_from_upload(
            make_image(
                (800, 600), PHOTO_COLOUR, exif=make_exif(description="harbor pothole before")
            ),
            "image/jpeg",
            {"site_id": cls.harbor.id, "stage": "before"},
            cls.system,
        )
        cls.photo.action_accept()
        cls.defect = cls.Defect.create(
            {
                "site_id": cls.harbor.id,
                "category_id": cls.pothole.id,
                "photo_ids": [(6, 0, cls.photo.ids)],
            }
        )
        cls.annotation = cls.env["construction.defect.annotation"].create(
            {
                "defect_id": cls.defect.id,
                "photo_id": cls.photo.id,
                "x": BOX[0],
                "y": BOX[1],
                "width": BOX[2],
                "height": BOX[3],
                "label": "pothole",
                "confidence": 0.91,
            }
        )
        cls.defect.action_confirm()
        cls.Link = cls.env["construction.share.link"]
        cls.link, url = cls.Link._issue({"site_id": cls.harbor.id})
        cls.token = url.rsplit("/", 1)[1]

    def page(self, token=None):
        return self.url_open(f"/construction/share/{token or self.token}")

    def assert_box_drawn(self, image, area=None, minimum=1.0):
        share, centre_marked = box_edge_share(image, BOX, BOX_COLOUR, area)
        self.assertGreaterEqual(share, minimum, "the box's edges are not drawn in the box colour")
        self.assertFalse(centre_marked, "the inside of the box is painted over")
        elsewhere, _ = box_edge_share(image, ELSEWHERE, BOX_COLOUR, area)
        self.assertLessEqual(elsewhere, 0.05, "a box is drawn where the detection has none")

    # ------------------------------------------------------------------
    # Boxes drawn
    # ------------------------------------------------------------------

    def test_share_page_shows_the_photo_with_the_box_where_the_detection_says(self):
        response = self.page()
        self.assertEqual(response.status_code, 200)
        src = re.search(
            r'<td data-stage="before">.*?<img [^>]*src="([^"]+)"', response.text, re.S
        ).group(1)
        self.assertEqual(src, f"/construction/share/{self.token}/photo/{self.photo.id}/annotated")
        image_response = self.url_open(src)
        self.assertEqual(image_response.status_code, 200)
        self.assertEqual(image_response.headers["Content-Type"], "image/jpeg")
        drawn = Image.open(io.BytesIO(image_response.content))
        self.assertEqual(drawn.size, (800, 600))
        self.assert_box_drawn(drawn)
        # The label (category and confidence) sits on a band above the box.
        self.assertEqual(self.defect.box_overlay[0]["boxes"][0]["caption"], "Pothole 0.91")
        label = drawn.convert("RGB").getpixel((round(0.25 * 800) + 2, round(0.2 * 600) - 3))
        self.assertTrue(all(abs(a - b) <= 60 for a, b in zip(label, BOX_COLOUR, strict=True)))
        # The original stays what the camera wrote; the drawing is a rendition.
        original = Image.open(io.BytesIO(base64.b64decode(self.photo.image)))
        share, _ = box_edge_share(original, BOX, BOX_COLOUR)
        self.assertEqual(share, 0.0)

    def test_the_drawing_is_cached_and_redrawn_when_the_box_moves(self):
        first = self.photo._annotated_image()
        Attachment = self.env["ir.attachment"].sudo()
        domain = [
            ("res_model", "=", "construction.photo"),
            ("res_id", "=", self.photo.id),
            ("res_field", "=", "image_annotated"),
        ]
        cached = Attachment.search(domain)
        self.assertEqual(len(cached), 1)
        self.assertEqual(self.photo._annotated_image(), first)
        self.assertEqual(Attachment.search(domain), cached, "drawn once, served again")
        self.annotation.write({"x": 0.05, "y": 0.8, "width": 0.1, "height": 0.15})
        moved = Image.open(io.BytesIO(self.photo._annotated_image()))
        share, _ = box_edge_share(moved, ELSEWHERE, BOX_COLOUR)
        self.assertEqual(share, 1.0)
        self.assertEqual(len(Attachment.search(domain)), 1)

    def test_a_box_is_a_fraction_of_the_photo_as_displayed_even_when_the_camera_turned_it(self):
        # Stored 800 x 600 with EXIF orientation 6: displayed 600 x 800.
        turned = self.Photo._create_from_upload(
            make_image(
                (800, 600),
                PHOTO_COLOUR,
                exif=make_exif(orientation=6, description="harbor turned"),
            ),
            "image/jpeg",
            {"site_id": self.harbor.id, "stage": "during"},
            self.system,
        )
        turned.action_accept()
        self.env["construction.defect.annotation"].create(
            {
                "defect_id": self.defect.id,
                "photo_id": turned.id,
                "x": BOX[0],
                "y": BOX[1],
                "width": BOX[2],
                "height": BOX[3],
            }
        )
        drawn = Image.open(io.BytesIO(turned._annotated_image()))
        self.assertEqual(drawn.size, (600, 800))
        self.assert_box_drawn(drawn)
        # The office's widget places it by the same fractions over the upright preview.
        (entry,) = [e for e in self.defect.box_overlay if e["photo_id"] == turned.id]
        self.assertEqual([(b["x"], b["y"], b["width"], b["height"]) for b in entry["boxes"]], [BOX])

    def test_unconfirmed_or_rejected_detections_are_not_drawn_for_the_client(self):
        self.defect.action_reject("not a pothole: a shadow")
        plain = Image.open(io.BytesIO(self.photo._annotated_image()))
        share, _ = box_edge_share(plain, BOX, BOX_COLOUR)
        self.assertEqual(share, 0.0)

    def test_the_annotated_photo_is_shared_through_the_token_only(self):
        path = f"/photo/{self.photo.id}/annotated"
        self.assertEqual(self.url_open(f"/construction/share/{self.token}{path}").status_code, 200)
        _other, other_url = self.Link._issue({"site_id": self.site.id})
        other_token = other_url.rsplit("/", 1)[1]
        self.assertEqual(self.url_open(f"/construction/share/{other_token}{path}").status_code, 404)
        self.link.action_revoke()
        self.assertEqual(self.url_open(f"/construction/share/{self.token}{path}").status_code, 404)

    def test_pdf_report_draws_the_box_where_the_detection_says(self):
        for tool in ("wkhtmltopdf", "pdftoppm"):
            self.assertTrue(shutil.which(tool), f"{tool} is not installed: run bin/setup")
        # wkhtmltopdf fetches the report's styles from this test server.
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        report = self.env.ref("construction_field_evidence.action_report_site_condition")
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, self.harbor.ids
        )
        self.assertEqual((kind, pdf[:5]), ("pdf", b"%PDF-"))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "report.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            subprocess.run(
                ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", path, f"{folder}/page"],
                check=True,
                timeout=120,
            )
            (page_file,) = [name for name in os.listdir(folder) if name.endswith(".png")]
            page = Image.open(os.path.join(folder, page_file)).convert("RGB")
        area = region_of(page, PHOTO_COLOUR)
        self.assertIsNotNone(area, "the photo is not on the first page")
        width, height = area[2] - area[0] + 1, area[3] - area[1] + 1
        self.assertAlmostEqual(width / height, 800 / 600, delta=0.05)
        self.assert_box_drawn(page, area, minimum=0.9)

    def test_report_html_embeds_the_same_annotated_image_as_the_share_page(self):
        report = self.env.ref("construction_field_evidence.action_report_site_condition")
        html, _kind = report._render_qweb_html(report.report_name, self.harbor.ids)
        embedded = self.photo._annotated_image_base64().decode()
        self.assertIn(embedded, html.decode())
        served = self.url_open(f"/construction/share/{self.token}/photo/{self.photo.id}/annotated")
        self.assertEqual(served.content, self.photo._annotated_image())

    # ------------------------------------------------------------------
    # Before / during / after side by side
    # ------------------------------------------------------------------

    def test_before_during_and_after_side_by_side_per_defect(self):
        after = self.Photo._create_from_upload(
            make_image((800, 600), (90, 90, 90), exif=make_exif(description="harbor after")),
            "image/jpeg",
            {"site_id": self.harbor.id, "stage": "after"},
            self.system,
        )
        after.action_accept()
        self.defect.photo_ids = [(4, after.id)]
        for html in (
            self.page().text,
            self.env.ref("construction_field_evidence.action_report_site_condition")
            ._render_qweb_html(
                "construction_field_evidence.report_site_condition", self.harbor.ids
            )[0]
            .decode(),
        ):
            cells = re.findall(r'<td data-stage="(\w+)">(.*?)</td>', html, re.S)
            self.assertEqual([stage for stage, _cell in cells], ["before", "during", "after"])
            before, during, after_cell = (cell for _stage, cell in cells)
            self.assertIn("<img", before)
            self.assertNotIn("<img", during)
            self.assertIn("<img", after_cell)

    # ------------------------------------------------------------------
    # The client answers
    # ------------------------------------------------------------------

    def csrf_token(self, token=None):
        response = self.page(token)
        self.assertEqual(response.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def answer(self, token=None, csrf=True, **values):
        data = dict(values)
        if csrf:
            data["csrf_token"] = self.csrf_token() if csrf is True else csrf
        return self.url_open(
            f"/construction/share/{token or self.token}/answer", data=data, allow_redirects=False
        )

    def test_the_client_approves_the_scope_with_name_and_time_on_the_chatter(self):
        response = self.answer(answer="approved", client_name="Dana <b>Reyes</b>")
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/construction/share/{self.token}?answered=1", response.headers["Location"])
        self.assertIn(
            "o_construction_answer_thanks", self.url_open(response.headers["Location"]).text
        )
        self.assertEqual(
            (self.harbor.client_response, self.harbor.client_response_by),
            ("approved", "Dana <b>Reyes</b>"),
        )
        self.assertTrue(self.harbor.client_response_at)
        (answer,) = self.link.answer_ids
        self.assertEqual((answer.answer, answer.client_name), ("approved", "Dana <b>Reyes</b>"))
        note = self.harbor.message_ids[0]
        self.assertIn("Scope Approved", note.body)
        self.assertIn(f"share link #{self.link.id}", note.body)
        self.assertIn(str(answer.create_date), note.body)
        # What the client typed is text, never markup.
        self.assertIn("Dana &lt;b&gt;Reyes&lt;/b&gt;", note.body)
        self.assertNotIn("<b>Reyes", note.body)
        # The flag is what the office filters sites by.
        self.assertEqual(self.Site.search([("client_response", "=", "approved")]), self.harbor)

    def test_a_question_needs_its_text_and_is_quoted_on_the_chatter(self):
        response = self.answer(answer="question", client_name="Dana Reyes", message="  ")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Write your question.", response.text)
        # the form comes back with what the client typed
        self.assertIn('name="message"', response.text)
        self.assertIn('value="Dana Reyes"', response.text)
        self.assertFalse(self.harbor.client_response)
        response = self.answer(
            answer="question",
            client_name="Dana Reyes",
            message="Is the <script>alert(1)</script> curb included?",
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.harbor.client_response, "question")
        body = self.harbor.message_ids[0].body
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; curb included?", body)
        self.assertNotIn("<script>", body)

    def test_answers_are_refused_without_csrf_token_or_valid_link(self):
        self.assertEqual(
            self.answer(csrf=False, answer="approved", client_name="Dana").status_code, 400
        )
        self.assertEqual(
            self.answer(csrf="forged", answer="approved", client_name="Dana").status_code, 400
        )
        csrf = self.csrf_token()
        _expired, expired_url = self.Link._issue(
            {"site_id": self.harbor.id, "expires_at": fields.Datetime.now() - timedelta(minutes=1)}
        )
        revoked, revoked_url = self.Link._issue({"site_id": self.harbor.id})
        revoked.action_revoke()
        for url in (expired_url, revoked_url, "/construction/share/not-a-token"):
            with self.subTest(url=url):
                response = self.answer(
                    token=url.rsplit("/", 1)[1], csrf=csrf, answer="approved", client_name="Dana"
                )
                self.assertEqual(response.status_code, 404)
        self.assertFalse(self.harbor.client_response)
        self.assertFalse(self.env["construction.share.answer"].search([]))

    def test_answers_are_length_bounded(self):
        for values, message in (
            ({"answer": "approved", "client_name": "D" * 101}, "at most 100 characters"),
            (
                {"answer": "question", "client_name": "Dana", "message": "?" * 2001},
                "at most 2000 characters",
            ),
            ({"answer": "approved", "client_name": ""}, "Give your name"),
            ({"answer": "pay now", "client_name": "Dana"}, "Choose an answer"),
        ):
            with self.subTest(message=message):
                response = self.answer(**values)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertFalse(self.link.answer_ids)
        self.assertFalse(self.harbor.client_response)

    def test_answers_through_one_link_are_rate_limited(self):
        for _count in range(RATE_LIMIT):
            self.assertEqual(
                self.answer(answer="acknowledged", client_name="Dana").status_code, 303
            )
        response = self.answer(answer="approved", client_name="Dana")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(self.link.answer_ids), RATE_LIMIT)
        self.assertEqual(self.harbor.client_response, "acknowledged")
