import hashlib
import json
import logging
import math

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError

from ..lib import backoff
from ..lib import schema as schema_lib
from ..lib.problem import ApiError
from ..lib.vendor_http import VendorError
from .construction_sync_adapter import UnmappableError

_logger = logging.getLogger(__name__)

EXCHANGE_KINDS = [
    ("webhook", "Webhook Delivery"),
    ("pull", "Pulled Page"),
    ("fetch", "Fetched Object"),
    ("file", "Dropped File"),
]
UNMAPPED_EVENT_TYPE = "connector.unmapped"


class ConstructionSyncExchange(models.Model):
    """One webhook delivery received, one page pulled or one object fetched
    from a platform: what brought each inbox event, and what it gave."""

    _name = "construction.sync.exchange"
    _description = "Connector Exchange"
    _order = "id desc"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="system_id.company_id", store=True, index=True, precompute=True
    )
    kind = fields.Selection(EXCHANGE_KINDS, required=True, index=True)
    pull_id = fields.Many2one("construction.sync.pull", index="btree_not_null", ondelete="set null")
    resource = fields.Char()
    page = fields.Integer(help="Page number within its pull run (1 for the first).")
    request = fields.Char(help="Method and path asked of the vendor (no credential).")
    cursor = fields.Char(help="The cursor the page was asked with.")
    next_cursor = fields.Char(help="The cursor after this page.")
    vendor_event = fields.Char(help="The vendor's name for a webhook delivery, e.g. photo.created.")
    vendor_delivery = fields.Char(help="The vendor's id for the delivery or its webhook, if any.")
    body_sha256 = fields.Char("Body SHA-256", help="SHA-256 of the raw webhook body.")
    item_count = fields.Integer("Items", help="Items the vendor sent.")
    event_count = fields.Integer("New Events")
    duplicate_count = fields.Integer("Duplicates", help="Items already in the inbox.")
    unmapped_count = fields.Integer("Unmapped", help="Items kept as events to review.")
    event_ids = fields.One2many("construction.sync.event", "exchange_id", "Events")

    def _compute_display_name(self):
        labels = dict(EXCHANGE_KINDS)
        for exchange in self:
            detail = exchange.vendor_event or exchange.resource or ""
            page = f" p.{exchange.page}" if exchange.kind == "pull" else ""
            exchange.display_name = f"{labels[exchange.kind]} {detail}{page} #{exchange.id}"

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    @api.model
    def _receive_webhook(self, system, headers, body):
        """The one entry of a vendor webhook: verify, keep the delivery,
        map it to canonical events and receive them; returns the answer
        ``(status, headers, body bytes)`` the vendor expects.

        A bad signature raises ``invalid_signature`` before anything is
        written. A body the adapter cannot map is kept as an event to review
        with the reason and still acknowledged, so that the vendor does not
        count an error and disable the hook."""
        adapter = system._adapter()
        adapter._webhook_verify(system, headers, body)
        values = {
            "system_id": system.id,
            "kind": "webhook",
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        reason = None
        try:
            document = json.loads(body)
        except ValueError as error:
            reason = self.env._("The body is not JSON: %(error)s", error=error)
        else:
            if schema_lib.nul_violations(document):
                reason = self.env._("The body holds NUL characters, which no text can store.")
        if reason:
            exchange = self.create(values)
            exchange._store_unmapped(
                reason, body.decode("utf-8", "replace").replace("\x00", "\ufffd")
            )
            return adapter._webhook_answer(system, exchange)
        try:
            vendor_event, delivery, envelopes = adapter._webhook_map(system, document)
        except UnmappableError as error:
            exchange = self.create(values)
            exchange._store_unmapped(str(error), document)
        else:
            # One insert with what the mapping found; its events then point at it.
            exchange = self.create(
                dict(
                    values,
                    vendor_event=vendor_event,
                    vendor_delivery=delivery,
                    item_count=len(envelopes),
                )
            )
            exchange._ingest(envelopes)
        return adapter._webhook_answer(system, exchange)

    # ------------------------------------------------------------------
    # Fetch after notify
    # ------------------------------------------------------------------

    @api.model
    def _fetch_and_apply(self, system, event_type, external_id):
        """Fetch the object behind a canonical reference from the platform
        (one no event has brought yet), receive its events and apply them at
        once, in the job that needs the object; returns the events. Called by
        handlers, never in a request. A vendor error becomes the job's retry
        or a reason to review (:meth:`_job_error`)."""
        try:
            envelopes, request = system._adapter()._fetch(system, event_type, external_id)
        except VendorError as error:
            raise self._job_error(error) from error
        exchange = self.create(
            {
                "system_id": system.id,
                "kind": "fetch",
                "resource": event_type,
                "request": request,
                "item_count": len(envelopes),
            }
        )
        events = exchange._ingest(envelopes, enqueue=False)
        for event in events.filtered(lambda event: event.state in ("received", "queued")):
            event._apply_one()
        return events

    @api.model
    def _job_error(self, error):
        """The exception a job raises for a vendor error met while applying
        an event: a retry after the seconds the vendor asked (else backoff)
        for what may pass, a business error (the event waits for review)
        for what will not."""
        if error.retryable:
            attempt = self.env["construction.sync.event"]._current_attempt()
            seconds = getattr(error, "seconds", None)
            return RetryableJobError(
                str(error),
                seconds=math.ceil(seconds if seconds is not None else backoff.delay(attempt)),
            )
        return UserError(str(error))

    # ------------------------------------------------------------------
    # Intake of canonical events
    # ------------------------------------------------------------------

    def _ingest(self, envelopes, enqueue=True):
        """Receive canonical ``envelopes`` through the inbox's one method,
        each in its own savepoint, linked to this exchange.

        A dedupe key already in the inbox is a duplicate, never a second
        event, even when its payload differs (the first fact stays; a newer
        state of the object comes with a newer key). An envelope the inbox
        refuses is kept as an event to review with the reason. New events
        are queued at once unless ``enqueue`` is False. Returns the events
        of the envelopes, old and new."""
        self.ensure_one()
        Event = self.env["construction.sync.event"].sudo()
        events, created_events = Event, Event
        duplicates = unmapped = 0
        for index, envelope in enumerate(envelopes):
            try:
                with self.env.cr.savepoint():
                    event, created = Event._receive(
                        self.system_id, envelope, f"/{index}", enqueue=False, exchange=self
                    )
            except ApiError as error:
                if error.code == "idempotency_conflict":
                    duplicates += 1
                    events |= Event.search(
                        [
                            ("system_id", "=", self.system_id.id),
                            ("idempotency_key", "=", envelope.get("idempotency_key")),
                        ]
                    )
                    continue
                events |= self._store_unmapped(_refusal(error), envelope, refused_envelope=True)
                unmapped += 1
                continue
            events |= event
            if created:
                created_events |= event
            else:
                duplicates += 1
        self.write(
            {
                "item_count": self.item_count or len(envelopes),
                "event_count": self.event_count + len(created_events),
                "duplicate_count": self.duplicate_count + duplicates,
                "unmapped_count": self.unmapped_count + unmapped,
            }
        )
        if enqueue:
            created_events._realtime()._enqueue()
        return events

    def _store_unmapped(self, reason, body, refused_envelope=False):
        """Keep ``body`` as an event to review with ``reason``; the same
        body twice is one event. Replaying it maps the vendor's body again,
        or receives again an envelope the inbox refused
        (``refused_envelope``)."""
        self.ensure_one()
        Event = self.env["construction.sync.event"].sudo()
        payload = {
            "reason": reason,
            "vendor_event": self.vendor_event or None,
            "envelope" if refused_envelope else "body": body,
        }
        key = (
            "unmapped:"
            + hashlib.sha256(
                json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()
        )
        event, created = Event._receive(
            self.system_id,
            {"event_type": UNMAPPED_EVENT_TYPE, "idempotency_key": key, "payload": payload},
            enqueue=False,
            exchange=self,
        )
        if created:
            self.unmapped_count += 1
            event._park("unmappable", reason, 0)
        _logger.info("Exchange %s: %s kept to review: %s", self.id, self.system_id.code, reason)
        return event

    @api.model
    def _apply_unmapped(self, event):
        """Handler of ``connector.unmapped``: map the kept body again, or
        receive the refused envelope again (once the adapter, a value map or
        an event type was fixed); the events it gives are received and
        queued like any other, and linked as produced."""
        payload = event._payload()
        # Exchanges and the events they bring are the engine's bookkeeping,
        # which no handler user writes; each event brought is applied by its
        # own handler with the system's rights.
        exchange = event.exchange_id.sudo() or self.sudo().create(
            {"system_id": event.system_id.id, "kind": "webhook"}
        )
        if "envelope" in payload:
            try:
                replayed, _created = (
                    self.env["construction.sync.event"]
                    .sudo()
                    ._receive(event.system_id, payload["envelope"], exchange=exchange)
                )
            except ApiError as error:
                raise UserError(_refusal(error)) from error
            return replayed
        try:
            _vendor_event, _delivery, envelopes = event.system_id._adapter()._webhook_map(
                event.system_id, payload["body"]
            )
        except UnmappableError as error:
            raise UserError(str(error)) from error
        return exchange._ingest(envelopes)


def _refusal(error):
    """The reason the inbox refused an envelope, its pointers included."""
    return " ".join(
        [error.detail] + [f"{item['pointer']}: {item['message']}" for item in error.errors]
    )
