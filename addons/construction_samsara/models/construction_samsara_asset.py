from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import engine_hours, feed

USAGE_EVENT = "equipment.usage.recorded"
ANOMALY_EVENT = "equipment.usage.anomaly"
METER_TYPES = [
    ("obdEngineSeconds", "On-Board Diagnostics"),
    ("gatewayEngineSeconds", "Gateway (approximate)"),
]
# Where each meter's last reading is kept: (time field, seconds field).
METER_FIELDS = {
    "obdEngineSeconds": ("obd_read_at", "obd_seconds"),
    "gatewayEngineSeconds": ("gateway_read_at", "gateway_seconds"),
}


def _iso(moment):
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ConstructionSamsaraAsset(models.Model):
    """A unit of equipment as Samsara knows it, and the last engine-seconds
    reading of each of its meters already turned into hours: the next pull
    counts from there, so a reading is never counted twice. Its hours are
    costed once it is bound to a piece of Odoo equipment."""

    _name = "construction.samsara.asset"
    _description = "Samsara Asset"
    _order = "system_id, name"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("platform", "=", "samsara")],
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    samsara_id = fields.Char("Samsara ID", required=True, help="Samsara's id of the equipment.")
    name = fields.Char(required=True)
    equipment_id = fields.Many2one(
        "maintenance.equipment",
        compute="_compute_equipment_id",
        inverse="_inverse_equipment_id",
        search="_search_equipment_id",
        help="The Odoo equipment this asset is (its binding for the system): its "
        "engine hours are costed from the first reading after it is bound.",
    )
    meter_type = fields.Selection(
        METER_TYPES,
        "Hours From",
        readonly=True,
        help="On-board diagnostics as soon as the asset reports them, else the "
        "gateway's approximation.",
    )
    obd_read_at = fields.Datetime("Diagnostics Read At", readonly=True)
    obd_seconds = fields.Integer("Diagnostics Engine Seconds", readonly=True)
    gateway_read_at = fields.Datetime(readonly=True)
    gateway_seconds = fields.Integer("Gateway Engine Seconds", readonly=True)
    engine_hours = fields.Float(
        compute="_compute_engine_hours", digits=(16, 2), help="Engine hours since new."
    )
    read_at = fields.Datetime("Last Reading", compute="_compute_engine_hours")

    _sql_constraints = [
        (
            "samsara_uniq",
            "unique (system_id, samsara_id)",
            "A Samsara asset is known once per system.",
        ),
    ]

    @api.depends("meter_type", "obd_seconds", "gateway_seconds", "obd_read_at", "gateway_read_at")
    def _compute_engine_hours(self):
        for asset in self:
            read_at_field, seconds_field = METER_FIELDS.get(asset.meter_type, (None, None))
            asset.engine_hours = asset[seconds_field] / 3600 if seconds_field else 0.0
            asset.read_at = asset[read_at_field] if read_at_field else False

    # ------------------------------------------------------------------
    # Binding to Odoo equipment
    # ------------------------------------------------------------------

    def _bindings(self):
        """The equipment bindings of these assets, by (system id, Samsara id)."""
        bindings = self.env["construction.sync.binding"].search(
            [
                ("system_id", "in", self.system_id.ids),
                ("res_model", "=", "maintenance.equipment"),
                ("external_id", "in", self.mapped("samsara_id")),
            ]
        )
        return {(binding.system_id.id, binding.external_id): binding for binding in bindings}

    def _compute_equipment_id(self):
        bindings = self._bindings()
        Equipment = self.env["maintenance.equipment"]
        for asset in self:
            binding = bindings.get((asset.system_id.id, asset.samsara_id))
            asset.equipment_id = Equipment.browse(binding.res_id) if binding else Equipment

    def _inverse_equipment_id(self):
        bindings = self._bindings()
        for asset in self:
            binding = bindings.get((asset.system_id.id, asset.samsara_id))
            equipment = asset.equipment_id
            if not equipment:
                binding.unlink()
            elif equipment.company_id and equipment.company_id != asset.company_id:
                raise ValidationError(
                    self.env._(
                        "%(equipment)s belongs to %(company)s, not to the company of %(system)s.",
                        equipment=equipment.name,
                        company=equipment.company_id.name,
                        system=asset.system_id.name,
                    )
                )
            elif binding:
                binding.res_id = equipment.id
            else:
                self.env["construction.sync.binding"].create(
                    {
                        "system_id": asset.system_id.id,
                        "res_model": equipment._name,
                        "res_id": equipment.id,
                        "external_id": asset.samsara_id,
                    }
                )

    def _search_equipment_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        bindings = self.env["construction.sync.binding"].search(
            [("res_model", "=", "maintenance.equipment")]
        )
        if not value:
            wanted = bindings
            positive = operator in ("!=", "not in")
        else:
            ids = set(value if isinstance(value, list | tuple) else [value])
            wanted = bindings.filtered(lambda binding: binding.res_id in ids)
            positive = operator in ("=", "in")
        pairs = {(binding.system_id.id, binding.external_id) for binding in wanted}
        assets = self.search([("samsara_id", "in", [external for _system, external in pairs])])
        ids = [asset.id for asset in assets if (asset.system_id.id, asset.samsara_id) in pairs]
        return [("id", "in" if positive else "not in", ids)]

    # ------------------------------------------------------------------
    # Readings → canonical events
    # ------------------------------------------------------------------

    def _last_reading(self, meter):
        self.ensure_one()
        read_at_field, seconds_field = METER_FIELDS[meter]
        if not self[read_at_field]:
            return None
        return feed.Reading(self[read_at_field].replace(tzinfo=UTC), self[seconds_field])

    @api.model
    def _take_page(self, system, page_assets):
        """Envelopes of the usage and anomalies in the readings of one feed
        page (:class:`~..lib.feed.AssetStats`), the assets' last readings
        moved forward in the same transaction. Assets seen for the first
        time are registered; an asset bound to no equipment gives nothing."""
        assets = self._register_assets(system, page_assets)
        by_id = {asset.samsara_id: asset for asset in assets}
        bindings = assets._bindings()
        tz = ZoneInfo(system.samsara_timezone or "UTC")
        max_gap = timedelta(hours=system.samsara_gap_hours)
        found = []
        for stats in page_assets:
            asset = by_id[stats.asset_id]
            binding = bindings.get((system.id, asset.samsara_id))
            meter = feed.meter_type(stats.series, asset.meter_type)
            vals = {"meter_type": meter} if meter != asset.meter_type else {}
            for kind, readings in stats.series.items():
                last = asset._last_reading(kind)
                items, new_last = engine_hours.track(last, readings, tz, max_gap)
                if new_last != last:
                    read_at_field, seconds_field = METER_FIELDS[kind]
                    vals[read_at_field] = new_last.time.replace(tzinfo=None)
                    vals[seconds_field] = new_last.seconds
                if kind == meter and binding:
                    equipment = self.env["maintenance.equipment"].browse(binding.res_id)
                    found += [(asset, equipment, kind, item) for item in items]
            if vals:
                asset.write(vals)
        return self._envelopes(system, found)

    @api.model
    def _register_assets(self, system, page_assets):
        """The assets of the page, created when new and renamed when Samsara
        renamed them."""
        names = {stats.asset_id: stats.name for stats in page_assets}
        assets = self.search([("system_id", "=", system.id), ("samsara_id", "in", list(names))])
        known = set(assets.mapped("samsara_id"))
        assets |= self.create(
            [
                {"system_id": system.id, "samsara_id": samsara_id, "name": name}
                for samsara_id, name in names.items()
                if samsara_id not in known
            ]
        )
        for asset in assets.filtered(lambda asset: asset.name != names[asset.samsara_id]):
            asset.name = names[asset.samsara_id]
        return assets

    @api.model
    def _envelopes(self, system, found):
        usage_days = {
            (equipment, item.day)
            for _asset, equipment, _kind, item in found
            if isinstance(item, engine_hours.Usage)
        }
        placed = self.env["construction.equipment.assignment"]._on_days(usage_days)
        references = {
            project: self._project_reference(system, project)
            for project, _cost_code in set(placed.values())
        }
        envelopes = []
        for asset, equipment, meter, item in found:
            if isinstance(item, engine_hours.Anomaly):
                envelopes.append(asset._anomaly_envelope(meter, item))
                continue
            usage = self._usage_values(asset.samsara_id, asset.name, meter, item)
            target = placed.get((equipment.id, item.day))
            if target:
                project, cost_code = target
                envelopes.append(self._usage_envelope(usage, references[project], cost_code))
            else:
                envelopes.append(asset._unassigned_envelope(meter, usage, equipment))
        return envelopes

    @api.model
    def _usage_values(self, samsara_id, name, meter, usage):
        """What a usage event says, whatever project it lands on."""
        return {
            "source_entry_id": f"samsara:{samsara_id}:{_iso(usage.start)}",
            "equipment": samsara_id,
            "date": usage.day.isoformat(),
            "hours": round(usage.hours, 6),
            "description": self.env._(
                "%(asset)s: %(hours).2f h of engine time (Samsara %(meter)s, %(start)s to "
                "%(end)s UTC)",
                asset=name,
                hours=usage.hours,
                meter=dict(METER_TYPES)[meter],
                start=usage.start.strftime("%H:%M"),
                end=usage.end.strftime("%H:%M"),
            ),
            "occurred_at": _iso(usage.end),
        }

    @api.model
    def _usage_envelope(self, usage, project_reference, cost_code):
        payload = {key: value for key, value in usage.items() if key != "occurred_at"}
        payload.update(project=project_reference, cost_code=cost_code.code)
        return {
            "event_type": USAGE_EVENT,
            "idempotency_key": usage["source_entry_id"],
            "occurred_at": usage["occurred_at"],
            "payload": payload,
        }

    def _anomaly_envelope(self, meter, anomaly):
        self.ensure_one()
        key = f"samsara:{self.samsara_id}:{_iso(anomaly.reading.time)}:{anomaly.kind}"
        return {
            "event_type": ANOMALY_EVENT,
            "idempotency_key": key,
            "occurred_at": _iso(anomaly.reading.time),
            "payload": {
                "source_entry_id": key,
                "equipment": self.samsara_id,
                "kind": anomaly.kind,
                "meter": meter,
                "previous": {
                    "time": _iso(anomaly.previous.time),
                    "seconds": anomaly.previous.seconds,
                },
                "reading": {"time": _iso(anomaly.reading.time), "seconds": anomaly.reading.seconds},
                "reason": anomaly.reason,
            },
        }

    def _unassigned_envelope(self, meter, usage, equipment):
        """Usage of a day its equipment works on no project: to review; replayed
        once the equipment has an assignment, it becomes a usage event."""
        self.ensure_one()
        key = f"{usage['source_entry_id']}:unassigned"
        return {
            "event_type": ANOMALY_EVENT,
            "idempotency_key": key,
            "occurred_at": usage["occurred_at"],
            "payload": {
                "source_entry_id": key,
                "equipment": self.samsara_id,
                "kind": "unassigned",
                "meter": meter,
                "usage": usage,
                "reason": self.env._(
                    "%(equipment)s has no project assignment on %(day)s and no default "
                    "project and cost code",
                    equipment=equipment.name,
                    day=usage["date"],
                ),
            },
        }

    @api.model
    def _project_reference(self, system, project):
        """How ``system`` names ``project`` in its events: the project's
        binding for the system, made on first use. Samsara knows no projects:
        the project is the one Odoo assigns the equipment to, named by its
        Odoo id (``odoo-project-<id>``) for the hub to resolve."""
        # bindings are the engine's bookkeeping, kept as superuser
        Binding = self.env["construction.sync.binding"].sudo()
        binding = Binding.search(
            [
                ("system_id", "=", system.id),
                ("res_model", "=", project._name),
                ("res_id", "=", project.id),
            ],
            limit=1,
        )
        if not binding:
            binding = Binding.create(
                {
                    "system_id": system.id,
                    "res_model": project._name,
                    "res_id": project.id,
                    "external_id": f"odoo-project-{project.id}",
                }
            )
        return binding.external_id

    # ------------------------------------------------------------------
    # Handler of equipment.usage.anomaly
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_usage_anomaly(self, event):
        """Readings that did not become cost wait for a person: a meter
        reset, an implausible jump or a gap in the data stay to review with
        the reason. Usage of a day with no project becomes a usage event as
        soon as the equipment has a project that day (replay the event)."""
        data = event._payload()
        asset = self.search(
            [("system_id", "=", event.system_id.id), ("samsara_id", "=", data["equipment"])],
            limit=1,
        )
        label = asset.name or data["equipment"]
        if data["kind"] != "unassigned":
            raise UserError(
                self.env._(
                    "Samsara asset %(asset)s: %(reason)s. No hours are costed for this "
                    "reading: check the meter in Samsara, and record by hand any usage it "
                    "missed.",
                    asset=label,
                    reason=data["reason"],
                )
            )
        equipment = self.env["construction.sync.resolver"]._resolve(
            event.system_id,
            "maintenance.equipment",
            data["equipment"],
            "/payload/equipment",
            kind="equipment",
        )
        usage = data["usage"]
        day = date.fromisoformat(usage["date"])
        target = self.env["construction.equipment.assignment"]._on_days([(equipment, day)])
        if not target:
            raise UserError(
                self.env._(
                    "Samsara asset %(asset)s ran %(hours).2f h on %(day)s, but %(equipment)s "
                    "works on no project that day: give it a project assignment (or a "
                    "default project and cost code), then replay the event.",
                    asset=label,
                    hours=usage["hours"],
                    day=usage["date"],
                    equipment=equipment.name,
                )
            )
        project, cost_code = target[equipment.id, day]
        envelope = self._usage_envelope(
            usage, self._project_reference(event.system_id, project), cost_code
        )
        # Into the inbox as the connector layer takes a page in: the engine's
        # own intake, whatever the rights the handler runs with.
        usage_event, _created = (
            self.env["construction.sync.event"]
            .sudo()
            ._receive(event.system_id, envelope, exchange=event.exchange_id)
        )
        return usage_event
