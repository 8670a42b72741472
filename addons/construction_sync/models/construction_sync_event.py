import hashlib
import json
import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import NamedTuple

from psycopg2 import IntegrityError, OperationalError, errorcodes

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, create_index

from ..exceptions import (
    AmbiguousReferenceError,
    LockedPeriodError,
    StaleEventError,
    UnknownReferenceError,
)
from ..lib import backoff, record_cache
from ..lib import schema as schema_lib
from ..lib.problem import EVENT_ERROR_CODES, ApiError
from ..lib.queue_once import job_waits, queue_once, take_waiting, waiting_elsewhere

_logger = logging.getLogger(__name__)

EVENT_STATES = [
    ("received", "Received"),
    ("queued", "Queued"),
    ("done", "Done"),
    ("needs_review", "Needs Review"),
    ("dead", "Dead"),
]
# PostgreSQL errors worth another try: the same work can succeed later. A
# unique violation means another worker just created the same record (the
# first event of a new external id applied twice at once); on the retry the
# event finds that record and does not create it again.
TRANSIENT_PGCODES = {
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.UNIQUE_VIOLATION,
}
# What an event is about: fixed once it is received (a Replay may apply an
# edited payload, never the same payload as another system or type).
# Received events of a grouped mode, for the one job that queues them
# (lib/queue_once.py).
QUEUE_GROUPED = "Queue grouped events"
GROUPED_WAITING = SQL(
    """
    SELECT event.id
      FROM construction_sync_event event
      JOIN construction_sync_event_type type ON type.id = event.event_type_id
      LEFT JOIN construction_sync_system_mode mode
        ON mode.system_id = event.system_id AND mode.event_type_id = event.event_type_id
     WHERE event.state = 'received' AND COALESCE(mode.mode, type.default_mode) = 'grouped'
    """
)
IMMUTABLE_FIELDS = {"system_id", "company_id", "event_type_id", "idempotency_key"}


