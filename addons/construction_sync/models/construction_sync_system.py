import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import http_client
from ..lib.problem import ApiError

# Hosts outbound calls may reach although they are not public (see
# lib/http_client.py): a system parameter, which only administrators write.
ALLOWED_HOSTS_PARAMETER = "construction_sync.outbound_allowed_hosts"

SYSTEM_KINDS = [
    ("field_evidence", "Field Evidence"),
    ("timekeeping", "Timekeeping"),
    ("equipment", "Equipment Telematics"),
    ("estimating", "Estimating"),
    ("procurement", "Procurement"),
    ("accounting", "Accounting"),
    ("other", "Other"),
]


class ConstructionSyncSystem(models.Model):
    _name = "construction.sync.system"
    _description = "External System"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short technical name the platform is known by in payloads and "
        "logs, e.g. fieldcam or hcss_heavyjob.",
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(SYSTEM_KINDS, required=True, default="other", tracking=True)
    base_url = fields.Char(string="Base URL", tracking=True)
    owner_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        tracking=True,
        help="Person who answers for this integration: failures are assigned to them.",
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True, index=True
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Html()

    # Inbound
    service_user_id = fields.Many2one(
        "res.users",
        tracking=True,
        copy=False,
        help="The user whose API key the platform sends as its bearer token. "
        "It can only post events as this system.",
    )
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="When set, every request must carry an HMAC-SHA256 signature (v2) of "
        "its method, path, query, Idempotency-Key and body made with this secret; "
        "a signature is good for one request.",
    )
    signature_v1_accepted = fields.Boolean(
        "Accept v1 Signatures",
        groups="base.group_system",
        tracking=True,
        copy=False,
        help="For a transition only: also accept the legacy v1 signature (sha256=), "
        "which covers the timestamp and body alone, so that one captured request "
        "authorizes others with the same body for five minutes. Untick it once the "
        "platform signs with v2.",
    )
    rate_limit = fields.Integer(
        default=6000, help="Events accepted per minute from this system; 0 means no limit."
    )
    mode_ids = fields.One2many(
        "construction.sync.system.mode",
        "system_id",
        string="Processing Modes",
        help="Event types this system sends in batch rather than real-time.",
    )
    # Outbound
    outbound_url = fields.Char(
        "Webhook URL", tracking=True, help="Where outbound events are POSTed."
    )
    outbound_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Secret that signs outbound requests (HMAC-SHA256).",
    )
    outbound_event_type_ids = fields.Many2many(
        "construction.sync.event.type",
        string="Subscribed Events",
        domain=[("direction", "=", "outbound")],
    )
    timeout = fields.Integer(default=10, help="Seconds to wait for the system to answer.")
    max_attempts = fields.Integer(
        default=5,
        help="Attempts before an event or a delivery is declared dead.",
    )
    # Reconciliation
    reconcile_totals = fields.Boolean(
        tracking=True,
        help="System of record for totals: its totals per project and cost code are "
        "read from <Base URL>/totals every day and compared with Odoo's.",
    )
    api_token = fields.Char(
        "Credentials",
        groups="base.group_system",
        copy=False,
        help="Bearer token Odoo sends when it reads from the system's Base URL.",
    )
    event_count = fields.Integer(compute="_compute_counts")
    delivery_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "A system code must be unique per company.",
        ),
        ("service_user_uniq", "unique (service_user_id)", "A service user serves one system."),
        ("max_attempts_positive", "check (max_attempts > 0)", "Attempts must be at least 1."),
    ]

    @api.constrains("code")
    def _check_code(self):
        for system in self:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", system.code):
                raise ValidationError(
                    self.env._(
                        "System code %(code)r may only hold lowercase letters, digits, "
                        "'-' and '_', e.g. fieldcam.",
                        code=system.code,
                    )
                )

    @api.constrains("base_url", "outbound_url")
    def _check_urls(self):
        """Only http(s) URLs, without credentials, and not written as an
        address inside the network unless an administrator listed it; a host
        name is checked again, with every address it resolves to, on each
        call (:meth:`_http_request`)."""
        allowed = self._outbound_allowed_hosts()
        for system in self:
            for name in ("base_url", "outbound_url"):
                if not system[name]:
                    continue
                try:
                    http_client.check_url(system[name], allowed)
                except http_client.OutboundError as error:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of %(system)s is refused: %(reason)s.",
                            field=system._fields[name]._description_string(self.env),
                            system=system.name,
                            reason=str(error),
                        )
                    ) from error

    def _compute_counts(self):
        for field, model in (
            ("event_count", "construction.sync.event"),
            ("delivery_count", "construction.sync.delivery"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("system_id", "in", self.ids)], ["system_id"], ["__count"]
                )
            )
            for system in self:
                system[field] = counts.get(system, 0)

    @api.model
    def _for_user(self, user):
        """The system ``user`` is the service user of (empty if none)."""
        return self.sudo().search([("service_user_id", "=", user.id)], limit=1)

    def _check_rate(self, incoming):
        """Raise ``rate_limited`` when ``incoming`` more events would pass
        the system's events-per-minute limit."""
        self.ensure_one()
        if not self.rate_limit:
            return
        since = fields.Datetime.now() - timedelta(seconds=60)
        recent = (
            self.env["construction.sync.event"]
            .sudo()
            .search_count([("system_id", "=", self.id), ("received_at", ">", since)])
        )
        if recent + incoming > self.rate_limit:
            raise ApiError(
                "rate_limited",
                f"{self.code} may send {self.rate_limit} events a minute; "
                f"{recent} arrived in the last minute.",
                headers={"Retry-After": "60"},
            )

    @api.model
    def _outbound_allowed_hosts(self):
        return http_client.AllowList.parse(
            self.env["ir.config_parameter"].sudo().get_param(ALLOWED_HOSTS_PARAMETER)
        )

    def _http_request(
        self,
        method,
        url,
        *,
        params=None,
        headers=None,
        body=None,
        json=None,
        max_bytes=http_client.DEFAULT_MAX_BYTES,
    ):
        """Every call to this system goes out here: ``lib/http_client.py``'s
        :func:`~..lib.http_client.request` with the system's timeout and the
        hosts an administrator allowed. Returns its ``Response``; raises its
        ``OutboundError``."""
        self.ensure_one()
        return http_client.request(
            method,
            url,
            params=params,
            headers=headers,
            body=body,
            json=json,
            timeout=self.timeout or 10,
            max_bytes=max_bytes,
            allowed=self._outbound_allowed_hosts(),
        )

    def _fetch_totals(self, period):
        """The system's totals for ``period`` (YYYY-MM) as JSON: GET
        ``<base_url>/totals?period=`` with the system's credentials."""
        self.ensure_one()
        token = self.sudo().api_token
        response = self._http_request(
            "GET",
            self.base_url.rstrip("/") + "/totals",
            params={"period": period},
            headers={"Accept": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        response.raise_for_status()
        return response.json()

    def _signature_secret(self):
        self.ensure_one()
        return self.sudo().webhook_secret

    def action_open_events(self):
        return self._open_related("construction.sync.event", self.env._("Events"))

    def action_open_deliveries(self):
        return self._open_related("construction.sync.delivery", self.env._("Deliveries"))

    def _open_related(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form,pivot,graph",
            "domain": [("system_id", "=", self.id)],
            "context": {"default_system_id": self.id},
        }
