import hashlib
import json
import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from psycopg2 import IntegrityError, OperationalError, errorcodes

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError

from ..lib import backoff
from ..lib import schema as schema_lib
from ..lib.problem import EVENT_ERROR_CODES, ApiError

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


class UnknownReferenceError(UserError):
    """An external reference with no binding or value map: the event waits
    for a person to add the mapping and replay it."""


class StaleEventError(UserError):
    """The event is older than the last one applied to the same object: it
    is skipped, never applied over the newer fact."""


def payload_hash(event_type_code, payload):
    canonical = json.dumps(
        {"event_type": event_type_code, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    error_code = fields.Selection([(code, code) for code in EVENT_ERROR_CODES], readonly=True)
    error_message = fields.Text(readonly=True)
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
        """Validate one envelope and store it, with its job unless
        ``enqueue`` is False (the caller then queues the new events at once).
        ``exchange`` is the webhook delivery or pulled page that brought it.

        Returns ``(event, created)``; ``created`` is False for a resend of a
        known idempotency key, which changes nothing. Raises
        :class:`ApiError` before anything is written.
        """
        problems = schema_lib.violations(schema_lib.ENVELOPE_VALIDATOR, envelope, pointer_prefix)
        if problems:
            raise ApiError("schema_violation", "The event envelope is not valid.", errors=problems)
        if envelope.get("system") and envelope["system"] != system.code:
            raise ApiError(
                "system_mismatch",
                f"This service user posts as system {system.code!r}, not {envelope['system']!r}.",
            )
        EventType = self.env["construction.sync.event.type"]
        event_type = EventType.browse(EventType._inbound_id(envelope["event_type"]))
        if not event_type:
            raise ApiError(
                "unknown_event_type",
                f"Event type {envelope['event_type']!r} is not known to this Odoo.",
                errors=[{"pointer": f"{pointer_prefix}/event_type", "message": "unknown"}],
            )
        payload = envelope["payload"]
        problems = schema_lib.violations(
            event_type._validator(), payload, f"{pointer_prefix}/payload"
        )
        if problems:
            raise ApiError(
                "schema_violation",
                f"The payload does not match the schema of {event_type.code}.",
                errors=problems,
            )
        refused = self._ownership_refusals(system, event_type, payload)
        if refused:
            raise ApiError(
                "ownership_violation",
                " ".join(message for _field, message in refused),
                errors=[
                    {"pointer": f"{pointer_prefix}/payload/{field}".rstrip("/"), "message": msg}
                    for field, msg in refused
                ],
            )
        digest = payload_hash(event_type.code, payload)
        key = envelope.get("idempotency_key") or digest
        event = self._claim(system, event_type, key, digest, envelope)
        if event is None:
            existing = self.search(
                [("system_id", "=", system.id), ("idempotency_key", "=", key)], limit=1
            )
            if existing.payload_hash != digest:
                raise ApiError(
                    "idempotency_conflict",
                    f"Idempotency key {key!r} was first used with another payload "
                    f"(event {existing.id}).",
                )
            return existing, False
        if exchange:
            event.exchange_id = exchange
        if enqueue and event._realtime():
            event._enqueue()
        return event, True

    @api.model
    def _record_applied(self, system, event_type_code, key, payload, records, correlation_id=None):
        """Store an event the API applied itself (a field upload answered at
        once) as done and linked to what it produced, so the trail is the
        same as for queued events. A resend with the same key finds it."""
        EventType = self.env["construction.sync.event.type"]
        event_type = EventType.browse(EventType._inbound_id(event_type_code))
        digest = payload_hash(event_type_code, payload)
        envelope = {"payload": payload, "correlation_id": correlation_id}
        event = self._claim(system, event_type, key, digest, envelope)
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
        if not event_type.target_model_id:
            return []
        return self.env["construction.sync.ownership"]._violations(
            system, event_type.target_model_id.model, set(payload)
        )

    @api.model
    def _claim(self, system, event_type, key, digest, envelope):
        """Insert the event unless its idempotency key is taken; None then.

        Raw SQL for correctness, not speed: ``ON CONFLICT DO NOTHING`` makes
        PostgreSQL settle two simultaneous requests with the same key. Under
        Odoo's repeatable-read transactions the loser gets a serialization
        failure, Odoo retries its whole request, and the retry finds the
        winner's event and answers with it.
        """
        now = fields.Datetime.now()
        occurred_at = envelope.get("occurred_at")
        if occurred_at:
            occurred_at = datetime.fromisoformat(occurred_at).astimezone(UTC).replace(tzinfo=None)
        self.env.cr.execute(
            """
            INSERT INTO construction_sync_event
                (system_id, company_id, event_type_id, idempotency_key, correlation_id,
                 payload, payload_hash, occurred_at, received_at, state, attempts,
                 create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'received', 0, %s, %s, %s, %s)
            ON CONFLICT (system_id, idempotency_key) DO NOTHING
            RETURNING id
            """,
            (
                system.id,
                system.company_id.id,
                event_type.id,
                key,
                envelope.get("correlation_id") or str(uuid.uuid4()),
                json.dumps(envelope["payload"], ensure_ascii=False),
                digest,
                occurred_at or now,
                now,
                self.env.uid,
                self.env.uid,
                now,
                now,
            ),
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else None

    def _realtime(self):
        """The events to apply at once rather than in the scheduled drain."""
        return self.filtered(
            lambda event: event.event_type_id._mode_for(event.system_id) == "realtime"
        )

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
                job = chunk.with_delay(
                    channel=event_type.channel or "root.construction_inbound",
                    max_retries=system.max_attempts,
                    description=f"Apply {len(chunk)} {event_type.code} from {system.code}",
                )._job_apply()
                chunk._queued_in(job)

    def _queued_in(self, job):
        """Mark the events queued in ``job`` (a queue_job ``Job``; not
        stored when jobs are trapped or run at once)."""
        self.write({"state": "queued", "job_id": job.db_record().id if job else False})

    # ------------------------------------------------------------------
    # Application (queue jobs)
    # ------------------------------------------------------------------

    def _job_apply(self):
        """Apply each event, each in its own savepoint, as the superuser: the
        service user was authenticated and the ownership rules checked when
        the event was received; the handler decides what it may touch.
        Events are applied in the order they happened in the field."""
        for event in self.sudo().sorted(lambda event: (event.occurred_at, event.id)):
            event._apply_one()

    def _apply_one(self):
        self.ensure_one()
        if self.state not in ("received", "queued"):
            return
        attempt = self._current_attempt()
        event_type = self.event_type_id
        handler = getattr(
            self.env[event_type.handler_model]
            .sudo()
            .with_context(
                construction_sync_origin_system=self.system_id.id,
                construction_sync_correlation_id=self.correlation_id,
            ),
            event_type.handler_method,
        )
        try:
            with self.env.cr.savepoint():
                produced = handler(self)
        except StaleEventError as error:
            self._skip(str(error), attempt)
        except UnknownReferenceError as error:
            self._park("unknown_reference", str(error), attempt)
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

    def _current_attempt(self):
        """1 for the first run of the current job, 2 for its first retry..."""
        uuid_ = self.env.context.get("job_uuid")
        job = uuid_ and self.env["queue.job"].sudo().search([("uuid", "=", uuid_)], limit=1)
        return (job.retry if job else 0) + 1

    def _park(self, code, message, attempt):
        _logger.info("Event %s needs review (%s): %s", self.id, code, message)
        self.write(
            {
                "state": "needs_review",
                "error_code": code,
                "error_message": message,
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

    # ------------------------------------------------------------------
    # Helpers for handlers
    # ------------------------------------------------------------------

    def _payload(self):
        self.ensure_one()
        return json.loads(self.payload or "{}")

    def _map_value(self, kind, external_value, pointer):
        """The Odoo record a system's value stands for, or UnknownReferenceError."""
        self.ensure_one()
        value_map = self.env["construction.sync.value.map"]._lookup(
            self.system_id, kind, external_value
        )
        if not value_map:
            raise UnknownReferenceError(
                self.env._(
                    "Unknown %(kind)s %(value)r at %(pointer)s from %(system)s: add a value "
                    "map (Synchronization → Value Maps), then replay the event.",
                    kind=kind,
                    value=external_value,
                    pointer=pointer,
                    system=self.system_id.name,
                )
            )
        return value_map.internal_reference or value_map.internal_value

    def _bound_record(self, model, external_id):
        self.ensure_one()
        return self.env["construction.sync.binding"]._lookup(self.system_id, model, external_id)

    def _reference(self, model, external_value, pointer, kind=None, fallback=None):
        """The record of ``model`` a system's reference stands for: its
        binding, else its value map of ``kind``, else the first record of the
        ``fallback`` domain; UnknownReferenceError when none matches."""
        self.ensure_one()
        _binding, record = self._bound_record(model, external_value)
        if record:
            return record
        if kind:
            value_map = self.env["construction.sync.value.map"]._lookup(
                self.system_id, kind, external_value
            )
            if value_map.internal_reference:
                return value_map.internal_reference
        if fallback:
            record = self.env[model].search(fallback, limit=1)
            if record:
                return record
        raise UnknownReferenceError(
            self.env._(
                "Unknown %(model)s %(value)r at %(pointer)s from %(system)s: bind it or add "
                "a value map (Synchronization → Value Maps), then replay the event.",
                model=self.env[model]._description,
                value=external_value,
                pointer=pointer,
                system=self.system_id.name,
            )
        )

    def _source_entry(self, model):
        """``(payload, source entry id, binding, record)`` of an event about
        one source entry (a labor, usage or consumption record), its
        binding locked and the event checked to be no older than the last
        one applied through it."""
        self.ensure_one()
        data = self._payload()
        entry = data["source_entry_id"]
        binding, record = self._bound_record(model, entry)
        self._lock_binding(binding)
        self._check_sequence(binding)
        return data, entry, binding, record

    def _check_sequence(self, binding):
        """Raise StaleEventError when a newer event than this one was
        applied through ``binding`` already."""
        self.ensure_one()
        if binding and binding.source_occurred_at and self.occurred_at < binding.source_occurred_at:
            raise StaleEventError(
                self.env._(
                    "Skipped: this event happened at %(occurred)s UTC, before the one already "
                    "applied to %(external)s (%(applied)s UTC). An older fact never undoes "
                    "a newer one.",
                    occurred=self.occurred_at,
                    external=binding.external_id,
                    applied=binding.source_occurred_at,
                )
            )

    def _lock_binding(self, binding):
        """Lock the binding row so that two workers applying events of the
        same object take turns. Raw SQL: the ORM has no row lock; NOWAIT
        turns a busy row into a transient error the job retries."""
        if binding:
            self.env.cr.execute(
                "SELECT id FROM construction_sync_binding WHERE id = %s FOR UPDATE NOWAIT",
                [binding.id],
            )

    def _bind(self, binding, record, external_id):
        """Create or refresh the binding of ``record`` to ``external_id``,
        remembering when the fact applied through it happened."""
        self.ensure_one()
        vals = {
            "res_id": record.id,
            "sync_hash": self.payload_hash,
            "synced_at": fields.Datetime.now(),
            "source_occurred_at": self.occurred_at,
        }
        if binding:
            binding.write(vals)
            return binding
        return self.env["construction.sync.binding"].create(
            dict(
                vals,
                system_id=self.system_id.id,
                res_model=record._name,
                external_id=external_id,
            )
        )

    # ------------------------------------------------------------------
    # Actions and scheduled work
    # ------------------------------------------------------------------

    def action_replay(self):
        replayable = self.filtered(lambda event: event.state in ("needs_review", "dead"))
        if not replayable:
            raise UserError(self.env._("Only events that need review or are dead can be replayed."))
        replayable.write({"error_code": False, "error_message": False})
        replayable.activity_unlink(["mail.mail_activity_data_todo"])
        replayable._enqueue()
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
                channel="root.construction_batch",
                description=f"Apply {len(chunk)} batch events",
            )._job_apply()
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
            if job.state == "cancelled":
                reason = self.env._("its job %(job)s was cancelled", job=job.uuid)
            else:
                reason = self.env._(
                    "its job %(job)s failed: %(error)s",
                    job=job.uuid,
                    error=" ".join(filter(None, [job.exc_name, job.exc_message])) or job.exc_info,
                )
            event._bury(reason, max(event.attempts, job.retry), code="job_failed")
        return len(events)

    @api.model
    def _cron_purge_done(self):
        """Delete applied events older than the retention period; events that
        need review or are dead stay until a person deals with them."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("construction_sync.event_retention_days", 30)
        )
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.search([("state", "=", "done"), ("applied_at", "<", limit)])
        old.link_ids.unlink()
        old.unlink()
        return len(old)
