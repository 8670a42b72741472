import base64
import hashlib
import json
import logging
import math

import psycopg2
from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

from ..lib import backoff
from ..lib import schema as schema_lib
from ..lib.problem import ApiError
from ..lib.queue_once import job_waits, queue_once, take_waiting, waiting_elsewhere
from ..lib.vendor_http import VendorError
from .construction_sync_adapter import UnmappableError
from .construction_sync_event import TRANSIENT_PGCODES

_logger = logging.getLogger(__name__)

EXCHANGE_KINDS = [
    ("webhook", "Webhook Delivery"),
    ("pull", "Pulled Page"),
    ("fetch", "Fetched Object"),
    ("file", "Dropped File"),
]
UNMAPPED_EVENT_TYPE = "connector.unmapped"
# The job that maps webhook deliveries acknowledged first (lib/queue_once.py).
MAP_WAITING = "Map waiting webhook deliveries"
WAITING = SQL(
    "SELECT exchange.id FROM construction_sync_exchange exchange"
    " WHERE exchange.waiting_body IS NOT NULL"
)


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
    waiting_body = fields.Binary(
        attachment=False,
        copy=False,
        help="The raw body of a delivery acknowledged first, kept until its job maps it.",
    )
    item_count = fields.Integer("Items", help="Items the vendor sent.")
    event_count = fields.Integer("New Events")
    duplicate_count = fields.Integer("Duplicates", help="Items already in the inbox.")
    unmapped_count = fields.Integer("Unmapped", help="Items kept as events to review.")
    event_ids = fields.One2many("construction.sync.event", "exchange_id", "Events")

    def init(self):
        # The mapping job finds the few deliveries still waiting among many.
        create_index(
            self.env.cr,
            "construction_sync_exchange_waiting_index",
            self._table,
            ["id"],
            where="waiting_body IS NOT NULL",
        )

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
        count an error and disable the hook. A system that acknowledges
        first (``webhook_intake``) keeps the verified body and leaves the
        mapping to :meth:`_job_map_waiting`."""
        adapter = system._adapter()
        adapter._webhook_verify(system, headers, body)
        values = {
            "system_id": system.id,
            "kind": "webhook",
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        if system.webhook_intake == "job":
            exchange, waits = self._keep_waiting(values, body)
            queue_once(self, "_job_map_waiting", MAP_WAITING, waits)
        else:
            exchange = self.create(values)
            exchange._map_body(body)._queue()
        return adapter._webhook_answer(system, exchange)

    @api.model
    def _keep_waiting(self, values, body):
        """Insert the delivery of ``values`` with its raw ``body`` waiting
        to be mapped; returns it, and whether a mapping job waits to start
        (:func:`~odoo.addons.construction_sync.lib.queue_once.job_waits`).
        Raw SQL, one statement for both, for speed: this is all a delivery
        acknowledged first costs, on the path of every webhook."""
        system = self.env["construction.sync.system"].browse(values["system_id"])
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH kept AS (
                    INSERT INTO construction_sync_exchange
                        (system_id, company_id, kind, body_sha256, waiting_body,
                         item_count, event_count, duplicate_count, unmapped_count,
                         create_uid, write_uid, create_date, write_date)
                    VALUES (%s, %s, %s, %s, %s, 0, 0, 0, 0, %s, %s, %s, %s)
                    RETURNING id
                )
                SELECT id, %s FROM kept
                """,
                system.id,
                system.company_id.id,
                values["kind"],
                values["body_sha256"],
                # stored as the ORM stores a binary field: base64
                psycopg2.Binary(base64.b64encode(body)),
                self.env.uid,
                self.env.uid,
                now,
                now,
                job_waits(self, "_job_map_waiting"),
            )
        )
        exchange_id, waits = self.env.cr.fetchone()
        return self.browse(exchange_id), waits

    @api.model
    def _cron_map_waiting(self):
        """Queue the mapping job when deliveries wait that no job will map."""
        if self.search_count([("waiting_body", "!=", False)], limit=1):
            queue_once(self, "_job_map_waiting", MAP_WAITING)

    def _map_body(self, body):
        """Map the raw ``body`` of this webhook delivery to canonical events
        and receive them (:meth:`_receive_envelopes`); returns the new
        events, for the caller to queue. A body that is not JSON, or that
        the adapter cannot map, is kept as an event to review."""
        self.ensure_one()
        reason = None
        try:
            document = json.loads(body)
        except ValueError as error:
            reason = self.env._("The body is not JSON: %(error)s", error=error)
        else:
            if schema_lib.nul_violations(document):
                reason = self.env._("The body holds NUL characters, which no text can store.")
        if reason:
            self._store_unmapped(reason, _as_text(body))
            return self.env["construction.sync.event"]
        try:
            vendor_event, delivery, envelopes = self.system_id._adapter()._webhook_map(
                self.system_id, document
            )
        except UnmappableError as error:
            self._store_unmapped(str(error), document)
            return self.env["construction.sync.event"]
        found = {"vendor_event": vendor_event, "vendor_delivery": delivery}
        return self._receive_envelopes(envelopes, found)[1]

    def _job_map_waiting(self, limit=500):
        """Map the webhook deliveries acknowledged first, oldest first, up
        to ``limit`` of them; their new events are then queued together, a
        job per system, type and chunk. A job with more left queues the
        next. Another job mapping at the same time skips the deliveries
        this one holds."""
        exchanges = self.sudo().browse(take_waiting(self.env.cr, WAITING, "exchange", limit))
        created = self.env["construction.sync.event"].sudo()
        for exchange in exchanges:
            created |= exchange._map_waiting_body()
        exchanges.write({"waiting_body": False})
        created._queue()
        if len(exchanges) == limit or (
            exchanges and waiting_elsewhere(self.env, WAITING, exchanges.ids)
        ):
            queue_once(self, "_job_map_waiting", MAP_WAITING)
        return len(exchanges)

    def _map_waiting_body(self):
        """:meth:`_map_body` of this delivery's waiting body, in a savepoint:
        a body whose mapping fails (a defect of the adapter, which in the
        request would have answered 500 for the platform to send again) is
        kept as an event to review with the error, and does not hold the
        deliveries behind it. A transient database error retries the job."""
        self.ensure_one()
        body = base64.b64decode(self.waiting_body)
        try:
            with self.env.cr.savepoint():
                return self._map_body(body)
        except OperationalError as error:
            if error.pgcode in TRANSIENT_PGCODES:
                raise
            failure = error
        except Exception as error:  # any defect of one adapter
            failure = error
        _logger.error("Exchange %s: mapping the waiting body failed", self.id, exc_info=failure)
        reason = self.env._("Mapping the delivery failed: %(error)s", error=failure)
        self._store_unmapped(reason, _as_text(body))
        return self.env["construction.sync.event"]

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
        """Receive canonical ``envelopes`` (:meth:`_receive_envelopes`);
        new events are queued at once unless ``enqueue`` is False. Returns
        the events of the envelopes, old and new."""
        events, created_events = self._receive_envelopes(envelopes)
        if enqueue:
            created_events._queue()
        return events

    def _receive_envelopes(self, envelopes, found=None):
        """Receive canonical ``envelopes`` through the inbox's one method
        (its form for many, ``_receive_many``), linked to this exchange,
        and count them on it along with what the
        mapping ``found`` (vendor names); returns ``(events of the
        envelopes, the new ones among them)``.

        A dedupe key already in the inbox is a duplicate, never a second
        event, even when its payload differs (the first fact stays; a newer
        state of the object comes with a newer key). An envelope the inbox
        refuses is kept as an event to review with the reason."""
        self.ensure_one()
        Event = self.env["construction.sync.event"].sudo()
        events, created_events = Event, Event
        duplicates = unmapped = 0
        outcomes = Event._receive_many(self.system_id, envelopes, exchange=self)
        for envelope, outcome in zip(envelopes, outcomes, strict=True):
            if isinstance(outcome, ApiError):
                if outcome.code == "idempotency_conflict":
                    duplicates += 1
                    events |= Event.search(
                        [
                            ("system_id", "=", self.system_id.id),
                            ("idempotency_key", "=", envelope.get("idempotency_key")),
                        ]
                    )
                    continue
                events |= self._store_unmapped(_refusal(outcome), envelope, refused_envelope=True)
                unmapped += 1
                continue
            event, created = outcome
            events |= event
            if created:
                created_events |= event
            else:
                duplicates += 1
        self.write(
            dict(
                found or {},
                item_count=self.item_count or len(envelopes),
                event_count=self.event_count + len(created_events),
                duplicate_count=self.duplicate_count + duplicates,
                unmapped_count=self.unmapped_count + unmapped,
            )
        )
        return events, created_events

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


def _as_text(body):
    """A raw body as text a database can store, whatever its bytes."""
    return body.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _refusal(error):
    """The reason the inbox refused an envelope, its pointers included."""
    return " ".join(
        [error.detail] + [f"{item['pointer']}: {item['message']}" for item in error.errors]
    )
