from typing import NamedTuple

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import record_cache
from ..lib import schema as schema_lib
from ..lib.problem import ApiError
from .construction_sync_system import SYSTEM_KINDS

MODES = [("realtime", "Real-time"), ("grouped", "Grouped"), ("batch", "Batch")]
# What decides which code runs with a system's rights, which systems of
# record it answers to, and which new systems may send a type: an
# administrator's call, not a Sync Manager's.
ADMINISTRATOR_FIELDS = ("handler", "target_model_id", "default_for_kinds")
# What receiving an event reads of its type: cached (_inbound_values).
INTAKE_FIELDS = (
    "code",
    "handler",
    "schema_version",
    "payload_schema",
    "review_foreign_writes",
    "default_mode",
)


class SyncHandler(NamedTuple):
    """How an inbound event type is applied, declared in code.

    ``model`` and ``method``: what is called with the event. ``groups``:
    XML ids of the groups whose rights the handler needs; a system's
    handler user holds those of the event types the system is granted, and
    nothing more. ``writes``: payload key -> fields of the event type's
    target model that the key changes (``"*"``: fields every event
    changes); ownership rules are checked against them.
    """

    label: str
    model: str
    method: str
    groups: tuple
    writes: dict


# What the address keys of customer.upserted and vendor.upserted write.
PARTNER_WRITES = {
    "vat": ("vat",),
    "email": ("email",),
    "phone": ("phone",),
    "street": ("street",),
    "city": ("city",),
    "zip": ("zip",),
    "country": ("country_id",),
}

# The handlers of the hub; each module adds its own to ``handler`` with
# ``selection_add`` and to :meth:`ConstructionSyncEventType._handlers`.
HANDLERS = {
    "cost_code_upsert": SyncHandler(
        "Cost code upsert",
        "construction.cost.code",
        "_sync_apply_upsert",
        ("construction_sync.group_construction_sync_controller",),
        {
            "code": ("code",),
            "name": ("name",),
            "cost_type": ("cost_type",),
            "unit": ("uom_id",),
            "active": ("active",),
        },
    ),
    "labor": SyncHandler(
        "Labor into timesheets",
        "account.analytic.line",
        "_sync_apply_labor",
        ("hr_timesheet.group_hr_timesheet_approver", "hr.group_hr_user"),
        {
            "employee": ("employee_id",),
            "project": ("project_id",),
            "task": ("task_id",),
            "work_date": ("date",),
            "hours": ("unit_amount",),
            "pay_class": ("construction_pay_class",),
            "crew": ("construction_crew",),
            "approver": ("construction_approver",),
            "description": ("name",),
        },
    ),
    "equipment_usage": SyncHandler(
        "Equipment usage into job cost",
        "account.analytic.line",
        "_sync_apply_equipment_usage",
        # job cost lines have no project: billing users see them even when
        # the same handler user also books timesheets (whose rule wants one)
        ("account.group_account_invoice", "maintenance.group_equipment_manager"),
        {
            "equipment": ("construction_equipment_id",),
            "project": ("account_id",),
            "date": ("date",),
            "hours": ("unit_amount", "amount"),
            "meter_reading": ("construction_meter_reading", "unit_amount", "amount"),
            "description": ("name",),
        },
    ),
    "material_consumed": SyncHandler(
        "Material consumption into job cost and stock",
        "account.analytic.line",
        "_sync_apply_material_consumed",
        ("account.group_account_invoice", "stock.group_stock_user"),
        {
            "product": ("product_id",),
            "project": ("account_id",),
            "quantity": ("unit_amount", "amount"),
            "unit": ("product_uom_id",),
            "date": ("date",),
            "description": ("name",),
        },
    ),
    "task_completed": SyncHandler(
        "Task completed",
        "project.task",
        "_sync_apply_completed",
        ("project.group_project_user",),
        {"*": ("state", "stage_id", "construction_completed_at")},
    ),
    "work_confirmed": SyncHandler(
        "Subcontract work received",
        "purchase.order.line",
        "_sync_apply_work_confirmed",
        ("purchase.group_purchase_user",),
        {"*": ("qty_received",)},
    ),
    # Master data: matched by binding, then natural key; created or updated
    "customer_upsert": SyncHandler(
        "Customer upsert",
        "res.partner",
        "_sync_apply_customer_upsert",
        ("base.group_partner_manager",),
        {"*": ("name", "customer_rank"), **PARTNER_WRITES},
    ),
    "vendor_upsert": SyncHandler(
        "Vendor upsert",
        "res.partner",
        "_sync_apply_vendor_upsert",
        ("base.group_partner_manager",),
        {"*": ("name", "supplier_rank"), **PARTNER_WRITES},
    ),
    "project_upsert": SyncHandler(
        "Project upsert",
        "project.project",
        "_sync_apply_upsert",
        ("project.group_project_manager",),
        {"name": ("name",), "customer": ("partner_id",)},
    ),
    "employee_upsert": SyncHandler(
        "Employee upsert",
        "hr.employee",
        "_sync_apply_upsert",
        ("hr.group_hr_user",),
        {
            "name": ("name",),
            "badge": ("barcode",),
            "email": ("work_email",),
            "job_title": ("job_title",),
        },
    ),
    "equipment_upsert": SyncHandler(
        "Equipment upsert",
        "maintenance.equipment",
        "_sync_apply_upsert",
        ("maintenance.group_equipment_manager",),
        {"name": ("name",), "serial": ("serial_no",), "model": ("model",)},
    ),
    # Engine bookkeeping only: the events a body maps to are applied by
    # their own handlers, with their own grants and rights.
    "connector_unmapped": SyncHandler(
        "Platform body mapped again",
        "construction.sync.exchange",
        "_apply_unmapped",
        (),
        {},
    ),
}


