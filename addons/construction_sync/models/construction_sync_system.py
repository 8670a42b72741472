import re
import secrets
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import vendor_http
from ..lib.problem import ApiError

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
        help="When set, every request must carry an HMAC-SHA256 signature of "
        "its body made with this secret.",
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
    # Connector: the platform's own dialect
    platform = fields.Selection(
        [("suite", "Suite API")],
        required=True,
        default="suite",
        tracking=True,
        help="Suite API: the system speaks the suite's own event API. A platform "
        "(installed by its addon) connects in its own dialect: its webhooks, "
        "verified by its signature, and scheduled pulls.",
    )
    webhook_uuid = fields.Char(
        "Webhook Path",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
        help="The random part of this system's webhook URL.",
    )
    webhook_url = fields.Char(
        "Inbound Webhook URL",
        compute="_compute_webhook_url",
        help="Where the platform posts its webhooks; each is verified by the "
        "platform's own signature, made with the webhook secret.",
    )
    webhook_status = fields.Selection(
        [
            ("none", "Not Registered"),
            ("registered", "Registered"),
            ("failed", "Registration Failed"),
        ],
        required=True,
        default="none",
        readonly=True,
        copy=False,
        tracking=True,
    )
    webhook_external_id = fields.Char(
        "Vendor Webhook ID",
        readonly=True,
        copy=False,
        help="The subscription's id at the platform.",
    )
    webhook_registered_at = fields.Datetime(readonly=True, copy=False)
    webhook_error = fields.Text(readonly=True, copy=False)
    pull_ids = fields.One2many("construction.sync.pull", "system_id", "Pulls")
    queue_channel_id = fields.Many2one(
        "queue.job.channel",
        "Pull Channel",
        help="queue_job channel of this system's pull jobs, made with the system "
        "(root.construction_pull.<code>): give it its own capacity in the job "
        "runner's configuration to bound the system's concurrency. Empty: the "
        "shared construction_pull channel.",
    )
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
        ("webhook_uuid_uniq", "unique (webhook_uuid)", "A webhook path is unique."),
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

    @api.constrains("base_url")
    def _check_base_url(self):
        for system in self.filtered("base_url"):
            if not system.base_url.startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._(
                        "Base URL %(url)r of %(system)s must start with https:// or http://.",
                        url=system.base_url,
                        system=system.name,
                    )
                )

    @api.constrains("outbound_url")
    def _check_outbound_url(self):
        for system in self.filtered("outbound_url"):
            if not system.outbound_url.startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._(
                        "Webhook URL %(url)r of %(system)s must start with https:// or http://.",
                        url=system.outbound_url,
                        system=system.name,
                    )
                )

    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for system in self:
            system.webhook_url = (
                f"{base.rstrip('/')}/construction/api/v1/webhooks/{system.webhook_uuid}"
                if system.platform != "suite"
                else False
            )

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

    def _fetch_totals(self, period):
        """The system's totals for ``period`` (YYYY-MM) as JSON: GET
        ``<base_url>/totals?period=`` with the system's credentials."""
        self.ensure_one()
        token = self.sudo().api_token
        response = requests.get(
            self.base_url.rstrip("/") + "/totals",
            params={"period": period},
            headers={"Accept": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
            timeout=self.timeout,
        )
        response.raise_for_status()
        return response.json()

    def _signature_secret(self):
        self.ensure_one()
        return self.sudo().webhook_secret

    # ------------------------------------------------------------------
    # Connector layer
    # ------------------------------------------------------------------

    @api.model
    def _for_webhook(self, webhook_uuid):
        """The active platform system whose webhook path is ``webhook_uuid``."""
        system = self.sudo().search(
            [("webhook_uuid", "=", webhook_uuid), ("platform", "!=", "suite")], limit=1
        )
        if not system:
            raise ApiError("not_found", "No system receives webhooks at this address.")
        return system

    def _adapter(self):
        """The platform's adapter (an AbstractModel named after it)."""
        self.ensure_one()
        name = f"construction.sync.adapter.{self.platform}"
        return self.env[name if name in self.env else "construction.sync.adapter"].sudo()

    def _vendor_http(self, method, url, *, params=None, json=None, headers=None, max_bytes=None):
        """Every request to a platform goes through here (the one place an
        outbound HTTP guard takes over). Returns a
        :class:`~odoo.addons.construction_sync.lib.vendor_http.VendorResponse`
        whose body is read up to ``max_bytes``; raises a
        :class:`~odoo.addons.construction_sync.lib.vendor_http.VendorError`
        that names the method, path and status, never a credential."""
        self.ensure_one()
        path = urlsplit(url).path
        limit = max_bytes or vendor_http.DEFAULT_MAX_BYTES
        try:
            with requests.request(
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
            ) as response:
                vendor_http.check_status(
                    method, path, response.status_code, response.headers, time.time()
                )
                content = vendor_http.read_limited(
                    method, path, response.headers, response.iter_content(64 * 1024), limit
                )
                return vendor_http.VendorResponse(response.status_code, response.headers, content)
        except requests.RequestException as error:
            raise vendor_http.VendorUnavailable(
                f"{method} {path}: {type(error).__name__}", 0
            ) from None

    def _generate_webhook_token(self):
        return secrets.token_urlsafe(32)

    def action_test_connection(self):
        """Ask the platform who the credentials are (its who-am-I call)."""
        self.ensure_one()
        self._check_platform()
        try:
            message = self._adapter()._test_connection(self)
        except vendor_http.VendorError as error:
            raise UserError(
                self.env._(
                    "%(system)s cannot be reached with its credentials: %(error)s",
                    system=self.name,
                    error=error,
                )
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.name, "message": message, "type": "success"},
        }

    def action_register_webhook(self):
        """Subscribe this system's webhook URL at the platform with a new
        secret token (replacing an earlier subscription)."""
        self.ensure_one()
        self._check_platform()
        token = self._generate_webhook_token()
        try:
            registered = self._adapter()._webhook_register(self, self.webhook_url, token)
        except vendor_http.VendorError as error:
            self.write({"webhook_status": "failed", "webhook_error": str(error)})
            return False
        # A platform that makes the secret itself returns it with the id.
        external_id, secret = registered if isinstance(registered, tuple) else (registered, token)
        self.sudo().webhook_secret = secret
        self.write(
            {
                "webhook_status": "registered",
                "webhook_external_id": external_id,
                "webhook_registered_at": fields.Datetime.now(),
                "webhook_error": False,
            }
        )
        return True

    def action_open_backfill(self):
        self.ensure_one()
        self._check_platform()
        self._ensure_pulls()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Backfill %(system)s", system=self.name),
            "res_model": "construction.sync.backfill",
            "view_mode": "form",
            "target": "new",
            "context": {"default_system_id": self.id},
        }

    def _ensure_pulls(self):
        """A pull per resource the platform offers, created once, and the
        system's own pull channel (root.construction_pull.<code>): give it a
        capacity in the job runner's configuration to bound the system's
        concurrency; without one it shares the construction_pull slots."""
        Pull = self.env["construction.sync.pull"].sudo()
        Channel = self.env["queue.job.channel"].sudo()
        parent = self.env.ref("construction_sync.queue_channel_pull")
        for system in self.filtered(lambda system: system.platform != "suite"):
            if not system.queue_channel_id:
                channel = Channel.search(
                    [("parent_id", "=", parent.id), ("name", "=", system.code)], limit=1
                ) or Channel.create({"name": system.code, "parent_id": parent.id})
                system.sudo().queue_channel_id = channel
            known = set(system.pull_ids.mapped("resource"))
            Pull.create(
                [
                    {"system_id": system.id, "resource": resource}
                    for resource, _label in system._adapter()._pull_resources()
                    if resource not in known
                ]
            )

    def _check_platform(self):
        if self.platform == "suite":
            raise UserError(
                self.env._(
                    "%(system)s speaks the suite's own API: choose its platform first.",
                    system=self.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        systems = super().create(vals_list)
        systems._ensure_pulls()
        return systems

    def write(self, vals):
        result = super().write(vals)
        if "platform" in vals:
            self._ensure_pulls()
        return result

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
