import secrets
from datetime import timedelta

from odoo import api, fields, models

DEFAULT_VALIDITY_DAYS = 30


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
    token = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: secrets.token_urlsafe(32),
        groups="construction_sync.group_construction_sync_reviewer",
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
    url = fields.Char(string="Link", compute="_compute_url")
    view_count = fields.Integer(readonly=True, copy=False)
    last_viewed_at = fields.Datetime(readonly=True, copy=False)
    note = fields.Char(help="Whom the link was sent to, for your records.")

    _sql_constraints = [("token_uniq", "unique (token)", "Share link tokens are unique.")]

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

    @api.depends("token")
    def _compute_url(self):
        base = self.get_base_url()
        for link in self:
            link.url = f"{base}/construction/share/{link.sudo().token}"

    def action_revoke(self):
        self.filtered(lambda link: not link.revoked_at).write({"revoked_at": fields.Datetime.now()})

    @api.model
    def _find_valid(self, token):
        """The valid link of ``token`` (sudo), or an empty recordset."""
        if not token or len(token) > 128:
            return self.browse()
        link = self.sudo().search([("token", "=", token)], limit=1)
        if not link or link.state != "valid" or not link.site_id.active:
            return self.browse()
        return link
