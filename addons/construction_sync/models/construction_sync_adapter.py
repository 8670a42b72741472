from dataclasses import dataclass, field

from odoo import models
from odoo.exceptions import UserError


class UnmappableError(Exception):
    """The adapter cannot turn a vendor's body into canonical events; the
    body is kept as an event to review with this reason, and acknowledged."""


@dataclass
class PulledPage:
    """What an adapter's ``_pull_page`` returns.

    ``envelopes``: canonical event envelopes of the page's items (each with
    its dedupe ``idempotency_key``); ``cursor``: where the next page starts,
    or, when ``done``, where the next run starts (the vendor's cursor or a
    high-water mark); ``item_count``: items the vendor sent; ``request``:
    method and path asked (no credential), kept on the page's exchange;
    ``unmapped``: ``(reason, item)`` of the items the adapter could not map,
    kept as events to review."""

    envelopes: list
    cursor: object
    done: bool
    item_count: int = 0
    request: str = ""
    unmapped: list = field(default_factory=list)


class ConstructionSyncAdapter(models.AbstractModel):
    """What a platform's adapter implements; one AbstractModel per platform.

    A platform addon adds its code to ``construction.sync.system.platform``
    (``selection_add``) and defines ``construction.sync.adapter.<code>``
    inheriting this model. Every method takes the system as its first
    argument; the hub calls them, the adapter never writes the inbox itself:
    it returns envelopes, which the hub receives through the one inbox
    method (``construction.sync.event._receive``).
    """

    _name = "construction.sync.adapter"
    _description = "Platform Adapter"

    # ------------------------------------------------------------------
    # Description
    # ------------------------------------------------------------------

    def _pull_resources(self):
        """``[(resource code, label)]`` this platform can be pulled for."""
        return []

    def _event_type_codes(self):
        """Canonical event types this adapter emits: the grants a system of
        this platform needs."""
        return ["connector.unmapped"]

    def _requests_per_minute(self):
        """The vendor's documented request budget (0: none)."""
        return 0

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def _webhook_verify(self, system, headers, body):
        """Raise ``ApiError('invalid_signature')`` unless ``body`` (raw
        bytes) carries the vendor's valid signature; compare in constant
        time. By default a platform has no webhooks."""
        raise UserError(self.env._("%(platform)s sends no webhooks.", platform=system.platform))

    def _webhook_map(self, system, document):
        """``(vendor event name, delivery id or None, [envelopes])`` for a
        verified JSON ``document``; raise :class:`UnmappableError` with the
        reason when it cannot."""
        raise UnmappableError(self.env._("This platform's webhooks are not mapped."))

    def _webhook_answer(self, system, exchange):
        """``(status, headers, body bytes)`` the vendor expects back."""
        return 200, {"Content-Type": "application/json"}, b'{"status": "received"}'

    def _webhook_register(self, system, url, token):
        """Subscribe ``url`` at the vendor, signed with ``token``; return
        the vendor's webhook id, or ``(id, secret)`` when the vendor makes
        the signing secret itself (``token`` is then unused).
        ``system.webhook_external_id`` is the subscription to replace, if any."""
        raise UserError(
            self.env._(
                "%(platform)s webhooks cannot be registered from Odoo.", platform=system.platform
            )
        )

    # ------------------------------------------------------------------
    # Pulls and fetches
    # ------------------------------------------------------------------

    def _pull_start_cursor(self, pull, since):
        """The cursor a run starts from: from ``since`` (a datetime, UTC)
        for a backfill, else from the stored cursor (``None`` the first time)."""
        return pull._cursor_value()

    def _pull_page(self, pull, cursor):
        """Fetch one page at ``cursor`` and return a :class:`PulledPage`."""
        raise UserError(
            self.env._("%(platform)s cannot be pulled.", platform=pull.system_id.platform)
        )

    def _fetch(self, system, event_type, external_id):
        """``(envelopes, request)``: the envelopes of the one object behind a
        canonical reference (``event_type`` names what is wanted, e.g.
        ``site.upserted`` for the platform's project ``external_id``) and the
        method and path asked. Called by handlers for a reference no event
        has brought yet, in their job."""
        raise UserError(
            self.env._(
                "%(platform)s cannot fetch a single %(what)s.",
                platform=system.platform,
                what=event_type,
            )
        )

    def _fetch_details(self, system, event_type, payload):
        """What a notification did not carry (fetch after notify), as payload
        keys to add, e.g. a photo's tags; called by the handler of
        ``event_type`` in its job. Nothing by default."""
        return {}

    def _test_connection(self, system):
        """A sentence saying who the credentials are at the vendor."""
        raise UserError(
            self.env._("%(platform)s has no connection test.", platform=system.platform)
        )

    # ------------------------------------------------------------------
    # Helpers for adapters
    # ------------------------------------------------------------------

    def _bearer_headers(self, system):
        """JSON request headers with the system's API token as bearer; a
        system without a token is told to get one first."""
        token = system.sudo().api_token
        if not token:
            raise UserError(
                self.env._(
                    "Set the API token of %(system)s (Connector tab, administrators) first.",
                    system=system.name,
                )
            )
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
