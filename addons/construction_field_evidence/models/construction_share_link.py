import hashlib
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

DEFAULT_VALIDITY_DAYS = 30
# Requests (page, photos, answers) one link takes within REQUEST_WINDOW: a
# client paging through a site's photos stays far below it, a script
# pulling everything through a leaked link is stopped, on every node alike.
REQUEST_LIMIT = 1000
REQUEST_WINDOW = timedelta(minutes=10)


def token_hash(token):
    """What is stored of a share token: its SHA-256. The token itself is
    shown once, when the link is made, as Odoo shows a new API key."""
    return hashlib.sha256(token.encode()).hexdigest()


class ConstructionShareLink(models.Model):
    _name = "construction.share.link"
    _description = "Client Share Link"
    _order = "create_date desc, id desc"
    _rec_name = "site_id"
    _check_company_auto = True

    site_id = fields.Many2one(
        "construction.site", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    token_hash = fields.Char(
        string="Token SHA-256",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: token_hash(secrets.token_urlsafe(32)),
        groups="construction_sync.group_construction_sync_reviewer",
        help="SHA-256 of the link's token; the token itself is not stored.",
    )
    expires_at = fields.Datetime(
        required=True,
        default=lambda self: fields.Datetime.now() + timedelta(days=DEFAULT_VALIDITY_DAYS),
    )
    revoked_at = fields.Datetime(readonly=True, copy=False)
    state = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired"), ("revoked", "Revoked")],
        compute="_compute_state",
    )
    view_count = fields.Integer(readonly=True, copy=False)
    last_viewed_at = fields.Datetime(readonly=True, copy=False)
    request_window_start = fields.Datetime(readonly=True, copy=False)
    request_count = fields.Integer(
        string="Requests in Window",
        readonly=True,
        copy=False,
        help="Requests through the link since the start of its current ten-minute window.",
    )
    note = fields.Char(help="Whom the link was sent to, for your records.")
    answer_ids = fields.One2many(
        "construction.share.answer", "link_id", string="Client Answers", readonly=True
    )

    _sql_constraints = [("token_hash_uniq", "unique (token_hash)", "Share link tokens are unique.")]

    @api.depends("expires_at", "revoked_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        for link in self:
            if link.revoked_at:
                link.state = "revoked"
            elif link.expires_at <= now:
                link.state = "expired"
            else:
                link.state = "valid"

    def write(self, vals):
        if "token_hash" in vals:
            raise AccessError(self.env._("A share link's token cannot be changed."))
        if "revoked_at" in vals and (not vals["revoked_at"] or self.filtered("revoked_at")):
            raise AccessError(
                self.env._("A revoked share link stays revoked: make a new link instead.")
            )
        return super().write(vals)

    @api.model
    def _issue(self, vals):
        """A new link and its URL, the one time the URL can be known."""
        token = secrets.token_urlsafe(32)
        link = self.create(dict(vals, token_hash=token_hash(token)))
        return link, f"{link.get_base_url()}/construction/share/{token}"

    def action_revoke(self):
        self.filtered(lambda link: not link.revoked_at).write({"revoked_at": fields.Datetime.now()})

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the links expired or revoked before ``cutoff``; a link a
        client answered through stays with the answers, and so does every
        link of a site of a project on legal hold."""
        return self.env["construction.sync.purge"]._in_batches(
            self.with_context(active_test=False),
            [
                "|",
                ("revoked_at", "<", cutoff),
                ("expires_at", "<", cutoff),
                ("answer_ids", "=", False),
                ("site_id.project_id", "not in", held_projects.ids),
            ],
            batch_size,
            max_batches,
        )

    @api.model
    def _find_valid(self, token):
        """The valid link of ``token`` (sudo), or an empty recordset."""
        if not token or len(token) > 128:
            return self.browse()
        link = self.sudo().search([("token_hash", "=", token_hash(token))], limit=1)
        if not link or link.state != "valid" or not link.site_id.active:
            return self.browse()
        return link

    def _count_request(self):
        """Count one request through this link (sudo); the seconds to wait
        when it is over :data:`REQUEST_LIMIT` in its window, else 0.

        One UPDATE counts and reads, so concurrent requests on several
        workers or nodes count each other. A refused request rolls back
        with its transaction, so the count stays at the limit and the link
        answers again once the window has passed."""
        self.ensure_one()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            UPDATE construction_share_link
               SET request_count = CASE WHEN request_window_start > %(since)s
                                        THEN request_count + 1 ELSE 1 END,
                   request_window_start = CASE WHEN request_window_start > %(since)s
                                               THEN request_window_start ELSE %(now)s END
             WHERE id = %(id)s
         RETURNING request_count, request_window_start
            """,
            {"id": self.id, "now": now, "since": now - REQUEST_WINDOW},
        )
        count, window_start = self.env.cr.fetchone()
        self.invalidate_recordset(["request_count", "request_window_start"])
        if count <= REQUEST_LIMIT:
            return 0
        return max(1, int((window_start + REQUEST_WINDOW - now).total_seconds()))


class ConstructionShareLinkShow(models.AbstractModel):
    """Shows a new link's URL once (nothing of it is stored)."""

    _name = "construction.share.link.show"
    _description = "New Client Share Link"

    # the client needs an id to render the form of values it was given
    id = fields.Id()
    url = fields.Char(string="Link", readonly=True)
