import json
import logging
import time
import uuid

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError

from ..lib import backoff, http_client, signature

_logger = logging.getLogger(__name__)

# What is read of a receiver's answer: its status decides; the body is only
# kept as an excerpt.
ANSWER_BYTES = 16 * 1024

DELIVERY_STATES = [
    ("pending", "Pending"),
    ("sent", "Sent"),
    ("needs_review", "Refused by Receiver"),
    ("dead", "Dead"),
]


class ConstructionSyncDelivery(models.Model):
    _name = "construction.sync.delivery"
    _description = "Outbound Sync Delivery"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _rec_name = "idempotency_key"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    event_type_id = fields.Many2one(
        "construction.sync.event.type", required=True, ondelete="restrict", index=True
    )
    idempotency_key = fields.Char(
        required=True, readonly=True, default=lambda self: str(uuid.uuid4()), copy=False
    )
    correlation_id = fields.Char(readonly=True, index=True)
    payload = fields.Text(readonly=True)
    state = fields.Selection(DELIVERY_STATES, required=True, default="pending", index=True)
    attempts = fields.Integer(readonly=True)
    last_status = fields.Integer("Last HTTP Status", readonly=True)
    last_error = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    job_id = fields.Many2one(
        "queue.job",
        "Current Job",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The queue job that sends the delivery now: a job that failed or was "
        "found dead leaves the delivery dead, never pending for ever.",
    )

    _sql_constraints = [
        ("idempotency_uniq", "unique (idempotency_key)", "A delivery key is unique."),
    ]

    @api.model
    def _emit(self, event_code, payloads):
        """Queue outbound event ``event_code`` to the systems subscribed to
        it, except the system the change came from.

        ``payloads`` are ``(company, payload)`` pairs: a payload goes to the
        systems that may read the record it tells of, as their service users
        may, i.e. a company's record to that company's systems only, and a
        shared record (no company) to the systems of every company, each of
        which reads shared records anyway (``GET /cost-codes`` lists them)."""
        event_type = (
            self.env["construction.sync.event.type"]
            .sudo()
            .search([("code", "=", event_code), ("direction", "=", "outbound")], limit=1)
        )
        if not event_type or not payloads:
            return self.browse()
        systems = (
            self.env["construction.sync.system"]
            .sudo()
            .search(
                [
                    ("outbound_event_type_ids", "in", event_type.id),
                    ("outbound_url", "!=", False),
                    ("id", "!=", self.env.context.get("construction_sync_origin_system", 0)),
                ]
            )
        )
        correlation_id = self.env.context.get("construction_sync_correlation_id")
        deliveries = self.sudo().create(
            [
                {
                    "system_id": system.id,
                    "event_type_id": event_type.id,
                    "correlation_id": correlation_id or str(uuid.uuid4()),
                    "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
                }
                for company, payload in payloads
                for system in systems
                if not company or system.company_id == company
            ]
        )
        deliveries._enqueue()
        return deliveries

    def _enqueue(self):
        for delivery in self:
            # The channel and retry pattern are the job function's data; the
            # number of attempts is the system's setting, kept per job.
            job = delivery.with_delay(
                max_retries=delivery.system_id.max_attempts,
                description=f"Send {delivery.event_type_id.code} to {delivery.system_id.code}",
            )._job_deliver()
            # not stored when jobs are trapped or run at once
            delivery.job_id = job.db_record() if job else False

    def _request(self):
        """Body and headers of the signed POST (signature v2)."""
        self.ensure_one()
        body = json.dumps(
            {
                "event_type": self.event_type_id.code,
                "idempotency_key": self.idempotency_key,
                "correlation_id": self.correlation_id,
                "occurred_at": self.create_date.isoformat() + "Z",
                "payload": json.loads(self.payload),
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            signature.IDEMPOTENCY_HEADER: self.idempotency_key,
            "X-Construction-Event": self.event_type_id.code,
            "X-Construction-Correlation-Id": self.correlation_id or "",
        }
        system = self.system_id.sudo()
        if system.outbound_secret:
            signed = signature.SignedRequest.from_url(
                "POST", system.outbound_url, body, self.idempotency_key
            )
            headers |= signature.signed_headers(system.outbound_secret, signed, time.time())
        return body, headers

    def _job_deliver(self):
        self.ensure_one()
        if self.state != "pending":
            return
        attempt = self.env["construction.sync.event"]._current_attempt()
        body, headers = self._request()
        system = self.system_id
        try:
            response = system._http_request(
                "POST", system.outbound_url, headers=headers, body=body, max_bytes=ANSWER_BYTES
            )
        except http_client.OutboundError as error:
            if not error.transient:
                # refused before it left (an address inside the network, a bad
                # URL): trying again cannot help, the system's owner must act
                self._bury(0, str(error), attempt)
                return
            status, error_text, wait = 0, str(error), None
        else:
            status, error_text = response.status, response.summary()
            wait = backoff.retry_after(response.header("Retry-After"), time.time())
        if 200 <= status < 300:
            self.write(
                {
                    "state": "sent",
                    "sent_at": fields.Datetime.now(),
                    "attempts": attempt,
                    "last_status": status,
                    "last_error": False,
                }
            )
        elif status and status < 500 and status not in (408, 429):
            self.write(
                {
                    "state": "needs_review",
                    "attempts": attempt,
                    "last_status": status,
                    "last_error": error_text,
                }
            )
        elif attempt >= system.max_attempts:
            self._bury(status, error_text, attempt)
        else:
            raise RetryableJobError(
                f"{system.code} answered {status or 'nothing'}; retrying",
                seconds=int(wait if wait is not None else backoff.delay(attempt)),
            )

    def _bury(self, status, error_text, attempt):
        self.write(
            {"state": "dead", "attempts": attempt, "last_status": status, "last_error": error_text}
        )
        if self.system_id.owner_id:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.system_id.owner_id.id,
                summary=self.env._("Delivery to %s failed", self.system_id.name),
                note=self.env._(
                    "%(event)s could not be delivered after %(attempts)s attempts: %(error)s. "
                    "Check the receiving system, then replay.",
                    event=self.event_type_id.code,
                    attempts=attempt,
                    error=error_text,
                ),
            )

    def action_replay(self):
        replayable = self.filtered(lambda delivery: delivery.state in ("needs_review", "dead"))
        if not replayable:
            raise UserError(
                self.env._("Only deliveries refused by the receiver or dead can be replayed.")
            )
        replayable.write({"state": "pending", "last_error": False})
        replayable.activity_unlink(["mail.mail_activity_data_todo"])
        replayable._enqueue()
        return True

    @api.model
    def _cron_bury_lost(self):
        """Deliveries still pending whose job failed or was cancelled: dead,
        with the job's error and an activity for the system owner, to be
        replayed (see the events' own ``_cron_bury_lost``)."""
        deliveries = self.search(
            [("state", "=", "pending"), ("job_id.state", "in", ["failed", "cancelled"])]
        )
        for delivery in deliveries:
            job = delivery.job_id
            delivery._bury(0, job._construction_failure_reason(), max(delivery.attempts, job.retry))
        return len(deliveries)

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the deliveries sent before ``cutoff``; pending, refused and
        dead ones stay until a person deals with them, and so do those a
        legal hold keeps (:meth:`_retention_held_ids`)."""
        held = self._retention_held_ids(held_projects)
        return self.env["construction.sync.purge"]._in_batches(
            self,
            [("state", "=", "sent"), ("sent_at", "<", cutoff), ("id", "not in", list(held))],
            batch_size,
            max_batches,
        )

    @api.model
    def _retention_held_ids(self, projects):
        """Ids of the deliveries about ``projects``: those telling of one of
        them or of one of their records (the ``id`` of the event type's
        target model in the payload), and those carrying the correlation id
        of an event a legal hold keeps."""
        if not projects:
            return set()
        Event = self.env["construction.sync.event"]
        correlation_ids = set(
            Event.browse(Event._retention_held_ids(projects)).mapped("correlation_id")
        ) - {False}
        held = set(self.search([("correlation_id", "in", list(correlation_ids))]).ids)
        event_types = (
            self.env["construction.sync.event.type"]
            .sudo()
            .search([("direction", "=", "outbound"), ("target_model_id", "!=", False)])
        )
        Purge = self.env["construction.sync.purge"]
        self.flush_model(["event_type_id", "payload"])
        for event_type in event_types:
            record_ids = Purge._ids_of_projects(event_type.target_model_id.model, projects)
            if not record_ids:
                continue
            # The payload is JSON text: the record it tells of is its "id",
            # which the ORM cannot search.
            self.env.cr.execute(
                """
                SELECT id FROM construction_sync_delivery
                 WHERE event_type_id = %s AND payload::jsonb ->> 'id' = ANY(%s)
                """,
                [event_type.id, [str(record_id) for record_id in record_ids]],
            )
            held.update(row[0] for row in self.env.cr.fetchall())
        return held
