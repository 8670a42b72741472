import contextlib
import time

from odoo import models
from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.addons.construction_sync.lib.vendor_http import VendorRefused
from odoo.addons.construction_sync.models.construction_sync_adapter import (
    PulledPage,
    UnmappableError,
)
from odoo.exceptions import UserError

from ..lib import feed, webhook

ENGINE_HOURS = "engine_hours"
# Samsara's documented budget of the equipment stats feed: 150 requests a
# second per organization (API reference, "Follow a feed of equipment stats").
REQUESTS_PER_MINUTE = 150 * 60


class ConstructionSyncAdapterSamsara(models.AbstractModel):
    """Samsara in its own dialect: engine hours pulled from the equipment
    stats feed with its ``after`` cursor, and webhooks verified by Samsara's
    signature. Samsara is reached at the system's Base URL with its API
    token as bearer (an API token with *Read Equipment Statistics*)."""

    _name = "construction.sync.adapter.samsara"
    _inherit = "construction.sync.adapter"
    _description = "Samsara Adapter"

    def _pull_resources(self):
        return [(ENGINE_HOURS, self.env._("Engine hours (equipment stats feed)"))]

    def _event_type_codes(self):
        return [*super()._event_type_codes(), "equipment.usage.recorded", "equipment.usage.anomaly"]

    def _requests_per_minute(self):
        return REQUESTS_PER_MINUTE

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def _call(self, system, method, path, params=None, json=None):
        """A Samsara request with the system's token; the answer's JSON."""
        base = (system.base_url or "https://api.samsara.com").rstrip("/")
        response = system._vendor_http(
            method, base + path, params=params, json=json, headers=self._bearer_headers(system)
        )
        return response.document(f"{method} {path}")

    def _test_connection(self, system):
        """Samsara's who-am-I: ``GET /me``, the token's organization."""
        organization = self._call(system, "GET", "/me").get("data") or {}
        return self.env._(
            "Connected to the Samsara organization %(name)s (id %(id)s).",
            name=organization.get("name") or "?",
            id=organization.get("id") or "?",
        )

    # ------------------------------------------------------------------
    # Pulls
    # ------------------------------------------------------------------

    def _pull_start_cursor(self, pull, since):
        if since:
            raise UserError(
                self.env._(
                    "Samsara's equipment stats feed starts from the latest readings and "
                    "cannot go back to a date: run the pull instead of a backfill."
                )
            )
        return super()._pull_start_cursor(pull, since)

    def _pull_page(self, pull, cursor):
        """One page of the equipment stats feed after ``cursor``; its
        readings become usage and anomaly events and move each asset's
        meter forward in the page's transaction. The run is done when
        Samsara has no next page ready; the next run starts at the page's
        ``endCursor``."""
        system = pull.system_id
        params = {"types": ",".join(feed.ENGINE_SECONDS_TYPES)}
        if cursor:
            params["after"] = cursor
        body = self._call(system, "GET", feed.FEED_PATH, params)
        try:
            page = feed.parse_page(body)
        except feed.FeedError as error:
            raise VendorRefused(
                f"GET {feed.FEED_PATH} answered a page of another shape: {error}", 200
            ) from None
        envelopes = self.env["construction.samsara.asset"]._take_page(system, page.assets)
        return PulledPage(
            envelopes=envelopes,
            cursor=page.end_cursor or cursor,
            done=not page.has_next_page,
            item_count=len(page.assets),
            request=f"GET {feed.FEED_PATH}?types={params['types']}"
            + (f"&after={cursor}" if cursor else ""),
        )

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def _webhook_verify(self, system, headers, body):
        secret = system.sudo().webhook_secret
        if not secret:
            raise ApiError(
                "invalid_signature",
                f"{system.code} has no webhook secret key: nothing can be verified.",
            )
        try:
            webhook.verify(
                secret,
                headers.get(webhook.TIMESTAMP_HEADER),
                headers.get(webhook.SIGNATURE_HEADER),
                body,
                now=time.time(),
            )
        except webhook.SignatureError as error:
            raise ApiError(error.code, str(error)) from None
        except ValueError as error:
            raise ApiError("invalid_signature", str(error)) from None

    def _webhook_register(self, system, url, token):
        """``POST /webhooks`` with the system's URL (API reference "Create a
        webhook"; the token needs *Write Webhooks*). Samsara makes the secret
        key itself and answers it with the webhook's id: ``token`` is unused.
        The subscription it replaces is deleted."""
        created = self._call(
            system, "POST", "/webhooks", json={"name": f"Odoo: {system.name}"[:255], "url": url}
        )
        webhook_id, secret = str(created.get("id") or ""), created.get("secretKey")
        if not webhook_id or not secret:
            raise VendorRefused("POST /webhooks answered no id and secretKey", 200)
        previous = system.webhook_external_id
        if previous and previous != webhook_id:
            # already deleted at Samsara: nothing left to replace
            with contextlib.suppress(VendorRefused):
                self._call(system, "DELETE", f"/webhooks/{previous}")
        return webhook_id, secret

    def _webhook_map(self, system, document):
        """A Samsara webhook (``eventId``, ``eventType`` and its event)
        carries no engine hours: it is acknowledged, and anything but a
        ``Ping`` starts an engine-hours pull, which brings what changed."""
        if not isinstance(document, dict) or not document.get("eventType"):
            raise UnmappableError(
                self.env._("A Samsara webhook has an eventId and an eventType; this one has not.")
            )
        event_type = str(document["eventType"])
        if event_type != "Ping":
            pull = system.pull_ids.filtered(lambda pull: pull.resource == ENGINE_HOURS)
            pull.filtered(lambda pull: pull.active and pull.state != "running")._start()
        return event_type, str(document.get("eventId") or "") or None, []
