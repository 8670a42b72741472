from odoo import Command, api, fields, models

PHOTO_EVENT = "photo.published"


class ConstructionDailyLog(models.Model):
    """What happened on a project's site on one day: weather, crews and
    their headcount per trade, equipment on site, deliveries, delays,
    safety notes and the day's photos. Written in the UI or fed by a field
    timekeeping / daily report platform (one log per project, day and
    source: a platform's report and the office's own log stand side by
    side)."""

    _name = "construction.daily.log"
    _description = "Daily Log"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, project_id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    project_id = fields.Many2one(
        "project.project", required=True, index=True, tracking=True, check_company=True
    )
    site_id = fields.Many2one(
        "construction.site",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('project_id', '=', project_id)]",
        help="The project's site, where the day's photos are filed as field evidence.",
    )
    date = fields.Date(required=True, index=True, tracking=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    source_system_id = fields.Many2one(
        "construction.sync.system",
        "Source",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The platform that reported this log; empty for a log written here.",
    )
    weather = fields.Char(tracking=True, help="e.g. Clear, light wind")
    temperature_high = fields.Float("High (°C)", digits=(4, 1))
    temperature_low = fields.Float("Low (°C)", digits=(4, 1))
    precipitation = fields.Char()
    weather_delay = fields.Boolean(tracking=True, help="Weather stopped or slowed the work.")
    crew_ids = fields.One2many("construction.daily.log.crew", "log_id", "Crews", copy=True)
    headcount = fields.Integer(compute="_compute_totals", store=True, help="Workers on site.")
    crew_hours = fields.Float(compute="_compute_totals", store=True)
    equipment_ids = fields.One2many(
        "construction.daily.log.equipment", "log_id", "Equipment on Site", copy=True
    )
    deliveries = fields.Text()
    delays = fields.Text()
    safety_notes = fields.Text()
    notes = fields.Html()
    photo_ids = fields.Many2many(
        "construction.photo",
        string="Photos",
        domain="[('site_id', '=', site_id)]",
        check_company=True,
    )
    photo_count = fields.Integer(compute="_compute_photo_count")

    _sql_constraints = [
        (
            "project_date_source_uniq",
            "unique nulls not distinct (project_id, date, source_system_id)",
            "A project has one daily log a day per source: open the existing one.",
        ),
    ]

    @api.depends("project_id.name", "date")
    def _compute_name(self):
        for log in self:
            log.name = f"{log.project_id.name or ''} — {log.date or ''}"

    @api.depends("project_id")
    def _compute_company_id(self):
        for log in self:
            log.company_id = log.project_id.company_id or log.company_id or self.env.company

    @api.depends("crew_ids.headcount", "crew_ids.hours")
    def _compute_totals(self):
        for log in self:
            log.headcount = sum(log.crew_ids.mapped("headcount"))
            log.crew_hours = sum(log.crew_ids.mapped("hours"))

    @api.depends("photo_ids")
    def _compute_photo_count(self):
        for log in self:
            log.photo_count = len(log.photo_ids)

    @api.onchange("project_id")
    def _onchange_project_id(self):
        if self.project_id and self.site_id.project_id != self.project_id:
            self.site_id = self.env["construction.site"].search(
                [("project_id", "=", self.project_id.id)], limit=1
            )

    def action_open_photos(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Photos of %(log)s", log=self.name),
            "res_model": "construction.photo",
            "view_mode": "kanban,list,form",
            "domain": [("id", "in", self.photo_ids.ids)],
        }

    # ------------------------------------------------------------------
    # Platforms (daily_log.reported)
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_reported(self, event):
        """Handler of ``daily_log.reported``, in its queue job: the log of
        the platform's report on the project bound to its project id, its
        crews and equipment replaced by the report's; its photos are received
        as ``photo.published`` events of their own, applied at once on the
        project's site (bound to the platform's project id) and linked."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        binding, log = Resolver._binding(system, self._name, data["external_id"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        project = Resolver._resolve(
            system, "project.project", data["project"], "/payload/project", "project"
        )
        site = self._reported_site(system, project, data["project"])
        vals = self._prepare_reported_vals(data, project, site, system)
        if log:
            log.write(vals)
        else:
            log = self.with_company(project.company_id or system.company_id).create(vals)
        photos = self._reported_photos(event, data)
        log.photo_ids = [Command.link(photo.id) for photo in photos]
        Resolver._bind(event, binding, log, data["external_id"])
        return log

    @api.model
    def _prepare_reported_vals(self, data, project, site, system):
        weather = data.get("weather") or {}
        return {
            "project_id": project.id,
            "site_id": site.id,
            "date": fields.Date.to_date(data["date"]),
            "source_system_id": system.id,
            "weather": weather.get("summary") or False,
            "temperature_high": weather.get("temperature_high") or 0.0,
            "temperature_low": weather.get("temperature_low") or 0.0,
            "precipitation": weather.get("precipitation") or False,
            "weather_delay": bool(weather.get("delay")),
            "crew_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "trade": crew["trade"],
                        "company_name": crew.get("company") or False,
                        "headcount": crew.get("headcount") or 0,
                        "hours": crew.get("hours") or 0.0,
                    }
                )
                for crew in data.get("crews") or []
            ],
            "equipment_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": item["name"],
                        "quantity": item.get("quantity") or 1,
                        "hours": item.get("hours") or 0.0,
                        "status": item.get("status") or False,
                    }
                )
                for item in data.get("equipment") or []
            ],
            "deliveries": data.get("deliveries") or False,
            "delays": data.get("delays") or False,
            "safety_notes": data.get("safety") or False,
            "notes": data.get("notes") or False,
        }

    @api.model
    def _reported_site(self, system, project, project_reference):
        """The site of the platform's project: the one bound to its id,
        else the Odoo project's site, else a new site for the project;
        bound to the id, so that the report's photos are filed there."""
        Resolver = self.env["construction.sync.resolver"]
        binding, site = Resolver._binding(system, "construction.site", project_reference)
        if site:
            return site
        Site = self.env["construction.site"]
        site = Site.search([("project_id", "=", project.id)], limit=1) or Site.with_company(
            project.company_id or system.company_id
        ).create({"name": project.name, "project_id": project.id})
        if binding:
            binding.sudo().res_id = site.id
        else:
            self.env["construction.sync.binding"].sudo().create(
                {
                    "system_id": system.id,
                    "res_model": site._name,
                    "res_id": site.id,
                    "external_id": project_reference,
                }
            )
        return site

    @api.model
    def _reported_photos(self, event, data):
        """The report's photos, received as ``photo.published`` events
        through the exchange that brought the report and applied at once
        (each downloaded and filed on the site once); a photo that could not
        be stored waits in its own event and is left out."""
        envelopes = [
            {
                "event_type": PHOTO_EVENT,
                "idempotency_key": f"photo:{photo['external_id']}",
                "occurred_at": event.occurred_at.isoformat() + "Z" if event.occurred_at else None,
                "payload": dict(photo, site_external_id=data["project"]),
            }
            for photo in data.get("photos") or []
        ]
        envelopes = [
            {key: value for key, value in envelope.items() if value is not None}
            for envelope in envelopes
        ]
        if not envelopes:
            return self.env["construction.photo"]
        # The exchange and the events it brings are the engine's bookkeeping;
        # each photo is applied by its own handler with the system's rights.
        Exchange = self.env["construction.sync.exchange"].sudo()
        exchange = event.exchange_id.sudo() or Exchange.create(
            {"system_id": event.system_id.id, "kind": "fetch", "resource": PHOTO_EVENT}
        )
        events = exchange._ingest(envelopes, enqueue=False)
        for photo_event in events.filtered(lambda e: e.state in ("received", "queued")):
            photo_event._apply_one()
        Resolver = self.env["construction.sync.resolver"]
        photos = self.env["construction.photo"]
        for envelope in envelopes:
            photos |= Resolver._binding(
                event.system_id, "construction.photo", envelope["payload"]["external_id"]
            )[1]
        return photos
