"""Vendor webhooks: each platform posts in its own dialect to its system's URL.

No bearer key: the platform signs the raw body its own way, and its adapter
verifies the signature before anything is written. The route parses, calls
the one model method and answers what the vendor expects.
"""

from odoo import http
from odoo.http import request

from .api import api_route, max_bytes, raw_body

MAX_WEBHOOK_BYTES = 1024 * 1024


class ConnectorWebhooks(http.Controller):
    @api_route("/webhooks/<string:webhook_uuid>", ["POST"], auth="none", readonly=False)
    def vendor_webhook(self, webhook_uuid):
        body = raw_body(max_bytes("construction_sync.max_webhook_bytes", MAX_WEBHOOK_BYTES))
        env = request.env(su=True)
        system = env["construction.sync.system"]._for_webhook(webhook_uuid)
        status, headers, answer = env["construction.sync.exchange"]._receive_webhook(
            system, request.httprequest.headers, body
        )
        return request.make_response(answer, headers=list(headers.items()), status=status)