def payload_hash(event_type_code, payload):
    canonical = json.dumps(
        {"event_type": event_type_code, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Intake(NamedTuple):
    """An envelope received, valid and admitted: what :meth:`_claim` stores."""

    event_type: models.BaseModel
    key: str
    digest: str
    envelope: dict
    version: int | None


class ConstructionSyncEvent(models.Model):
    _name = "construction.sync.event"
    _description = "Inbound Sync Event"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "idempotency_key"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    event_type_id = fields.Many2one(
        "construction.sync.event.type", required=True, index=True, ondelete="restrict"
    )
    idempotency_key = fields.Char(required=True, readonly=True)
    correlation_id = fields.Char(index=True, readonly=True)
    payload = fields.Text(readonly=True)
    payload_hash = fields.Char(readonly=True)
    occurred_at = fields.Datetime(readonly=True, help="When it happened in the field (UTC).")
    received_at = fields.Datetime(readonly=True, index=True)
    applied_at = fields.Datetime(readonly=True)
    latency_seconds = fields.Float(
        "Latency (s)",
        compute="_compute_latency_seconds",
        store=True,
        aggregator="avg",
        help="Seconds from reception to application.",
    )
    attempts = fields.Integer(readonly=True)
    state = fields.Selection(EVENT_STATES, required=True, default="received", index=True)
    schema_version = fields.Integer(
        readonly=True, help="Schema version the system declared; empty: the current one."
    )
    error_code = fields.Selection([(code, code) for code in EVENT_ERROR_CODES], readonly=True)
    error_message = fields.Text(readonly=True)
    error_locked_period = fields.Boolean(
        readonly=True, help="Parked because its date falls in a locked accounting period."
    )
    review_decision = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected")],
        readonly=True,
        copy=False,
        tracking=True,
        help="What a Sync Manager decided of a write from a system that does not own "
        "the record: accepted, it applies as if the system owned it; rejected, it "
        "changes nothing.",
    )
    reviewed_by_id = fields.Many2one("res.users", "Decided By", readonly=True, copy=False)
    reviewed_at = fields.Datetime("Decided At", readonly=True, copy=False)
    link_ids = fields.One2many("construction.sync.event.link", "event_id", "Produced Records")
    exchange_id = fields.Many2one(
        "construction.sync.exchange",
        "Brought By",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The webhook delivery, pulled page or fetch that brought the event.",
    )
    job_id = fields.Many2one(
        "queue.job",
        "Current Job",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The queue job that applies the event now: a job that failed or was "
        "found dead leaves the event dead, never waiting for ever.",
    )

    _sql_constraints = [
        (
            "idempotency_uniq",
            "unique (system_id, idempotency_key)",
            "An idempotency key is used once per system.",
        ),
    ]

    def init(self):
        """The events that wait for a person (Events to Review), newest
        first, off an index of their own: the inbox keeps one of them among
        every thirty or so applied, and walking the inbox's newest events
        for the first page read 3,500 rows for its 80 at 1,000,000 rows
        (bench/inbox_growth.py)."""
        result = super().init()
        create_index(
            self.env.cr,
            f"{self._table}_to_review_index",
            self._table,
            ["id"],
            where="state IN ('needs_review', 'dead')",
        )
        return result

    @api.depends("received_at", "applied_at")
    def _compute_latency_seconds(self):
        for event in self:
            if event.received_at and event.applied_at:
                event.latency_seconds = (event.applied_at - event.received_at).total_seconds()
            else:
                event.latency_seconds = 0.0

    def _compute_display_name(self):
        for event in self:
            event.display_name = f"{event.event_type_id.code} {event.idempotency_key}"

    # ------------------------------------------------------------------
    # Intake
    # ------------------------------------------------------------------

    @api.model
    def _receive(self, system, envelope, pointer_prefix="", enqueue=True, exchange=None):
        """The one entry point of inbound events: validate one envelope and
        store it, with its job unless ``enqueue`` is False (the caller then
        queues the new events at once). The event API, vendor webhooks and
        scheduled pulls all come in here, one envelope at a time or many
        (:meth:`_receive_many`); ``exchange`` is the webhook delivery or
        pulled page that brought it.

        Returns ``(event, created)``; ``created`` is False for a resend of a
        known idempotency key, which changes nothing. Raises
        :class:`ApiError` before anything is written.
        """
        intake = self._intake(system, envelope, pointer_prefix)
        # A grouped event asks on the way in whether the job that queues
        # grouped events waits to start (it then takes this one too).
        grouped = enqueue and intake.event_type._mode_for(system) == "grouped"
        (event,), grouped_job_waits = self._claim(
            system,
            [intake],
            exchange,
            also=job_waits(self, "_job_queue_grouped") if grouped else None,
        )
        if event is None:
            return self._resent(system, [intake])[intake.key]._resend_of(intake), False
        if enqueue:
            event._queue(grouped_job_waits)
        return event, True

    @api.model
    def _receive_many(self, system, envelopes, pointer_prefix="", exchange=None):
        """:meth:`_receive` of the ``envelopes`` of one request, delivery or
        page, none queued (the caller queues the new events together): each
        validated, the new ones inserted by one statement. Returns, per
        envelope, ``(event, created)`` or the :class:`ApiError` refusing it;
        a refused envelope writes nothing, so no savepoint is needed around
        any of them. Of two envelopes with one key, the first is received
        and the second is its resend (or refused for another payload)."""
        outcomes = []
        for index, envelope in enumerate(envelopes):
            try:
                if not isinstance(envelope, dict):
                    raise ApiError("schema_violation", "Each event must be a JSON object.")
                outcomes.append(self._intake(system, envelope, f"{pointer_prefix}/{index}"))
            except ApiError as error:
                outcomes.append(error)
        intakes = [outcome for outcome in outcomes if isinstance(outcome, Intake)]
        events = iter(self._claim(system, intakes, exchange)[0])
        claimed = [next(events) if isinstance(outcome, Intake) else None for outcome in outcomes]
        resent = self._resent(
            system,
            [
                outcome
                for outcome, event in zip(outcomes, claimed, strict=True)
                if isinstance(outcome, Intake) and event is None
            ],
        )
        results = []
        for outcome, event in zip(outcomes, claimed, strict=True):
            if not isinstance(outcome, Intake):
                results.append(outcome)
            elif event is not None:
                results.append((event, True))
            else:
                try:
                    results.append((resent[outcome.key]._resend_of(outcome), False))
                except ApiError as error:
                    results.append(error)
        return results

    @api.model
    def _intake(self, system, envelope, pointer_prefix):
        """What receiving ``envelope`` stores (:class:`Intake`), once it is
        valid and admitted (:meth:`_admit`); :class:`ApiError` otherwise."""
        problems = schema_lib.violations(schema_lib.ENVELOPE_VALIDATOR, envelope, pointer_prefix)
        if problems:
            raise ApiError("schema_violation", "The event envelope is not valid.", errors=problems)
        if envelope.get("system") and envelope["system"] != system.code:
            raise ApiError(
                "system_mismatch",
                f"This service user posts as system {system.code!r}, not {envelope['system']!r}.",
            )
        payload = envelope["payload"]
        event_type = self._admit(
            system,
            envelope["event_type"],
            payload,
            pointer_prefix,
            version=envelope.get("schema_version"),
        )
        digest = payload_hash(event_type.code, payload)
        return Intake(
            event_type,
            envelope.get("idempotency_key") or digest,
            digest,
            envelope,
            event_type._declared_version(system, envelope.get("schema_version")),
        )

    @api.model
    def _resent(self, system, intakes):
        """``{key: event}`` of the events already holding the keys of
        ``intakes``, which no insert claimed: resends of them."""
        keys = list({intake.key for intake in intakes})
        if not keys:
            return {}
        events = self.search([("system_id", "=", system.id), ("idempotency_key", "in", keys)])
        return {event.idempotency_key: event for event in events}

    def _resend_of(self, intake):
        """This event, which holds ``intake``'s key, as the answer to its
        resend; :class:`ApiError` when the key came first with another
        payload."""
        self.ensure_one()
        if self.payload_hash != intake.digest:
            raise ApiError(
                "idempotency_conflict",
                f"Idempotency key {intake.key!r} was first used with another payload "
                f"(event {self.id}).",
            )
        return self

    @api.model
    def _admit(
        self, system, event_type, payload, pointer_prefix="", payload_pointer=None, version=None
    ):
        """The inbound event type ``event_type`` (a code or a record) once
        ``system`` is known to be granted it, ``payload`` matches its schema
        and writes nothing another system owns; :class:`ApiError` otherwise.

        Every path that writes checks this before writing: events received,
        field uploads, the estimate API, and a Replay (of a payload that may
        have been edited). Problems point into the request at
        ``payload_pointer`` (``<pointer_prefix>/payload`` by default; a
        route whose body is the payload gives ``""``). ``version``: the
        schema version the system declares sending, the current one when
        empty."""
        if payload_pointer is None:
            payload_pointer = f"{pointer_prefix}/payload"
        # The engine's configuration (types, grants, rules) is read as
        # superuser: the service user asking need not be able to read it.
        if isinstance(event_type, str):
            code = event_type
            EventType = self.env["construction.sync.event.type"].sudo()
            event_type = EventType._inbound(code)
            if not event_type:
                raise ApiError(
                    "unknown_event_type",
                    f"Event type {code!r} is not known to this Odoo.",
                    errors=[{"pointer": f"{pointer_prefix}/event_type", "message": "unknown"}],
                )
        if event_type.id not in system._intake_rules()[0]:
            raise ApiError(
                "event_type_not_allowed",
                f"{system.code} may not send {event_type.code} events: an administrator "
                "grants event types per system (External Systems → Allowed Event Types).",
                errors=[{"pointer": f"{pointer_prefix}/event_type", "message": "not granted"}],
            )
        version = event_type._declared_version(system, version)
        validator = event_type._validator()
        if version and version != event_type.schema_version:
            # a version the system declares sending, not the current one
            validator = schema_lib.validator_for(event_type._version(version).payload_schema)
        problems = schema_lib.violations(validator, payload, payload_pointer)
        if problems:
            raise ApiError(
                "schema_violation",
                f"The payload does not match the schema of {event_type.code}.",
                errors=problems,
            )
        refused = self._ownership_refusals(system, event_type, payload)
        if refused and not event_type.review_foreign_writes:
            raise ApiError(
                "ownership_violation",
                " ".join(message for _field, message in refused),
                errors=[
                    {"pointer": f"{payload_pointer}/{key}".rstrip("/"), "message": msg}
                    for key, msg in refused
                ],
            )
        return event_type

    def _deprecation_headers(self):
        """``Deprecation`` (RFC 9745) and ``Sunset`` (RFC 8594) headers when
        this event was sent in a deprecated schema version; empty otherwise."""
        self.ensure_one()
        if not self.schema_version:
            return {}
        version = self.event_type_id.schema_version_ids.filtered(
            lambda record: record.version == self.schema_version and record.state == "deprecated"
        )
        if not version:
            return {}
        return {
            "Deprecation": f"@{int(version.deprecated_at.replace(tzinfo=UTC).timestamp())}",
            "Sunset": format_datetime(version.sunset_at.replace(tzinfo=UTC), usegmt=True),
        }

    @api.model
    def _record_applied(self, system, event_type_code, key, payload, records, correlation_id=None):
        """Store an event the API applied itself (a field upload, an
        estimate answered at once) as done and linked to what it produced,
        so the trail is the same as for queued events. A resend with the
        same key finds it. The caller has admitted the payload
        (:meth:`_admit`) before writing anything."""
        EventType = self.env["construction.sync.event.type"]
        event_type = EventType._inbound(event_type_code)
        digest = payload_hash(event_type_code, payload)
        envelope = {"payload": payload, "correlation_id": correlation_id}
        (event,), _also = self._claim(system, [Intake(event_type, key, digest, envelope, None)])
        if event is None:
            return self.search([("system_id", "=", system.id), ("idempotency_key", "=", key)])
        event.write({"state": "done", "applied_at": fields.Datetime.now(), "attempts": 1})
        event._link(records)
        return event

    @api.model
    def _apply_recorded(self, event):
        """Handler of event types the API applies when it receives them
        (field uploads): a replay has nothing left to do but to point at
        what the event produced."""
        return [self.env[link.res_model].browse(link.res_id).exists() for link in event.link_ids]

    @api.model
    def _ownership_refusals(self, system, event_type, payload):
        """``(payload key, message)`` of each field the payload would write
        that another system owns (the handler declares which fields each
        key writes); a rule on the whole object refuses every event."""
        model = event_type._target_model()
        if not model:
            return []
        written = event_type._written_fields(payload)
        refused = self.env["construction.sync.ownership"]._violations(system, model, set(written))
        return [(written.get(field, ""), message) for field, message in refused]

    @api.model
    def _claim(self, system, intakes, exchange=None, also=None):
        """Insert the events of ``intakes`` (:class:`Intake`) with one
        statement, linked to the ``exchange`` that brought them if any,
        unless a key is taken; returns ``(events, also)``: per intake its new
        event, or None when its key was taken (by an event before, or by an
        earlier intake of the same key), and the value of the SQL
        expression ``also`` read in the same statement (None without one).

        Raw SQL for correctness first: ``ON CONFLICT DO NOTHING`` makes
        PostgreSQL settle two simultaneous requests with the same key. Under
        Odoo's repeatable-read transactions the loser gets a serialization
        failure, Odoo retries its whole request, and the retry finds the
        winner's event and answers with it. One statement for many: a batch
        of 100 events cost 100 round trips and as many plans before.
        """
        if not intakes:
            return [], None
        now = fields.Datetime.now()
        rows, keys = [], set()
        for intake in intakes:
            if intake.key in keys:
                continue
            occurred_at = intake.envelope.get("occurred_at")
            if occurred_at:
                occurred_at = (
                    datetime.fromisoformat(occurred_at).astimezone(UTC).replace(tzinfo=None)
                )
            keys.add(intake.key)
            rows.append(
                (
                    intake,
                    intake.envelope.get("correlation_id") or str(uuid.uuid4()),
                    occurred_at or now,
                )
            )
        self.env.cr.execute(
            SQL(
                """
                WITH claimed AS (
                    INSERT INTO construction_sync_event
                        (system_id, company_id, event_type_id, idempotency_key, correlation_id,
                         payload, payload_hash, occurred_at, received_at, exchange_id,
                         schema_version, state, attempts,
                         create_uid, write_uid, create_date, write_date)
                    SELECT %(system)s, %(company)s, item.event_type_id, item.idempotency_key,
                           item.correlation_id, item.payload, item.payload_hash,
                           item.occurred_at, %(now)s, %(exchange)s, item.schema_version,
                           'received', 0, %(uid)s, %(uid)s, %(now)s, %(now)s
                      FROM unnest(%(types)s::int[], %(keys)s::varchar[],
                                  %(correlations)s::varchar[], %(payloads)s::text[],
                                  %(digests)s::varchar[], %(occurred)s::timestamp[],
                                  %(versions)s::int[])
                           AS item(event_type_id, idempotency_key, correlation_id, payload,
                                   payload_hash, occurred_at, schema_version)
                    ON CONFLICT (system_id, idempotency_key) DO NOTHING
                    RETURNING id, idempotency_key
                )
                SELECT (SELECT json_object_agg(idempotency_key, id) FROM claimed), %(also)s
                """,
                system=system.id,
                company=system.company_id.id,
                now=now,
                exchange=exchange.id if exchange else None,
                uid=self.env.uid,
                types=[intake.event_type.id for intake, _c, _o in rows],
                keys=[intake.key for intake, _c, _o in rows],
                correlations=[correlation for _i, correlation, _o in rows],
                payloads=[
                    json.dumps(intake.envelope["payload"], ensure_ascii=False)
                    for intake, _c, _o in rows
                ],
                digests=[intake.digest for intake, _c, _o in rows],
                occurred=[occurred for _i, _c, occurred in rows],
                versions=[intake.version or None for intake, _c, _o in rows],
                also=also if also is not None else SQL("NULL"),
            )
        )
        claimed, also_value = self.env.cr.fetchone()
        claimed = claimed or {}
        if claimed and exchange:
            # The insert went past the ORM: the exchange's events are read again.
            exchange.invalidate_recordset(["event_ids"])
        events = {}
        for intake, correlation_id, occurred_at in rows:
            if intake.key not in claimed:
                continue
            # What it wrote, as the ORM caches it: the answer to the request
            # reads the new event (which has produced no record yet) with no
            # query.
            events[intake.key] = record_cache.remember(
                self.browse(claimed[intake.key]),
                (
                    ("system_id", system.id),
                    ("company_id", system.company_id.id),
                    ("event_type_id", intake.event_type.id),
                    ("idempotency_key", intake.key),
                    ("correlation_id", correlation_id),
                    ("payload_hash", intake.digest),
                    ("occurred_at", occurred_at),
                    ("received_at", now),
                    ("applied_at", None),
                    ("exchange_id", exchange.id if exchange else None),
                    ("schema_version", intake.version or 0),
                    ("state", "received"),
                    ("attempts", 0),
                    ("error_code", None),
                    ("error_message", None),
                    ("review_decision", None),
                    ("link_ids", ()),
                ),
            )
        # a key's first intake has the event, a later one of the same key none
        return [events.pop(intake.key, None) for intake in intakes], also_value

    def _realtime(self):
        """The events to apply at once rather than in the scheduled drain."""
        return self.filtered(
            lambda event: event.event_type_id._mode_for(event.system_id) == "realtime"
        )

    def _queue(self, grouped_job_waits=None):
        """Queue the events to apply soon, each the way of its mode:
        real-time ones in jobs of their own (:meth:`_enqueue`), grouped
        ones by the one job that queues every grouped event waiting
        (:meth:`_job_queue_grouped`; ``grouped_job_waits``: whether it
        waits to start, when the caller asked already); batch ones wait for
        the schedule."""
        self._realtime()._enqueue()
        if any(event.event_type_id._mode_for(event.system_id) == "grouped" for event in self):
            queue_once(self, "_job_queue_grouped", QUEUE_GROUPED, grouped_job_waits)

    @api.model
    def _job_queue_grouped(self, limit=5000):
        """Queue the grouped events waiting, oldest first, up to ``limit``:
        a job per system, type and chunk of 100, so that a stream of single
        events is applied in chunks. A job with more left queues the next."""
        events = self.sudo().browse(take_waiting(self.env.cr, GROUPED_WAITING, "event", limit))
        events._enqueue()
        if len(events) == limit or (
            events and waiting_elsewhere(self.env, GROUPED_WAITING, events.ids)
        ):
            queue_once(self, "_job_queue_grouped", QUEUE_GROUPED)
        return len(events)

    def _enqueue(self, chunk_size=100):
        """Queue the events: one job per system, type and chunk, so a batch
        request costs a few jobs, not one per event; each event is still
        applied in its own savepoint."""
        groups = defaultdict(lambda: self.browse())
        for event in self:
            groups[event.system_id, event.event_type_id] |= event
        for (system, event_type), events in groups.items():
            for start in range(0, len(events), chunk_size):
                chunk = events[start : start + chunk_size]
                # The channel and retry pattern are the job function's data;
                # how many attempts an event gets is its system's setting,
                # which queue_job keeps per job only.
                job = chunk.with_delay(
                    max_retries=system.max_attempts,
                    description=f"Apply {len(chunk)} {event_type.code} from {system.code}",
                )._job_apply()
                chunk._queued_in(job)

    def _queued_in(self, job):
        """Mark the events queued in ``job`` (a queue_job ``Job``; not
        stored when jobs are trapped or run at once). One statement that
        finds the job's row by its uuid, on the path of every request that
        queues: no stored field depends on an event's state or job."""
        if not job:
            self.write({"state": "queued", "job_id": False})
            return
        self.flush_recordset(["state", "job_id"])
        self.env.cr.execute(
            """
            UPDATE construction_sync_event
               SET state = 'queued', job_id = (SELECT id FROM queue_job WHERE uuid = %s),
                   write_uid = %s, write_date = now() AT TIME ZONE 'UTC'
             WHERE id = ANY(%s)
            RETURNING job_id
            """,
            [job.uuid, self.env.uid, self.ids],
        )
        job_id = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["state", "job_id", "write_uid", "write_date"])
        # what the answer to a request reads again
        record_cache.remember(self, (("state", "queued"), ("job_id", job_id)))

    # ------------------------------------------------------------------
    # Application (queue jobs)
    # ------------------------------------------------------------------

    def _job_apply(self):
        """Apply each event, each in its own savepoint, in the order they
        happened in the field.

        The engine's bookkeeping (the event row, its links, its job) is done
        as superuser: the inbox is the engine's own table, which no handler
        user may read. The handler itself runs as its system's handler user
        (``construction.sync.system._handler_env``), never as superuser.

        A handler with a chunk variant (``<method>_chunk``) first gets the
        events of one system and type together (:meth:`_apply_chunk`); the
        events it leaves are applied one by one."""
        events = self.sudo().sorted(lambda event: (event.occurred_at, event.id))
        groups = defaultdict(lambda: self.browse())
        for event in events.filtered(lambda event: event.state in ("received", "queued")):
            groups[event.system_id, event.event_type_id] |= event
        applied = self.browse()
        for group in groups.values():
            applied |= group._apply_chunk()
        for event in events - applied:
            event._apply_one()

    def _job_apply_batch(self):
        """:meth:`_job_apply` of batch-mode events drained by the scheduled
        action: a job function of its own, so that its channel comes from
        the data like every other's."""
        return self._job_apply()

    def _apply_one(self):
        self.ensure_one()
        if self.state not in ("received", "queued"):
            return
        attempt = self._current_attempt()
        if self.event_type_id.review_foreign_writes and self.review_decision != "accepted":
            refused = self._ownership_refusals(self.system_id, self.event_type_id, self._payload())
            if refused:
                self._park(
                    "ownership_review",
                    " ".join(message for _field, message in refused),
                    attempt,
                )
                return
        handler = self.event_type_id._handler()
        handler_env = self.system_id._handler_env(self.correlation_id)
        apply = getattr(handler_env[handler.model], handler.method)
        try:
            with self.env.cr.savepoint():
                produced = apply(self)
        except StaleEventError as error:
            self._skip(str(error), attempt)
        except AmbiguousReferenceError as error:
            self._park("duplicate", str(error), attempt)
        except UnknownReferenceError as error:
            self._park("unknown_reference", str(error), attempt)
        except AccessError as error:
            self._park("access_denied", str(error), attempt)
        except LockedPeriodError as error:
            self._park("business_rule", str(error), attempt)
            self.error_locked_period = True
        except (UserError, ValidationError) as error:
            self._park("business_rule", str(error), attempt)
        except (OperationalError, IntegrityError) as error:
            if error.pgcode not in TRANSIENT_PGCODES:
                raise
            if attempt >= self.system_id.max_attempts:
                self._bury(str(error), attempt)
            else:
                raise RetryableJobError(
                    f"{errorcodes.lookup(error.pgcode)} while applying event {self.id}",
                    seconds=int(backoff.delay(attempt)),
                ) from error
        else:
            self.write(
                {
                    "state": "done",
                    "applied_at": fields.Datetime.now(),
                    "attempts": attempt,
                    "error_code": False,
                    "error_message": False,
                }
            )
            self._link(produced)

    def _apply_chunk(self):
        """Apply these events of one system and type in one go when their
        handler has a chunk variant: it returns ``{event: records}`` of the
        events it applied (a batched ``create``, one query per lookup) and
        leaves the others (a correction, an unknown reference, a locked
        period...) to :meth:`_apply_one`, which says why one by one. On any
        error the whole chunk is rolled back and every event goes one by
        one. Returns the events applied.

        The chunk runs in the system's handler environment with no single
        correlation id (each event keeps its own on the inbox row). Events of
        a type whose foreign writes wait for review are checked one by one
        (:meth:`_apply_one`)."""
        if len(self) < 2 or self[0].event_type_id.review_foreign_writes:
            return self.browse()
        handler = self[0].event_type_id._handler()
        handler_env = self[0].system_id._handler_env()
        apply_chunk = getattr(handler_env[handler.model], f"{handler.method}_chunk", None)
        if apply_chunk is None:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                produced = apply_chunk(self)
                done = self._chunk_done(produced)
        except (UserError, ValidationError, AccessError, OperationalError, IntegrityError):
            _logger.info("Chunk of %s events applied one by one instead", len(self), exc_info=True)
            return self.browse()
        return done

    def _chunk_done(self, produced):
        """Mark the events of ``produced`` (``{event: records}``) done and
        link what each produced: one write, one insert of links. No field
        of the chatter changes: the write leaves mail tracking out."""
        done = self.browse([event.id for event in produced])
        if not done:
            return done
        done.with_context(tracking_disable=True).write(
            {
                "state": "done",
                "applied_at": fields.Datetime.now(),
                "attempts": self._current_attempt(),
                "error_code": False,
                "error_message": False,
            }
        )
        self.env["construction.sync.event.link"]._insert_produced(produced)
        return done

    def _current_attempt(self):
        """1 for the first run of the current job, 2 for its first retry..."""
        uuid_ = self.env.context.get("job_uuid")
        # queue.job is the engine's bookkeeping, readable by administrators only
        job = uuid_ and self.env["queue.job"].sudo().search([("uuid", "=", uuid_)], limit=1)
        return (job.retry if job else 0) + 1

    def _park(self, code, message, attempt):
        _logger.info("Event %s needs review (%s): %s", self.id, code, message)
        self.write(
            {
                "state": "needs_review",
                "error_code": code,
                "error_message": message,
                "error_locked_period": False,
                "attempts": attempt,
            }
        )

    def _skip(self, message, attempt):
        """Done without effect: a newer fact is already applied. The code
        and message say why; the records the newer fact produced stay linked
        to the event that produced them."""
        _logger.info("Event %s skipped: %s", self.id, message)
        self.write(
            {
                "state": "done",
                "applied_at": fields.Datetime.now(),
                "error_code": "out_of_order",
                "error_message": message,
                "attempts": attempt,
            }
        )

    def _bury(self, message, attempt, code="retries_exhausted"):
        """Retries exhausted: dead, with an activity for the system's owner."""
        self.write(
            {
                "state": "dead",
                "error_code": code,
                "error_message": message,
                "attempts": attempt,
            }
        )
        if self.system_id.owner_id:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.system_id.owner_id.id,
                summary=self.env._("Sync event failed %s times", attempt),
                note=self.env._(
                    "Event %(event)s from %(system)s could not be applied: %(error)s. "
                    "Fix the cause, then replay it.",
                    event=self.display_name,
                    system=self.system_id.name,
                    error=message,
                ),
            )

    def _link(self, records):
        """Link the records produced (a recordset or a list of them)."""
        linked = {(link.res_model, link.res_id) for link in self.link_ids}
        vals_list = [
            {"event_id": self.id, "res_model": record._name, "res_id": record.id}
            for recordset in ([records] if isinstance(records, models.BaseModel) else records or [])
            for record in recordset
            if (record._name, record.id) not in linked
        ]
        if vals_list:
            self.env["construction.sync.event.link"].create(vals_list)

    def _payload(self):
        self.ensure_one()
        return json.loads(self.payload or "{}")

    # ------------------------------------------------------------------
    # Actions and scheduled work
    # ------------------------------------------------------------------

    def write(self, vals):
        fixed = IMMUTABLE_FIELDS & vals.keys()
        if fixed and not self.env.su:
            raise UserError(
                self.env._(
                    "%(fields)s of a received event never change: it stays the event its "
                    "system sent.",
                    fields=", ".join(sorted(self._fields[name].string for name in fixed)),
                )
            )
        return super().write(vals)

    def action_replay(self):
        """Queue the events again, once their payload (which a person may
        have corrected) passes the checks of a received one again: the
        system's grants, the schema and the ownership rules."""
        replayable = self.filtered(lambda event: event.state in ("needs_review", "dead"))
        if not replayable:
            raise UserError(self.env._("Only events that need review or are dead can be replayed."))
        replayable._readmit()
        # a payload edited since a write was accepted is reviewed again
        replayable.write(
            {
                "error_code": False,
                "error_message": False,
                "review_decision": False,
                "reviewed_by_id": False,
                "reviewed_at": False,
            }
        )
        replayable.activity_unlink(["mail.mail_activity_data_todo"])
        replayable._enqueue()
        return True

    def _readmit(self):
        """Check the events' payloads (which a person may have corrected)
        as a received one is checked: the system's grants, the schema and
        the ownership rules; a :class:`UserError` saying what is wrong."""
        # Checked as the engine checks a received event: as superuser, the
        # payload from whoever edited it being the only thing not trusted.
        for event in self.sudo():
            payload = event._payload()
            try:
                event._admit(
                    event.system_id, event.event_type_id, payload, version=event.schema_version
                )
            except ApiError as error:
                details = "; ".join(
                    f"{problem['pointer']}: {problem['message']}" for problem in error.errors
                )
                raise UserError(
                    self.env._(
                        "Event %(event)s cannot be replayed: %(reason)s %(details)s",
                        event=event.display_name,
                        reason=error.detail,
                        details=details,
                    )
                ) from error
            digest = payload_hash(event.event_type_id.code, payload)
            if digest != event.payload_hash:
                event.payload_hash = digest

    def _foreign_writes_to_decide(self):
        """These events, once known to be writes of a non-owner waiting for a
        Sync Manager's decision, decided by one."""
        if not self.env.user.has_group("construction_sync.group_construction_sync_manager"):
            raise AccessError(
                self.env._("Only a Sync Manager accepts or rejects a non-owner's write.")
            )
        waiting = self.filtered(
            lambda event: event.state == "needs_review" and event.error_code == "ownership_review"
        )
        if waiting != self:
            raise UserError(
                self.env._(
                    "Only writes waiting for review because another system owns the record "
                    "can be accepted or rejected."
                )
            )
        return waiting

    def action_accept_foreign_write(self):
        """Apply these writes of a system that does not own the record, as if
        it did: the same checks as a replay (grants, schema), then queued and
        applied by the same handler with the system's rights; who accepted
        them is recorded."""
        events = self._foreign_writes_to_decide()
        events._readmit()
        events.sudo().write(
            {
                "review_decision": "accepted",
                "reviewed_by_id": self.env.uid,
                "reviewed_at": fields.Datetime.now(),
                "error_code": False,
                "error_message": False,
            }
        )
        events.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        events.sudo()._enqueue()
        return True

    def action_reject_foreign_write(self):
        """Refuse these writes of a system that does not own the record: done,
        changing nothing, and who refused them is recorded."""
        events = self._foreign_writes_to_decide()
        now = fields.Datetime.now()
        events.sudo().write(
            {
                "state": "done",
                "applied_at": now,
                "review_decision": "rejected",
                "reviewed_by_id": self.env.uid,
                "reviewed_at": now,
                "error_code": "ownership_rejected",
                "error_message": self.env._(
                    "%(user)s refused the change: another system is the system of record.",
                    user=self.env.user.name,
                ),
            }
        )
        events.sudo().activity_unlink(["mail.mail_activity_data_todo"])
        return True

    @api.model
    def _cron_drain_batch(self, chunk_size=200, max_chunks=50):
        """Queue batch-mode events in chunks, one job per chunk."""
        events = self.search(
            [("state", "=", "received")], order="id", limit=chunk_size * max_chunks
        )
        for start in range(0, len(events), chunk_size):
            chunk = events[start : start + chunk_size]
            job = chunk.with_delay(
                description=f"Apply {len(chunk)} batch events",
            )._job_apply_batch()
            chunk._queued_in(job)
        return len(events)

    @api.model
    def _cron_bury_lost(self):
        """Events still queued whose job failed or was cancelled: dead, with
        the job's error and an activity for the system owner, to be replayed.

        queue_job's runner gives a job whose worker died (killed, out of
        memory, past its time limit) back to the queue, and marks it failed
        (``JobFoundDead``) once it has died more often than it may retry; a
        job also fails on an error no handler turned into review or retry.
        Neither passes through the events, which would wait for ever."""
        events = self.search(
            [("state", "=", "queued"), ("job_id.state", "in", ["failed", "cancelled"])]
        )
        for event in events:
            job = event.job_id
            event._bury(
                job._construction_failure_reason(),
                max(event.attempts, job.retry),
                code="job_failed",
            )
        return len(events)

    @api.model
    def _retention_held_ids(self, projects):
        """Ids of the events a legal hold on ``projects`` keeps: those naming
        one of them and those that produced a record of one of them."""
        if not projects:
            return set()
        held = {i for ids in projects._construction_event_ids().values() for i in ids}
        held.update(self.env["construction.sync.event.link"]._of_projects(projects).event_id.ids)
        return held

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the events applied before ``cutoff``, their payloads and
        links with them; events that wait, need review or are dead stay
        until a person deals with them, and so do those of projects on
        legal hold."""
        held = self._retention_held_ids(held_projects)
        return self.env["construction.sync.purge"]._in_batches(
            self,
            [("state", "=", "done"), ("applied_at", "<", cutoff), ("id", "not in", list(held))],
            batch_size,
            max_batches,
        )
