import re
import secrets
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import http_client, record_cache, vendor_http
from ..lib.problem import ApiError

# Hosts outbound calls may reach although they are not public (see
# lib/http_client.py): a system parameter, which only administrators write.
ALLOWED_HOSTS_PARAMETER = "construction_sync.outbound_allowed_hosts"
# What every API request and webhook delivery reads of its system, cached
# (_request_values) under what finds the system: a write to any of them, or
# to those keys, clears the cache. The service user is what the record rules
# of the field API check on every record a platform writes.
REQUEST_FIELDS = (
    "code",
    "company_id",
    "service_user_id",
    "platform",
    "rate_limit",
    "max_attempts",
    "webhook_intake",
    "webhook_secret",
    "signature_v1_accepted",
)
REQUEST_KEYS = ("service_user_id", "webhook_uuid", "active")

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
    inbound_event_type_ids = fields.Many2many(
        "construction.sync.event.type",
        "construction_sync_system_event_type_grant_rel",
        "system_id",
        "event_type_id",
        string="Allowed Event Types",
        domain=[("direction", "=", "inbound")],
        tracking=True,
        help="The event types this system may send; anything else is refused with "
        "event_type_not_allowed. A new system gets those its kind sends by default; "
        "only Construction administrators change them.",
    )
    missing_event_type_ids = fields.Many2many(
        "construction.sync.event.type",
        string="Not Yet Allowed",
        compute="_compute_missing_event_type_ids",
        help="Event types the system's platform sends that it may not send yet: what "
        "the platform maps them to is refused until an administrator allows them.",
    )
    shared_records = fields.Boolean(
        "May Change Shared Records",
        tracking=True,
        help="Whether this system may change records shared by every company (the "
        "MasterFormat divisions, shared cost codes). Only Construction administrators "
        "set it; without it such a change goes to review.",
    )
    handler_user_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="The user whose rights the handlers of this system's events run with: "
        "those the allowed event types need, in the system's company. It has no "
        "password and no API key, and cannot log in.",
    )
    rate_limit = fields.Integer(
        default=6000, help="Events accepted per minute from this system; 0 means no limit."
    )
    mode_ids = fields.One2many(
        "construction.sync.system.mode",
        "system_id",
        string="Processing Modes",
        help="Event types whose events from this system are applied otherwise than the "
        "type's default: real-time (a job per request), grouped (one job queues whatever waits, "
        "in chunks) or batch (on the schedule).",
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
    webhook_intake = fields.Selection(
        [
            ("request", "Map in the Request"),
            ("job", "Acknowledge First"),
        ],
        required=True,
        default="request",
        tracking=True,
        help="Map in the Request: each delivery is verified, mapped and its events "
        "received before the platform gets its answer, so they show at once. "
        "Acknowledge First: the delivery is verified and kept, the platform is "
        "answered, and one job maps every delivery waiting, in chunks: for "
        "platforms that send bursts of webhooks (the answer is quicker and the "
        "events are applied in larger jobs, a few seconds later).",
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

    @api.model_create_multi
    def create(self, vals_list):
        administrator = self._is_administrator()
        EventType = self.env["construction.sync.event.type"].sudo()
        inbound = EventType.search([("direction", "=", "inbound")])
        for vals in vals_list:
            kind = vals.get("kind", "other")
            defaults = inbound.browse(
                [event_type.id for event_type in inbound if kind in event_type._default_kinds()]
            )
            if "inbound_event_type_ids" not in vals:
                vals["inbound_event_type_ids"] = [Command.set(defaults.ids)]
            elif not administrator:
                asked = self.new({"inbound_event_type_ids": vals["inbound_event_type_ids"]})
                if asked.inbound_event_type_ids._origin - defaults:
                    raise AccessError(
                        self.env._(
                            "Only a Construction administrator may grant event types beyond "
                            "those of the system's kind."
                        )
                    )
            if vals.get("shared_records") and not administrator:
                self._refuse(self.env._("let a system change shared records"))
        systems = super().create(vals_list)
        systems._ensure_pulls()
        if systems.outbound_event_type_ids:
            self.env.registry.clear_cache()  # _subscribed_codes
        return systems

    def write(self, vals):
        if not self._is_administrator():
            self._check_manager_write(vals)
        if "base_url" in vals and not (self.env.su or self.env.user.has_group("base.group_system")):
            moved = self.filtered(lambda system: system.base_url != vals["base_url"])
        else:
            moved = self.browse()
        result = super().write(vals)
        moved._forget_credentials()
        if {"inbound_event_type_ids", "company_id"} & vals.keys():
            self.filtered("handler_user_id")._sync_handler_user()
        if "platform" in vals:
            self._ensure_pulls()
        if {
            "outbound_event_type_ids",
            "outbound_url",
            "inbound_event_type_ids",
            *REQUEST_FIELDS,
            *REQUEST_KEYS,
        } & vals.keys():
            self.env.registry.clear_cache()  # _subscribed_codes, _intake_rules, _request_values
        return result

    def unlink(self):
        if self.filtered("service_user_id") and not self._is_administrator():
            self._refuse(self.env._("delete a system that has a service user"))
        self.env.registry.clear_cache()  # _subscribed_codes
        return super().unlink()

    def _check_manager_write(self, vals):
        """What only an administrator changes: the event types a system may
        send, its right to change shared records, and which user it serves
        once it has one (moving a user to another system takes away the
        request signing of the first)."""
        if "inbound_event_type_ids" in vals:
            asked = self.new({"inbound_event_type_ids": vals["inbound_event_type_ids"]})
            if any(
                system.inbound_event_type_ids != asked.inbound_event_type_ids._origin
                for system in self
            ):
                self._refuse(self.env._("change the event types a system may send"))
        if "shared_records" in vals and any(
            system.shared_records != bool(vals["shared_records"]) for system in self
        ):
            self._refuse(self.env._("let a system change shared records"))
        if "service_user_id" in vals and any(
            system.service_user_id and system.service_user_id.id != vals["service_user_id"]
            for system in self
        ):
            self._refuse(self.env._("change or remove the service user of a system"))

    @api.depends("platform", "inbound_event_type_ids")
    def _compute_missing_event_type_ids(self):
        EventType = self.env["construction.sync.event.type"].sudo()
        for system in self:
            codes = system._adapter()._event_type_codes() if system.platform != "suite" else []
            sent = EventType.search([("code", "in", codes), ("direction", "=", "inbound")])
            system.missing_event_type_ids = sent - system.inbound_event_type_ids

    def action_allow_platform_event_types(self):
        """Allow every event type the platform sends (administrators only:
        the write refuses anyone else)."""
        for system in self:
            system.inbound_event_type_ids |= system.missing_event_type_ids
        return True

    def _is_administrator(self):
        return self.env.su or self.env.user.has_group(
            "construction_sync.group_construction_sync_administrator"
        )

    def _refuse(self, what):
        raise AccessError(self.env._("Only a Construction administrator may %(what)s.", what=what))

    def _forget_credentials(self):
        """Clear the credentials sent to the Base URL of these systems: it
        was changed by someone who may not set them, so they would reach a
        place their owner never chose. An administrator enters them again."""
        if not self:
            return
        self.sudo().write({"api_token": False})
        for system in self:
            system.message_post(
                body=self.env._(
                    "The Base URL changed: the credentials sent to it were cleared. An "
                    "administrator enters them again for the new address."
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _handler_env(self, correlation_id=None):
        """The environment handlers of this system's events run in: its
        handler user (the rights of the event types it is granted, nothing
        more), in the system's company only.

        What a handler creates gets no "created" note and its handler user
        does not follow it, as Odoo's mail gateway and its calendar sync
        create records: the event, its link and its binding already say
        which system made it and when, and nobody reads the notes of a
        service user's followings. Later changes are tracked as ever."""
        self.ensure_one()
        return self.env(
            user=self._handler_user(),
            su=False,
            context=dict(
                self.env.context,
                allowed_company_ids=self.company_id.ids,
                construction_sync_origin_system=self.id,
                construction_sync_correlation_id=correlation_id,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            ),
        )

    def _handler_user(self):
        """The handler user of this system, made when first needed."""
        self.ensure_one()
        # Users are made by administrators; this one by the engine, with the
        # groups the code of the granted handlers declares.
        system = self.sudo()
        if not system.handler_user_id:
            # The first jobs of a new system may run at once on two workers:
            # the row lock makes the second wait for the first to commit,
            # and PostgreSQL then fails it as a concurrent update, which
            # queue_job retries; the retry finds the user.
            self.env.cr.execute(
                "SELECT id FROM construction_sync_system WHERE id = %s FOR UPDATE", [system.id]
            )
            system.handler_user_id = (
                self.env["res.users"]
                .sudo()
                .with_context(no_reset_password=True, tracking_disable=True)
                .create(system._handler_user_vals())
            )
        return system.handler_user_id

    def _handler_user_vals(self):
        self.ensure_one()
        return {
            "name": self.env._("%(system)s (sync handler)", system=self.name),
            "login": f"construction_sync_handler_{self.id}",
            # the sender of the notes and activities its handlers post
            "email": self.company_id.email or self.owner_id.email,
            "active": False,
            "company_id": self.company_id.id,
            "company_ids": [Command.set(self.company_id.ids)],
            "groups_id": [Command.set(self._handler_groups().ids)],
        }

    def _handler_groups(self):
        """Internal user, plus the groups the handlers of the granted event
        types declare in their code."""
        self.ensure_one()
        groups = self.env.ref("base.group_user")
        handlers = self.env["construction.sync.event.type"]._handlers()
        for event_type in self.sudo().inbound_event_type_ids.filtered("handler"):
            # A handler not known yet is that of a module still loading in
            # an update: its event types' data syncs the user again.
            handler = handlers.get(event_type.handler)
            for xmlid in handler.groups if handler else ():
                groups |= self.env.ref(xmlid)
        return groups

    def _sync_handler_user(self):
        """Give the handler users the rights of the event types now granted."""
        for system in self.sudo():
            system.handler_user_id.write(
                {
                    "groups_id": [Command.set(system._handler_groups().ids)],
                    "company_id": system.company_id.id,
                    "company_ids": [Command.set(system.company_id.ids)],
                }
            )

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

    @tools.ormcache("self.id")
    def _intake_rules(self):
        """``(ids of the inbound event types granted, {event type id: (mode,
        declared schema version)})``: read for every event received, so
        cached; granting types and changing the system's modes clear it."""
        self.ensure_one()
        system = self.sudo()
        modes = {
            mode.event_type_id.id: (mode.mode, mode.schema_version) for mode in system.mode_ids
        }
        return frozenset(system.inbound_event_type_ids.ids), modes

    @api.model
    def _for_user(self, user):
        """The system ``user`` is the service user of (empty if none)."""
        return self._for_request("service_user_id", user.id)

    @api.model
    def _for_request(self, key, value):
        """The active system whose ``key`` is ``value`` (empty if none),
        with what every request reads of it (:data:`REQUEST_FIELDS`) in the
        ORM's cache: no query once the worker knows the system."""
        try:
            system_id, values = self._request_values(key, value)
        except LookupError:
            return self.sudo().browse()
        return record_cache.remember(self.sudo().browse(system_id), values)

    @tools.ormcache("key", "value")
    def _request_values(self, key, value):
        """``(id, cached values)`` of the active system whose ``key`` is
        ``value``; :class:`LookupError` when there is none, which is not
        cached (a client guessing paths fills no cache)."""
        system = self.sudo().search_fetch([(key, "=", value)], REQUEST_FIELDS, limit=1)
        if not system:
            raise LookupError(value)
        return system.id, record_cache.cache_values(system, REQUEST_FIELDS)

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

    def action_new_api_key(self):
        """Issue an API key for the service user and show it once (Odoo's
        own "API Key Ready" window): a service user is a portal user, who
        cannot make keys itself. Only settings administrators may, for a key
        acts as its user; the chatter says who issued one, never the key."""
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators issue API keys."))
        if not self.service_user_id:
            raise UserError(self.env._("Choose the service user of %s first.", self.name))
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.service_user_id)
            .sudo()
            ._generate(None, self.env._("%s integration", self.code), None)
        )
        self.message_post(
            body=self.env._(
                "%(admin)s issued a new API key for the service user %(user)s.",
                admin=self.env.user.name,
                user=self.service_user_id.name,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("API Key Ready"),
            "res_model": "res.users.apikeys.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key},
        }

    # ------------------------------------------------------------------
    # Connector layer
    # ------------------------------------------------------------------

    @api.model
    def _for_webhook(self, webhook_uuid):
        """The active platform system whose webhook path is ``webhook_uuid``."""
        system = self._for_request("webhook_uuid", webhook_uuid)
        if not system or system.platform == "suite":
            raise ApiError("not_found", "No system receives webhooks at this address.")
        return system

    def _adapter(self):
        """The platform's adapter (an AbstractModel named after it)."""
        self.ensure_one()
        name = f"construction.sync.adapter.{self.platform}"
        return self.env[name if name in self.env else "construction.sync.adapter"].sudo()

    def _vendor_http(self, method, url, *, params=None, json=None, headers=None, max_bytes=None):
        """Every request to a platform: :meth:`_http_request` (public
        addresses only unless an administrator listed the host, no redirects,
        a bounded answer), its answer read as the connector needs it. Returns
        a :class:`~odoo.addons.construction_sync.lib.vendor_http.VendorResponse`;
        raises a :class:`~odoo.addons.construction_sync.lib.vendor_http.VendorError`
        that names the method, path and status, never a credential."""
        self.ensure_one()
        path = urlsplit(url).path
        limit = max_bytes or vendor_http.DEFAULT_MAX_BYTES
        try:
            response = self._http_request(
                method, url, params=params, json=json, headers=headers, max_bytes=limit
            )
        except http_client.OutboundError as error:
            refusal = (
                vendor_http.VendorUnavailable if error.transient else vendor_http.VendorRefused
            )
            raise refusal(f"{method} {path}: {error}", 0) from None
        vendor_http.check_status(method, path, response.status, response.headers, time.time())
        if not response.complete:
            raise vendor_http.VendorTooLarge(f"{method} {path}: more than {limit} bytes", 200)
        return vendor_http.VendorResponse(response.status, response.headers, response.body)

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
