from werkzeug.exceptions import TooManyRequests
from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.construction_share_answer import AnswerRateLimited

# Photo renditions a client may fetch; the original is never shared.
SIZES = {"preview": "image_preview", "thumbnail": "image_thumbnail"}
# The preview with the boxes of the confirmed defects drawn on it.
ANNOTATED = "annotated"


class ConstructionShareController(http.Controller):
    def _link_or_404(self, token):
        link = request.env["construction.share.link"]._find_valid(token)
        if not link:
            raise request.not_found()
        retry_after = link._count_request()
        if retry_after:
            raise TooManyRequests(
                "This share link took too many requests lately; try again later.",
                retry_after=retry_after,
            )
        return link

    def _render_page(self, link, token, status=200, **extra):
        values = link.site_id._share_values()
        values.update(link=link, token=token, **extra)
        response = request.render("construction_field_evidence.share_page", values, status=status)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @http.route(
        "/construction/share/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def share_page(self, token, answered=None, **_query):
        """The client's page; what else the link's query carries (a mail
        client's tracking parameters) is ignored without a warning."""
        link = self._link_or_404(token)
        link.write({"view_count": link.view_count + 1, "last_viewed_at": fields.Datetime.now()})
        return self._render_page(link, token, answered=bool(answered))

    @http.route(
        "/construction/share/<string:token>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def share_answer(self, token, answer=None, client_name=None, message=None, **_kwargs):
        """The client's answer (Odoo checks the form's CSRF token first)."""
        link = self._link_or_404(token)
        try:
            request.env["construction.share.answer"]._record(link, answer, client_name, message)
        except UserError as error:
            return self._render_page(
                link,
                token,
                status=429 if isinstance(error, AnswerRateLimited) else 400,
                answer_error=error.args[0],
                answer_values={"answer": answer, "client_name": client_name, "message": message},
            )
        return request.redirect(
            f"/construction/share/{token}?{url_encode({'answered': 1})}", code=303, local=True
        )

    @http.route(
        "/construction/share/<string:token>/photo/<int:photo_id>/<string:size>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def share_photo(self, token, photo_id, size, **_query):
        link = self._link_or_404(token)
        photo = link.site_id._shared_photos().filtered(lambda p: p.id == photo_id)
        if (size not in SIZES and size != ANNOTATED) or not photo:
            raise request.not_found()
        if size == ANNOTATED:
            return request.make_response(
                photo._annotated_image(),
                headers=[
                    ("Content-Type", "image/jpeg"),
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                ],
            )
        stream = request.env["ir.binary"]._get_stream_from(photo, SIZES[size])
        return stream.get_response(max_age=0)