def handler_field(handlers):
    """The ``handler`` field as a module declaring ``handlers`` (``{key:
    SyncHandler}``) extends it; the module's class of the event type also
    names them in ``_sync_handlers``. An event type whose handler goes with
    its module is left without one."""
    return fields.Selection(
        selection_add=[(key, handler.label) for key, handler in handlers.items()],
        ondelete=dict.fromkeys(handlers, "set null"),
    )


class ConstructionSyncEventType(models.Model):
    _name = "construction.sync.event.type"
    _description = "Sync Event Type"
    _inherit = ["mail.thread", "construction.sync.cached.mixin"]
    # the handlers this module declares; each module adding some declares
    # its own (handler_field)
    _sync_handlers = HANDLERS
    _order = "direction, code"
    _rec_name = "code"

    code = fields.Char(
        required=True,
        tracking=True,
        help="Name of the event in payloads, e.g. labor.approved.",
    )
    name = fields.Char(required=True, translate=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="inbound",
        help="Inbound events come from external systems into Odoo; outbound "
        "events are sent by Odoo to the systems subscribed to them.",
    )
    payload_schema = fields.Text(
        required=True,
        default='{"type": "object"}',
        tracking=True,
        help="JSON Schema (draft 2020-12) every payload of this type must match.",
    )
    handler = fields.Selection(
        [(key, handler.label) for key, handler in HANDLERS.items()],
        tracking=True,
        help="What applies an inbound event of this type: one of the handlers the "
        "installed modules declare in their code. Only administrators change it.",
    )
    default_for_kinds = fields.Char(
        "Granted by Default To",
        tracking=True,
        help="Kinds of external system (comma-separated, e.g. timekeeping) that may "
        "send this event type from their creation on; an administrator grants or "
        "withdraws it per system.",
    )
    target_model_id = fields.Many2one(
        "ir.model",
        ondelete="cascade",
        help="Model of the object this event creates or changes: ownership "
        "rules on it are enforced.",
    )
    default_mode = fields.Selection(
        MODES,
        required=True,
        default="realtime",
        tracking=True,
        help="Real-time events are queued at once, a job for what each request "
        "brought; grouped ones are queued a moment later by one job, in chunks, "
        "for systems that send a stream of single events; batch ones wait for "
        "the scheduled drain. A system may override this.",
    )
    schema_version = fields.Integer(
        default=1,
        readonly=True,
        tracking=True,
        help="Version of the payload schema in force; a changed schema is a new "
        "version approved by a second person (Schema Versions).",
    )
    schema_version_ids = fields.One2many(
        "construction.sync.schema.version", "event_type_id", string="Schema Versions"
    )
    review_foreign_writes = fields.Boolean(
        "Review Writes of Non-Owners",
        tracking=True,
        help="Master data: an event of a system that is not the system of record of "
        "what it changes is accepted and waits in review, rather than refused.",
    )
    active = fields.Boolean(default=True)
    description = fields.Text()

    _sql_constraints = [
        (
            "code_uniq",
            "unique (code, direction)",
            "An event type code is unique per direction.",
        ),
    ]

    @api.constrains("payload_schema")
    def _check_payload_schema(self):
        for event_type in self:
            try:
                schema_lib.check_schema(event_type.payload_schema)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "The payload schema of %(type)s is not a valid JSON Schema: %(reason)s",
                        type=event_type.code,
                        reason=error,
                    )
                ) from error

    @api.constrains("handler", "direction")
    def _check_handler(self):
        for event_type in self.filtered(lambda t: t.direction == "inbound" and not t.handler):
            raise ValidationError(
                self.env._("Inbound event type %(type)s needs a handler.", type=event_type.code)
            )

    @api.constrains("default_for_kinds")
    def _check_default_for_kinds(self):
        known = {kind for kind, _label in SYSTEM_KINDS}
        for event_type in self:
            unknown = set(event_type._default_kinds()) - known
            if unknown:
                raise ValidationError(
                    self.env._(
                        "%(type)s is granted by default to unknown system kinds %(kinds)s; "
                        "use %(known)s.",
                        type=event_type.code,
                        kinds=", ".join(sorted(unknown)),
                        known=", ".join(sorted(known)),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(field) for vals in vals_list for field in ADMINISTRATOR_FIELDS):
            self._check_administrator(
                self.env._("choose the handler, target or default grants of an event type")
            )
        event_types = super().create(vals_list)
        for event_type in event_types:
            event_type._grant_to_kinds(event_type._default_kinds())
        return event_types

    def write(self, vals):
        if any(
            field in vals
            and self._fields[field].convert_to_write(event_type[field], event_type)
            != (vals[field] or False)
            for field in ADMINISTRATOR_FIELDS
            for event_type in self
        ):
            self._check_administrator(
                self.env._("change the handler, target or default grants of an event type")
            )
        if (
            "payload_schema" in vals
            and not self.env.su
            and not self.env.context.get("construction_schema_version")
            and any(event_type.payload_schema != vals["payload_schema"] for event_type in self)
        ):
            raise UserError(
                self.env._(
                    "A changed schema is a new version: propose it under Schema Versions; "
                    "it applies once another person approves it."
                )
            )
        before = {event_type: set(event_type._default_kinds()) for event_type in self}
        result = super().write(vals)
        for event_type, kinds in before.items():
            event_type._grant_to_kinds(set(event_type._default_kinds()) - kinds)
        if "handler" in vals:
            self.env["construction.sync.system"].sudo().with_context(active_test=False).search(
                [("inbound_event_type_ids", "in", self.ids), ("handler_user_id", "!=", False)]
            )._sync_handler_user()
        return result

    def _grant_to_kinds(self, kinds):
        """Grant this inbound type to the existing systems of ``kinds``, as
        new systems of those kinds get it: a module installed or upgraded
        with a new event type reaches the systems meant to send it. An
        administrator withdraws it per system."""
        self.ensure_one()
        if not kinds or self.direction != "inbound":
            return
        systems = (
            self.env["construction.sync.system"]
            .sudo()
            .with_context(active_test=False)
            .search([("kind", "in", list(kinds)), ("inbound_event_type_ids", "not in", self.ids)])
        )
        systems.write({"inbound_event_type_ids": [Command.link(self.id)]})

    @api.model
    def _check_administrator(self, what):
        """Raise AccessError unless the user is a Construction administrator:
        a handler decides which code runs with a system's granted rights."""
        if not (
            self.env.su
            or self.env.user.has_group("construction_sync.group_construction_sync_administrator")
        ):
            raise AccessError(
                self.env._("Only a Construction administrator may %(what)s.", what=what)
            )

    @api.model
    def _handlers(self):
        """Every handler the installed modules declare: ``{key:
        SyncHandler}``, from the ``_sync_handlers`` of each module's class of
        this model (:func:`handler_field`)."""
        handlers = {}
        for cls in reversed(type(self).__mro__):
            handlers.update(vars(cls).get("_sync_handlers", {}))
        return handlers

    def _handler(self):
        """This type's handler. Every event received and applied asks for
        it, so the handlers are gathered once per shape of the model's
        class: a module loading in an update changes its bases, and with
        them its ``__mro__``."""
        self.ensure_one()
        cls = type(self)
        memo = vars(cls).get("_handlers_memo")
        if memo is None or memo[0] != cls.__mro__:
            memo = (cls.__mro__, self._handlers())
            cls._handlers_memo = memo
        return memo[1][self.handler]

    def _default_kinds(self):
        self.ensure_one()
        return [kind.strip() for kind in (self.default_for_kinds or "").split(",") if kind.strip()]

    def _written_fields(self, payload):
        """``{field: payload key}`` of the target model's fields an event of
        this type with ``payload`` changes, as its handler declares them
        (key ``""`` for the fields every such event changes)."""
        self.ensure_one()
        writes = self._handler().writes if self.handler else {}
        return {field: key.strip("*") for key in ("*", *payload) for field in writes.get(key, ())}

    @api.model
    @tools.ormcache()
    def _subscribed_codes(self):
        """Codes of the outbound event types some system subscribes to with
        a webhook URL: a change of master data is published only for those,
        and this is read on every such change, so cached (a system's
        subscriptions clear it)."""
        systems = (
            self.env["construction.sync.system"]
            .sudo()
            .search([("outbound_url", "!=", False), ("outbound_event_type_ids", "!=", False)])
        )
        return frozenset(systems.outbound_event_type_ids.mapped("code"))

    @tools.ormcache("self.id")
    def _target_model(self):
        """Name of the model this type's events write, whose ownership rules
        apply ("" if none): read for every event received, so cached until
        an event type changes."""
        return self.sudo().target_model_id.model or ""

    @api.model
    def _inbound(self, code):
        """The active inbound type ``code`` (empty if none), with what
        receiving an event reads of it in the ORM's cache."""
        type_id, values = self._inbound_values(code)
        return record_cache.remember(self.browse(type_id), values)

    @api.model
    @tools.ormcache("code")
    def _inbound_values(self, code):
        """``(id, cached values)`` of the active inbound type ``code``
        (``(0, ())`` if none): read on every received event, so cached until
        an event type changes."""
        event_type = self.search_fetch(
            [("code", "=", code), ("direction", "=", "inbound")], INTAKE_FIELDS, limit=1
        )
        if not event_type:
            return 0, ()
        return event_type.id, record_cache.cache_values(event_type, INTAKE_FIELDS)

    def _validator(self):
        self.ensure_one()
        return schema_lib.validator_for(self.payload_schema)

    def _version(self, number):
        """The schema version ``number`` a system declares it sends:
        :class:`ApiError` when it is unknown, not approved, or past its sunset."""
        self.ensure_one()
        version = self.schema_version_ids.filtered(
            lambda record: (
                record.version == number and record.state in ("current", "deprecated", "retired")
            )
        )
        if not version:
            raise ApiError(
                "unknown_schema_version",
                f"{self.code} has no approved schema version {number}; the current one is "
                f"{self.schema_version}.",
                errors=[{"pointer": "/schema_version", "message": "unknown"}],
            )
        if version._sunset_passed():
            raise ApiError(
                "schema_version_retired",
                f"Version {number} of {self.code} was retired at its sunset "
                f"({version.sunset_at} UTC); send version {self.schema_version}.",
                errors=[{"pointer": "/schema_version", "message": "retired"}],
            )
        return version

    def _declared_version(self, system, version=None):
        """The schema version ``system`` sends events of this type in:
        ``version`` (what an event names) unless an administrator declared
        the system's version, in which case an event naming none is read in
        it and one naming another is refused (:class:`ApiError`)."""
        self.ensure_one()
        declared = system._intake_rules()[1].get(self.id, (None, None))[1]
        if not declared or version in (None, 0, declared):
            return declared or version
        raise ApiError(
            "schema_version_mismatch",
            f"{system.code} is declared to send version {declared} of {self.code}, not "
            f"{version}: send version {declared} (or none), or ask an administrator to "
            "change the version declared for the system.",
            errors=[{"pointer": "/schema_version", "message": f"declared: {declared}"}],
        )

    def _mode_for(self, system):
        self.ensure_one()
        override = system._intake_rules()[1].get(self.id, (None, None))[0]
        return override or self.default_mode
