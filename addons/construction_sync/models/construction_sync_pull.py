import json
import logging
import time
import uuid
from datetime import timedelta

from psycopg2 import OperationalError, errorcodes

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError

from ..lib.vendor_http import VendorError

_logger = logging.getLogger(__name__)

PULL_STATES = [("idle", "Idle"), ("running", "Running"), ("failed", "Failed")]


class ConstructionSyncPull(models.Model):
    """What a platform is pulled for, per system and resource: the cursor
    the next page starts from, the last run, its counts and its last error.

    A run is a chain of queue jobs, one per page, in the system's channel.
    Each page job fetches the page at the stored cursor, receives its items
    through the inbox's one method (a dedupe key per item: what was pushed
    and pulled is one event) and stores the next cursor in the same
    transaction. A job killed mid-page leaves the cursor where it was; run
    again, it asks for the same page and finds its events already there."""

    _name = "construction.sync.pull"
    _description = "Connector Pull"
    _order = "system_id, resource"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    resource = fields.Char(required=True, help="What is pulled, in the platform's words.")
    name = fields.Char(compute="_compute_name")
    active = fields.Boolean(default=True)
    interval_minutes = fields.Integer(
        default=60, help="Minutes between two runs started by the scheduled action."
    )
    state = fields.Selection(PULL_STATES, required=True, default="idle", readonly=True)
    cursor = fields.Char(
        readonly=True,
        copy=False,
        help="Where the next page starts (JSON): the vendor's cursor, or a page and a "
        "high-water mark of the items' time.",
    )
    run_uuid = fields.Char(readonly=True, copy=False)
    job_id = fields.Many2one(
        "queue.job", "Current Job", readonly=True, copy=False, ondelete="set null"
    )
    job_state = fields.Selection(related="job_id.state", string="Job State")
    job_error = fields.Char(related="job_id.exc_message", string="Job Error")
    last_run_at = fields.Datetime("Last Run Started", readonly=True)
    last_done_at = fields.Datetime("Last Run Completed", readonly=True)
    last_request_at = fields.Datetime(readonly=True)
    run_page_count = fields.Integer("Pages (Last Run)", readonly=True)
    run_item_count = fields.Integer("Items (Last Run)", readonly=True)
    run_event_count = fields.Integer("New Events (Last Run)", readonly=True)
    run_duplicate_count = fields.Integer("Duplicates (Last Run)", readonly=True)
    item_count = fields.Integer("Items (All Runs)", readonly=True)
    last_error = fields.Text(readonly=True)
    last_error_at = fields.Datetime(readonly=True)
    exchange_ids = fields.One2many("construction.sync.exchange", "pull_id", "Pages")

    _sql_constraints = [
        (
            "resource_uniq",
            "unique (system_id, resource)",
            "A system is pulled once per resource.",
        ),
        ("interval_positive", "check (interval_minutes > 0)", "The interval is at least a minute."),
    ]

    @api.depends("system_id.name", "resource")
    def _compute_name(self):
        for pull in self:
            pull.name = f"{pull.system_id.name} / {pull.resource}"

    def _cursor_value(self):
        self.ensure_one()
        return json.loads(self.cursor) if self.cursor else None

    # ------------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------------

    def _start(self, since=None):
        """Start a run of each pull: from ``since`` (a backfill) or from the
        stored cursor. A run already going on is replaced: its next page job
        finds another run's id and stops."""
        for pull in self:
            adapter = pull.system_id._adapter()
            cursor = adapter._pull_start_cursor(pull, since)
            pull.write(
                {
                    "state": "running",
                    "cursor": json.dumps(cursor) if cursor is not None else False,
                    "run_uuid": str(uuid.uuid4()),
                    "last_run_at": fields.Datetime.now(),
                    "run_page_count": 0,
                    "run_item_count": 0,
                    "run_event_count": 0,
                    "run_duplicate_count": 0,
                }
            )
            pull._enqueue_page()
        return True

    def _enqueue_page(self):
        self.ensure_one()
        channel = self.system_id.queue_channel_id
        job = self.with_delay(
            description=f"Pull {self.resource} from {self.system_id.code}, "
            f"page {self.run_page_count + 1}",
            **({"channel": channel.complete_name} if channel else {}),
        )._job_pull_page(self.run_uuid)
        self.job_id = job.db_record().id if job else False

    def _job_pull_page(self, run_uuid):
        """Pull the page at the stored cursor, receive its items, store the
        next cursor and queue the next page: one transaction, so a page is
        either wholly taken in or asked for again."""
        self.ensure_one()
        if self.run_uuid != run_uuid or self.state != "running":
            return "stale run"
        self._lock()
        system = self.system_id
        adapter = system._adapter()
        attempt, max_attempts = self._current_attempt()
        self._pace(adapter._requests_per_minute())
        cursor = self._cursor_value()
        try:
            page = adapter._pull_page(self, cursor)
        except VendorError as error:
            return self._failed_page(error, attempt, max_attempts)
        except UserError as error:
            self._fail(str(error))
            return f"failed: {error}"
        self.last_request_at = fields.Datetime.now()
        exchange = self.env["construction.sync.exchange"].create(
            {
                "system_id": system.id,
                "kind": "pull",
                "pull_id": self.id,
                "resource": self.resource,
                "page": self.run_page_count + 1,
                "request": page.request,
                "cursor": self.cursor or False,
                "next_cursor": json.dumps(page.cursor) if page.cursor is not None else False,
                "item_count": page.item_count,
            }
        )
        exchange._ingest(page.envelopes)
        for reason, item in page.unmapped:
            exchange._store_unmapped(reason, item)
        vals = {
            "cursor": exchange.next_cursor,
            "run_page_count": self.run_page_count + 1,
            "run_item_count": self.run_item_count + page.item_count,
            "run_event_count": self.run_event_count + exchange.event_count,
            "run_duplicate_count": self.run_duplicate_count + exchange.duplicate_count,
            "item_count": self.item_count + page.item_count,
        }
        if page.done:
            vals.update(state="idle", last_done_at=fields.Datetime.now(), job_id=False)
        self.write(vals)
        if not page.done:
            self._enqueue_page()
        return f"page {exchange.page}: {page.item_count} items, {exchange.event_count} new"

    def _failed_page(self, error, attempt, max_attempts):
        """A vendor error: retried later (as long as the vendor asked, else
        with exponential backoff) while it may pass and attempts are left;
        else the run fails with the error, and the scheduled action starts
        it again from the same cursor."""
        if error.retryable and attempt < max_attempts:
            raise self.env["construction.sync.exchange"]._job_error(error) from error
        self._fail(str(error))
        return f"failed: {error}"

    def _fail(self, message):
        _logger.warning("Pull %s of %s failed: %s", self.resource, self.system_id.code, message)
        self.write(
            {
                "state": "failed",
                "last_error": message,
                "last_error_at": fields.Datetime.now(),
                "job_id": False,
            }
        )

    def _lock(self):
        """Lock the pull row: two jobs of one pull take turns. Raw SQL: the
        ORM has no row lock; NOWAIT turns a busy row into a retry."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM construction_sync_pull WHERE id = %s FOR UPDATE NOWAIT",
                    [self.id],
                )
        except OperationalError as error:
            if error.pgcode != errorcodes.LOCK_NOT_AVAILABLE:
                raise
            raise RetryableJobError(f"pull {self.id} is busy", seconds=5) from error

    def _pace(self, per_minute):
        """Keep the vendor's request budget: wait the rest of the interval
        since the previous request of this pull (a run's pages follow one
        another; its channel keeps a system's pulls apart)."""
        if not per_minute or not self.last_request_at:
            return
        elapsed = (fields.Datetime.now() - self.last_request_at).total_seconds()
        wait = 60.0 / per_minute - elapsed
        if wait > 0:
            time.sleep(wait)

    def _current_attempt(self):
        """``(attempt, attempts allowed)`` of the running job: 1 for its first run."""
        uuid_ = self.env.context.get("job_uuid")
        job = uuid_ and self.env["queue.job"].sudo().search([("uuid", "=", uuid_)], limit=1)
        if not job:
            return 1, 1
        attempt = job.retry + 1
        # queue_job retries a job with max_retries 0 for ever
        return attempt, job.max_retries or attempt + 1

    # ------------------------------------------------------------------
    # Scheduled action and buttons
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_due(self):
        """Start the pulls whose interval has passed; a run whose job failed
        or was cancelled is marked failed with the job's error (and starts
        again from its cursor at the next interval)."""
        lost = self.search(
            [("state", "=", "running"), ("job_id.state", "in", ["failed", "cancelled"])]
        )
        for pull in lost:
            pull._fail(pull.job_id.exc_message or pull.job_id.exc_name or "job failed")
        now = fields.Datetime.now()
        due = self.search(
            [
                ("state", "!=", "running"),
                ("system_id.active", "=", True),
                ("system_id.platform", "!=", "suite"),
            ]
        ).filtered(
            lambda pull: (
                not pull.last_run_at
                or pull.last_run_at + timedelta(minutes=pull.interval_minutes) <= now
            )
        )
        due._start()
        return len(due)

    def action_run_now(self):
        self._start()
        return True
