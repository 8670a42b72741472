from odoo import fields, http
from odoo.http import request

# Photo renditions a client may fetch; the original is never shared.
SIZES = {"preview": "image_preview", "thumbnail": "image_thumbnail"}


class ConstructionShareController(http.Controller):
    def _link_or_404(self, token):
        link = request.env["construction.share.link"]._find_valid(token)
        if not link:
            raise request.not_found()
        return link

    @http.route(
        "/construction/share/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def share_page(self, token):
        link = self._link_or_404(token)
        link.write({"view_count": link.view_count + 1, "last_viewed_at": fields.Datetime.now()})
        values = link.site_id._share_values()
        values.update(link=link, token=token)
        response = request.render("construction_field_evidence.share_page", values)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @http.route(
        "/construction/share/<string:token>/photo/<int:photo_id>/<string:size>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def share_photo(self, token, photo_id, size):
        link = self._link_or_404(token)
        photo = link.site_id._shared_photos().filtered(lambda p: p.id == photo_id)
        if size not in SIZES or not photo:
            raise request.not_found()
        stream = request.env["ir.binary"]._get_stream_from(photo, SIZES[size])
        return stream.get_response(max_age=0)
