from datetime import UTC, datetime

from odoo import api, fields, models

from ..lib.signature import TOLERANCE_SECONDS


class ConstructionSyncSignature(models.Model):
    """A request signature already used: within its time window the same
    signature is refused, in whichever worker process it comes back.

    Kept in PostgreSQL, not in a process's memory, so that every HTTP worker
    and every server node sees the same list; purged once the timestamp it
    signed is out of the window (no signature of that time passes any more).
    """

    _name = "construction.sync.signature"
    _description = "Spent Request Signature"
    _order = "id desc"
    _rec_name = "digest"
    _log_access = False

    system_id = fields.Many2one(
        "construction.sync.system", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True)
    digest = fields.Char(required=True, readonly=True, help="The signature's HMAC (hex).")
    expires_at = fields.Datetime(
        required=True,
        readonly=True,
        index=True,
        help="When the signed timestamp leaves the window: the row may go then.",
    )

    _sql_constraints = [
        ("system_digest_uniq", "unique (system_id, digest)", "A signature is spent once."),
    ]

    @api.model
    def _spend(self, system, verified):
        """Note ``verified`` (a :class:`~..lib.signature.Verified`) as used by
        ``system``; False when it was used before.

        Raw SQL for correctness, not speed: ``ON CONFLICT DO NOTHING`` lets
        PostgreSQL settle two workers given the same signature at once. The
        row belongs to the request's transaction: a request that fails wrote
        nothing and spends nothing, the one that succeeds spends it for good;
        under Odoo's repeatable-read transactions the loser of a race gets a
        serialization failure, Odoo runs its request again, and the second
        run finds the signature spent.
        """
        expires_at = datetime.fromtimestamp(verified.timestamp + TOLERANCE_SECONDS, UTC)
        self.env.cr.execute(
            """
            INSERT INTO construction_sync_signature (system_id, company_id, digest, expires_at)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (system_id, digest) DO NOTHING
            RETURNING id
            """,
            (system.id, system.company_id.id, verified.digest, expires_at.replace(tzinfo=None)),
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _cron_purge_expired(self):
        """Forget signatures whose timestamp is out of the window."""
        expired = self.search([("expires_at", "<", fields.Datetime.now())])
        expired.unlink()
        return len(expired)
