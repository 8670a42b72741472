"""The demo story: a paving contractor's months with the suite.

Everything goes through the suite's own paths: estimates through the import
wizard, revisions and diff included; budgets, change orders and purchase
orders through their buttons and the RFQ wizard; field actuals as inbox
events (:meth:`construction.sync.event._receive`, the one intake of the API,
webhooks and pulls) applied by their queue jobs; photos through the field
upload's model path with generated pavement images and detection boxes;
reviews through the review buttons and wizard; variances through the
reconciliation of a system's totals; share links issued as the office issues
them and answered as the share page records it. Seeded: the same size gives
the same story."""

import base64
import hashlib
import json
import random
from datetime import date, datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.addons.queue_job.job import Job
from odoo.exceptions import UserError

from ..lib.pavement import pavement_photo

# How much history each size makes: months back, photos per project and
# month, crew members per project and day (one more than this), and every how
# many working days a crew's day is booked (the suite applies each event for
# real: about a quarter of a second each on a busy 2-core machine).
SIZES = {
    "small": {"months": 1, "photos": 2, "crew": 1, "day_step": 4},
    "full": {"months": 4, "photos": 4, "crew": 1, "day_step": 3},
}
# Asphalt is delivered on every third day booked.
MATERIAL_EVERY = 3
LOADED_PARAM = "construction_demo.story_loaded"
ESTIMATE_HEADER = [
    "line_id",
    "parent_id",
    "description",
    "cost_code",
    "quantity",
    "unit",
    "unit_cost",
    "vendor",
    "product",
    "alternate",
    "included",
    "bid_package",
]
# (key, name, customer, stage, months of history ending how many months ago,
#  company: "main" or "second", latitude, longitude)
PROJECTS = [
    ("LKV", "Lakeview Medical Center Lot Rehabilitation", "Lakeview Health Partners",
     "In Progress", (1.0, 0.0), "main", 41.9402, -87.6453),
    ("OAK", "Oak Street School Bus Loop", "Oak Street School District",
     "In Progress", (0.5, 0.0), "main", 41.9010, -87.6290),
    ("HBR", "Harbor Logistics Yard Repaving", "Harbor Logistics Inc.",
     "Closing", (1.0, 0.15), "main", 41.8440, -87.6130),
    ("NGT", "Northgate Mall Seal Coat and Striping", "Northgate Mall Owners Association",
     "Bidding", None, "main", 42.0450, -87.6880),
    ("KEN", "Kenosha Transit Depot Patching", "Kenosha Area Transit",
     "In Progress", (0.6, 0.0), "second", 42.5847, -87.8212),
]  # fmt: skip
STAGES = ["Bidding", "In Progress", "Closing"]
# Each yard's crew, three people: the main company's three yards, then Wisconsin's.
CREW = [
    ("Maria Lopez", 42.0), ("James Carter", 38.0), ("Ahmed Hassan", 45.0),
    ("Lena Novak", 36.0), ("Tom Becker", 40.0), ("Grace Kim", 39.0),
    ("Samuel Okafor", 41.0), ("Irene Walsh", 37.0), ("Victor Chen", 44.0),
    ("Kasia Nowak", 38.0), ("Dale Jensen", 40.0), ("Rosa Alvarez", 39.0),
]  # fmt: skip
DEFECT_KINDS = ["alligator_cracking", "pothole", "longitudinal_cracking", "transverse_cracking"]


def estimate_csv(rows):
    lines = [",".join(ESTIMATE_HEADER)]
    for values in rows:
        lines.append(",".join(str(values.get(column, "")) for column in ESTIMATE_HEADER))
    return ("\n".join(lines) + "\n").encode()


def estimate_rows(plan, revision):
    """A paving estimate's lines sized by ``plan`` (quantities per line);
    revision 2 adds crack sealing and more patching, as the estimator's
    second pass does."""
    patching = round(plan["patching"] * (1.25 if revision > 1 else 1))
    rows = [
        {"line_id": "A1", "description": "Paving assembly", "bid_package": "Paving"},
        {
            "line_id": "L1", "parent_id": "A1", "description": "1.5 in. hot mix asphalt overlay",
            "cost_code": "32 12 16", "quantity": round(plan["asphalt"]), "unit": "t",
            "unit_cost": 92, "vendor": "Summit Asphalt Supply", "product": "HMA-9.5",
            "bid_package": "Paving",
        },
        {
            "line_id": "L2", "description": "Full-depth asphalt patching",
            "cost_code": "32 01 17.13", "quantity": patching,
            "unit": "ft²", "unit_cost": 4.5, "bid_package": "Paving",
        },
        {
            "line_id": "L3", "description": "Restripe stalls and arrows",
            "cost_code": "32 17 23", "quantity": round(plan["striping"]), "unit": "ft",
            "unit_cost": 0.45, "vendor": "LineCraft Striping", "product": "STRIPE-4IN",
            "bid_package": "Striping",
        },
        {
            "line_id": "L4", "description": "Traffic control and lot closure",
            "cost_code": "01 55 26", "quantity": round(plan["traffic"]), "unit": "Hours",
            "unit_cost": 65,
        },
        {
            "line_id": "L5", "description": "Alternate: seal coat the rear lot",
            "cost_code": "32 01 13.62", "quantity": round(plan["striping"] * 4), "unit": "ft²",
            "unit_cost": 0.28, "alternate": "yes", "included": "no", "bid_package": "Paving",
        },
    ]  # fmt: skip
    if revision > 1:
        rows.append(
            {
                "line_id": "L6",
                "description": "Crack sealing along the drive aisles",
                "cost_code": "32 01 17.61",
                "quantity": round(plan["striping"] / 2),
                "unit": "ft",
                "unit_cost": 1.1,
            }
        )
    return rows


class ConstructionDemoStory(models.AbstractModel):
    _name = "construction.demo.story"
    _description = "Demo Story Loader"

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    @api.model
    def _load(self, size="full", today=None, progress=None):
        """Load the story into this database (its modules' demo data
        installed) and return a summary: the projects' ids per key, the
        replayed event's id, the share links' URLs. Dates count back from
        ``today`` (today by default). ``progress(label, done, total)`` is
        called after each step. Loads once: a second call raises UserError.
        """
        if size not in SIZES:
            raise UserError(self.env._("Unknown demo size %(size)s.", size=size))
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(LOADED_PARAM):
            raise UserError(self.env._("The demo story is already loaded in this database."))
        story = _Story(self.sudo().with_context(tracking_disable=True), size, today, progress)
        summary = story.run()
        params.set_param(LOADED_PARAM, fields.Datetime.to_string(fields.Datetime.now()))
        return summary


class _Story:
    """The loader's state while it runs: the records made so far."""

    def __init__(self, env_model, size, today, progress):
        self.env = env_model.env
        self.size = SIZES[size]
        self.today = today or fields.Date.context_today(env_model)
        self.rng = random.Random(f"construction-demo-{size}")
        self.progress = progress or (lambda label, done, total: None)
        self.projects = {}
        self.summary = {"share_urls": []}

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------

    def run(self):
        steps = [
            ("Companies, crews and systems", self.setup_organisation),
            ("Projects, sites and tasks", self.setup_projects),
            ("Estimates and revisions (import wizard)", self.import_estimates),
            ("Budgets, change orders and purchase orders", self.budgets_and_commitments),
        ]
        history = [key for key, *rest in PROJECTS if rest[3]]
        total = len(steps) + len(history) + 4
        done = 0
        for label, step in steps:
            step()
            done += 1
            self.progress(label, done, total)
        for key in history:
            self.field_history(key)
            done += 1
            self.progress(f"Field history of {self.projects[key]['project'].name}", done, total)
        for label, step in [
            ("Completions and reviews", self.completions_and_reviews),
            ("Events to review, a dead one and a replay", self.events_in_every_state),
            ("Reconciliation variances", self.variances),
            ("Client share links", self.share_links),
        ]:
            step()
            done += 1
            self.progress(label, done, total)
        self.env.flush_all()
        return self.summary

    # ------------------------------------------------------------------
    # Organisation
    # ------------------------------------------------------------------

    def setup_organisation(self):
        env = self.env
        self.main_company = env.ref("base.main_company")
        self.main_company.name = "Great Lakes Paving Inc."
        self.second_company = env["res.company"].create(
            {
                "name": "Great Lakes Paving of Wisconsin LLC",
                "currency_id": self.main_company.currency_id.id,
                "country_id": env.ref("base.us").id,
            }
        )
        admin = env.ref("base.user_admin")
        admin.company_ids |= self.second_company
        stage_group = env.ref("project.group_project_stages")
        env.ref("base.group_user").implied_ids |= stage_group
        Stage = env["project.project.stage"]
        self.stages = {
            name: Stage.search([("name", "=", name)], limit=1)
            or Stage.create({"name": name, "sequence": sequence})
            for sequence, name in enumerate(STAGES, start=1)
        }
        self.employees = {}
        for company in (self.main_company, self.second_company):
            crew = CREW[:9] if company == self.main_company else CREW[9:]
            self.employees[company] = env["hr.employee"].create(
                [
                    {"name": name, "hourly_cost": cost, "company_id": company.id}
                    for name, cost in crew
                ]
            )
        System = env["construction.sync.system"]
        self.fieldcam = self._system("construction_sync.sync_system_fieldcam", "fieldcam")
        self.crewclock = self._system("construction_sync.sync_system_crewclock", "crewclock")
        self.bidmaster = self._system("construction_sync.sync_system_bidmaster", "bidmaster")
        self.trackiron = System.create(
            {
                "name": "TrackIron Telematics",
                "code": "trackiron",
                "kind": "equipment",
                "base_url": "https://api.trackiron.example",
                "owner_id": admin.id,
                "max_attempts": 3,
            }
        )
        self.crewclock_wi = System.create(
            {
                "name": "CrewClock Timekeeping (Wisconsin)",
                "code": "crewclock-wi",
                "kind": "timekeeping",
                "company_id": self.second_company.id,
                "base_url": "https://crewclock.example/api",
                "owner_id": admin.id,
            }
        )
        self.fieldcam_wi = System.create(
            {
                "name": "FieldCam Photo App (Wisconsin)",
                "code": "fieldcam-wi",
                "kind": "field_evidence",
                "company_id": self.second_company.id,
                "base_url": "https://api.fieldcam.example",
                "owner_id": admin.id,
            }
        )
        (self.fieldcam | self.crewclock | self.bidmaster).write({"owner_id": admin.id})
        self._grant(self.crewclock, "labor.approved", "material.consumed")
        self._grant(self.crewclock_wi, "labor.approved")
        self._grant(self.trackiron, "equipment.usage.recorded")
        for system in (self.fieldcam, self.fieldcam_wi):
            self._grant(system, "photo.captured", "defect.detected", "field.task.completed")
        for company, system in (
            (self.main_company, self.crewclock),
            (self.second_company, self.crewclock_wi),
        ):
            for index, employee in enumerate(self.employees[company], start=1):
                self._bind(system, employee, f"EMP-{company.id}-{index:02d}")
        # One machine per yard the main company works in, each with its rate.
        machines = [
            ("Asphalt paver CAT AP555F", "AP555F-0931", 145.0),
            ("Skid steer Bobcat S650", "S650-22817", 62.0),
            ("Tandem roller Hamm HD+ 90", "HD90-4410", 88.0),
        ]
        self.equipment = env["maintenance.equipment"].create(
            [
                {"name": name, "serial_no": serial, "company_id": self.main_company.id}
                for name, serial, _rate in machines
            ]
        )
        env["construction.equipment.rate"].create(
            [
                {"equipment_id": equipment.id, "date_from": date(2020, 1, 1), "hourly_rate": rate}
                for equipment, (_name, _serial, rate) in zip(self.equipment, machines, strict=True)
            ]
        )
        for index, equipment in enumerate(self.equipment, start=1):
            self._bind(self.trackiron, equipment, f"UNIT-{index}")
        # the vendors and products the estimates name (the modules' demo has them)
        for name in ("Summit Asphalt Supply", "LineCraft Striping"):
            self._partner(name)
        self._product("HMA-9.5", "Hot Mix Asphalt", "uom.product_uom_ton", 92.0, "consu")
        self._product("STRIPE-4IN", "Pavement Striping", "uom.product_uom_foot", 0.45, "service")
        # BidMaster's CSV export, as each company's estimators read it
        self.profiles = {
            company: env["construction.estimate.import.profile"].create(
                {"name": "BidMaster CSV export", "system_id": system.id, "company_id": company.id}
            )
            for company, system in (
                (self.main_company, self.bidmaster),
                (self.second_company, self.bidmaster.browse()),
            )
        }

    def _system(self, xmlid, code):
        system = self.env.ref(xmlid, raise_if_not_found=False)
        return system or self.env["construction.sync.system"].create(
            {"name": code.title(), "code": code, "kind": "other"}
        )

    def _grant(self, system, *codes):
        types = self.env["construction.sync.event.type"].search(
            [("direction", "=", "inbound"), ("code", "in", codes)]
        )
        system.inbound_event_type_ids |= types

    def _bind(self, system, record, external_id):
        return self.env["construction.sync.binding"].create(
            {
                "system_id": system.id,
                "res_model": record._name,
                "res_id": record.id,
                "external_id": external_id,
            }
        )

    def _partner(self, name, **vals):
        Partner = self.env["res.partner"]
        return Partner.search([("name", "=", name)], limit=1) or Partner.create(
            dict({"name": name, "is_company": True}, **vals)
        )

    def _product(self, code, name, uom_xmlid, price, kind):
        Product = self.env["product.product"]
        product = Product.search([("default_code", "=", code)], limit=1)
        if not product:
            uom = self.env.ref(uom_xmlid)
            product = Product.create(
                {
                    "name": name,
                    "default_code": code,
                    "type": kind,
                    "uom_id": uom.id,
                    "uom_po_id": uom.id,
                    "standard_price": price,
                }
            )
        product.write({"supplier_taxes_id": [Command.clear()], "purchase_method": "purchase"})
        return product

    # ------------------------------------------------------------------
    # Projects
    # ------------------------------------------------------------------

    def setup_projects(self):
        env = self.env
        for key, name, customer, stage, window, company_key, lat, lon in PROJECTS:
            company = self.main_company if company_key == "main" else self.second_company
            partner = self._partner(customer, company_id=False)
            project = env["project.project"].create(
                {
                    "name": name,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "allow_timesheets": True,
                    "stage_id": self.stages[stage].id,
                }
            )
            d = 0.0008
            site = env["construction.site"].create(
                {
                    "name": name.replace(" Rehabilitation", "").replace(" Repaving", ""),
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "company_id": company.id,
                    "latitude": lat,
                    "longitude": lon,
                    "boundary_geojson": json.dumps(
                        {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [lon - d, lat - d],
                                    [lon + d, lat - d],
                                    [lon + d, lat + d],
                                    [lon - d, lat + d],
                                    [lon - d, lat - d],
                                ]
                            ],
                        }
                    ),
                }
            )
            tasks = env["project.task"].create(
                [
                    {"name": task_name, "project_id": project.id, "company_id": company.id}
                    for task_name in (
                        "Mobilize and traffic control",
                        "Patch failed areas",
                        "Mill and overlay",
                        "Stripe and close out",
                    )
                ]
            )
            days, start, end = [], None, None
            if window:
                length = 30 * self.size["months"]
                start = self.today - timedelta(days=round(window[0] * length))
                # the crews book today's hours later: queued, see events_in_every_state
                last = self.today - timedelta(days=max(1, round(window[1] * length)))
                # in progress: 40 % of the schedule still ahead
                end = last if stage == "Closing" else last + (last - start) * 2 // 3
                project.write({"date_start": start, "date": end})
                day = start
                while day <= last:
                    if day.weekday() < 5:
                        days.append(day)
                    day += timedelta(days=1)
            timekeeping = self.crewclock if company_key == "main" else self.crewclock_wi
            external_id = f"JOB-{key}"
            self._bind(timekeeping, project, external_id)
            if company_key == "main":
                self._bind(self.trackiron, project, external_id)
            field_system = self.fieldcam if company_key == "main" else self.fieldcam_wi
            for index, task in enumerate(tasks, start=1):
                self._bind(field_system, task, f"{external_id}-T{index}")
            self.projects[key] = {
                "project": project,
                "site": site,
                "tasks": tasks,
                "stage": stage,
                "company": company,
                "days": days[:: self.size["day_step"]],
                "schedule": (start, end),
                "machine": self.equipment[len(self.projects)]
                if company_key == "main" and window
                else self.equipment.browse(),
                "timekeeping": timekeeping,
                "field_system": field_system,
                "crew": self._crew(company, window),
                "external_id": external_id,
            }
            self.projects[key]["plan"] = self._plan(key, window)
        self.summary["projects"] = {key: data["project"].id for key, data in self.projects.items()}

    def _crew(self, company, window):
        """The next three people of the company not on a yard yet (a person
        works on one yard a day), as many of them as the size books."""
        if not window:
            return self.env["hr.employee"]
        taken = sum((data["crew"] for data in self.projects.values()), self.env["hr.employee"])
        free = self.employees[company] - taken
        return free[:3][: self.size["crew"] + 1]

    def _plan(self, key, window):
        """The estimate's quantities: what the crews will book over the whole
        schedule, with a margin, so that the budget is spent at the pace of
        the schedule (the anomaly checks hold what runs ahead of it)."""
        data = self.projects[key]
        start, end = data["schedule"]
        weekdays = 60
        if window:
            weekdays = sum(
                1 for offset in range((end - start).days + 1)
                if (start + timedelta(days=offset)).weekday() < 5
            )  # fmt: skip
        days = weekdays / self.size["day_step"]
        crew = data["crew"]
        patching_cost = sum(e.hourly_cost * 8 for i, e in enumerate(crew) if i % 2 == 0)
        traffic_hours = sum(8 for i, _e in enumerate(crew) if i % 2 == 1)
        machine = data["machine"]
        rate = machine.construction_rate_ids[:1].hourly_rate if machine else 0.0
        asphalt = days * (0.6 * 6.5 * rate / 92 + 24 / MATERIAL_EVERY)
        margin = 1.25
        return {
            "patching": patching_cost * days * margin / 4.5,
            "traffic": max(8, traffic_hours * days * margin),
            "asphalt": max(120, asphalt * margin),
            "striping": 4000 + 200 * weekdays,
        }

    # ------------------------------------------------------------------
    # Estimates, budgets, commitments
    # ------------------------------------------------------------------

    def import_estimates(self):
        Wizard = self.env["construction.estimate.import.wizard"]
        for key, data in self.projects.items():
            revisions = 2 if key in ("LKV", "NGT", "HBR") else 1
            for revision in range(1, revisions + 1):
                content = estimate_csv(estimate_rows(data["plan"], revision))
                wizard = Wizard.with_company(data["company"]).create(
                    {
                        "file": base64.b64encode(content),
                        "filename": f"EST-{key}-r{revision}.csv",
                        "profile_id": self.profiles[data["company"]].id,
                        "project_id": data["project"].id,
                        "partner_id": data["project"].partner_id.id,
                        "name": data["project"].name,
                        "external_ref": f"EST-{key}",
                        "company_id": data["company"].id,
                    }
                )
                wizard.action_preview()
                if wizard.issue_ids:
                    raise UserError(
                        "; ".join(wizard.issue_ids.mapped("message"))
                    )  # the story's own files are clean
                action = wizard.action_import()
                data["estimate"] = self.env["construction.estimate"].browse(action["res_id"])

    def budgets_and_commitments(self):
        for key, data in self.projects.items():
            if data["stage"] == "Bidding":
                continue
            estimate = data["estimate"].with_company(data["company"])
            estimate.action_approve()
            estimate.action_create_budget()
            budget = estimate.budget_id
            budget.action_approve()
            data["budget"] = budget
            ordered = budget.line_ids.filtered(
                lambda line: line.cost_code_id.code in ("32 12 16", "32 17 23")
            )
            if not ordered or data["company"] != self.main_company:
                continue
            wizard = (
                self.env["construction.budget.rfq.wizard"]
                .with_company(data["company"])
                .with_context(active_model="construction.budget.line", active_ids=ordered.ids)
                .create({})
            )
            action = wizard.action_create_rfqs()
            orders = self._orders_from(action)
            orders.button_confirm()
            data["orders"] = orders
            if key == "LKV":
                paving = budget.line_ids.filtered(
                    lambda line: line.cost_code_id.code == "32 01 17.13"
                )
                change = self.env["construction.change.order"].create(
                    {
                        "title": "Extra base repair at the ambulance entrance",
                        "budget_id": budget.id,
                        "source": "field",
                        "reason": "Soft subgrade found under the entrance patch; the owner "
                        "approved 400 ft² more full-depth repair.",
                        "line_ids": [
                            Command.create(
                                {
                                    "cost_code_id": paving.cost_code_id.id,
                                    "description": "Full-depth repair, entrance",
                                    "quantity_delta": 400,
                                    "amount_delta": 1800,
                                }
                            )
                        ],
                    }
                )
                change.action_submit()
                change.action_approve()

    def _orders_from(self, action):
        Order = self.env["purchase.order"]
        if action.get("res_id"):
            return Order.browse(action["res_id"])
        return Order.search(action.get("domain") or [("id", "=", 0)])

    # ------------------------------------------------------------------
    # Field history: events through the inbox and their jobs, photos
    # ------------------------------------------------------------------

    def field_history(self, key):
        data = self.projects[key]
        crew = data["crew"]
        envelopes = {data["timekeeping"]: [], self.trackiron: []}
        for number, day in enumerate(data["days"]):
            # Each week as the systems send it, applied before the next: the
            # anomaly checks judge every entry against the history before it.
            if number and day.isocalendar()[:2] != data["days"][number - 1].isocalendar()[:2]:
                self._send_week(envelopes)
            for index, employee in enumerate(crew):
                # within a working day: the anomaly checks hold longer ones
                hours = 8.0 if self.rng.random() < 0.8 else 7.5
                code = "32 01 17.13" if index % 2 == 0 else "01 55 26"
                envelopes[data["timekeeping"]].append(
                    self._envelope(
                        "labor.approved",
                        f"{key}-{day}-L{index}",
                        day,
                        {
                            "source_entry_id": f"TE-{key}-{day:%Y%m%d}-{index}",
                            "employee": self._external_id(data["timekeeping"], employee),
                            "project": data["external_id"],
                            "cost_code": code,
                            "work_date": day.isoformat(),
                            "hours": hours,
                            "pay_class": "regular",
                            "crew": "Paving crew 1",
                        },
                    )
                )
            if data["machine"] and self.rng.random() < 0.6:
                envelopes[self.trackiron].append(
                    self._envelope(
                        "equipment.usage.recorded",
                        f"{key}-{day}-E",
                        day,
                        {
                            "source_entry_id": f"USE-{key}-{day:%Y%m%d}",
                            "equipment": self._external_id(self.trackiron, data["machine"]),
                            "project": data["external_id"],
                            "cost_code": "32 12 16",
                            "date": day.isoformat(),
                            "hours": round(self.rng.uniform(4, 6.5), 1),
                        },
                    )
                )
            # the first delivery once the work is under way, never on day one
            if data["machine"] and number % MATERIAL_EVERY == MATERIAL_EVERY - 1:
                envelopes[data["timekeeping"]].append(
                    self._envelope(
                        "material.consumed",
                        f"{key}-{day}-M",
                        day,
                        {
                            "source_entry_id": f"MAT-{key}-{day:%Y%m%d}",
                            "product": "HMA-9.5",
                            "quantity": round(self.rng.uniform(8, 24), 1),
                            "unit": "t",
                            "project": data["external_id"],
                            "cost_code": "32 12 16",
                            "date": day.isoformat(),
                        },
                    )
                )
        if data["days"]:
            self._send_week(envelopes)
        self._photos(key)

    def _send_week(self, envelopes):
        for system, batch in envelopes.items():
            self._receive_and_run(system, batch)
            batch.clear()

    def _external_id(self, system, record):
        return (
            self.env["construction.sync.binding"]
            .search(
                [
                    ("system_id", "=", system.id),
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                ],
                limit=1,
            )
            .external_id
        )

    def _envelope(self, event_type, key, day, payload):
        occurred = datetime.combine(day, time(22, 0))
        return {
            "event_type": event_type,
            "idempotency_key": key,
            "occurred_at": occurred.isoformat() + "+00:00",
            "correlation_id": f"demo-{hashlib.sha1(key.encode()).hexdigest()[:12]}",
            "payload": payload,
        }

    def _receive(self, system, envelopes):
        Event = self.env["construction.sync.event"]
        events = Event
        for envelope in envelopes:
            event, _created = Event._receive(system, envelope, enqueue=False)
            events |= event
        # as the batch route does: the new events queued at once, a job per chunk
        events._queue()
        return events

    def _receive_and_run(self, system, envelopes):
        events = self._receive(system, envelopes)
        self._run_jobs(events)
        return events

    def _run_jobs(self, events):
        """Perform the events' queue jobs as queue_job's runner does."""
        self.env.flush_all()
        for uuid in events.job_id.mapped("uuid"):
            job = Job.load(self.env, uuid)
            job.set_started()
            job.store()
            job.perform()
            self.env.flush_all()
            job.set_done()
            job.store()
        events.invalidate_recordset()

    def _photos(self, key):
        """Photos from the field app, some with defects a detector boxed."""
        data = self.projects[key]
        Photo = self.env["construction.photo"]
        Event = self.env["construction.sync.event"]
        site = data["site"]
        days = data["days"]
        # the photos per month of the project's history (21 working days)
        count = max(2, round(self.size["photos"] * len(days) * self.size["day_step"] / 21))
        stages = ["before", "before", "during", "after"]
        for index in range(count):
            day = days[min(len(days) - 1, index * len(days) // count)]
            # the latest third: a defect each, detected below the category's
            # threshold, so that they wait in the review queue
            recent = index >= count * 2 // 3
            kinds = (
                [DEFECT_KINDS[self.rng.randrange(len(DEFECT_KINDS))]]
                if recent or self.rng.random() < 0.7
                else []
            )
            image, boxes = pavement_photo(f"{key}-{index}", kinds)
            uuid = f"fc-{key.lower()}-{index:04d}"
            metadata = {
                "client_uuid": uuid,
                "site_id": site.id,
                "stage": stages[index % len(stages)],
                "captured_at": f"{day.isoformat()}T{14 + index % 4:02d}:{index % 60:02d}:00-05:00",
                "latitude": site.latitude + self.rng.uniform(-0.0005, 0.0005),
                "longitude": site.longitude + self.rng.uniform(-0.0005, 0.0005),
                "filename": f"IMG_{key}_{index:04d}.jpg",
            }
            Event._admit(data["field_system"], "photo.captured", metadata)
            photo = Photo._create_from_upload(
                image, "image/jpeg", metadata, data["field_system"], require_site=True
            )
            Event._record_applied(
                data["field_system"],
                "photo.captured",
                f"photo:{uuid}",
                dict(metadata, checksum=photo.checksum, photo_id=photo.id),
                photo,
                f"demo-photo-{uuid}",
            )
            for number, box in enumerate(boxes):
                self._defect(data, photo, box, f"{uuid}-d{number}", recent)

    def _defect(self, data, photo, box, uuid, doubtful):
        category = self.env.ref(f"construction_field_evidence.defect_category_{box['label']}")
        confidence = round(
            self.rng.uniform(0.4, 0.55) if doubtful else self.rng.uniform(0.62, 0.97), 2
        )
        observation = {
            "client_uuid": uuid,
            "site_id": data["site"].id,
            "latitude": photo.latitude,
            "longitude": photo.longitude,
            "quantity": round(self.rng.uniform(10, 120)),
            "photo_client_uuids": [photo.client_uuid],
            "detections": [
                {
                    "label": box["label"],
                    "confidence": confidence,
                    "model": "PaveScan",
                    "model_version": "2.4.0",
                    "bbox": {k: box[k] for k in ("x", "y", "w", "h")},
                }
            ],
        }
        Event = self.env["construction.sync.event"]
        Event._admit(data["field_system"], "defect.detected", observation)
        defect = self.env["construction.defect"].create(
            {
                "site_id": data["site"].id,
                "company_id": data["company"].id,
                "category_id": category.id,
                "severity": "high" if box["label"] == "pothole" else "medium",
                "latitude": photo.latitude,
                "longitude": photo.longitude,
                "quantity": observation["quantity"],
                "uom_id": category.uom_id.id,
                "photo_ids": [Command.set(photo.ids)],
                "source": "ai",
                "source_system_id": data["field_system"].id,
                "detected_label": box["label"],
                "confidence": confidence,
                "model_name": "PaveScan",
                "model_version": "2.4.0",
            }
        )
        self.env["construction.defect.annotation"].create(
            {
                "defect_id": defect.id,
                "photo_id": photo.id,
                "x": box["x"],
                "y": box["y"],
                "width": box["w"],
                "height": box["h"],
                "label": box["label"],
                "confidence": confidence,
            }
        )
        Event._record_applied(
            data["field_system"], "defect.detected", f"observation:{uuid}", observation, defect
        )
        return defect

    # ------------------------------------------------------------------
    # Completions, reviews
    # ------------------------------------------------------------------

    def completions_and_reviews(self):
        for key, data in self.projects.items():
            if not data["days"]:
                continue
            done_tasks = data["tasks"] if data["stage"] == "Closing" else data["tasks"][:2]
            last = data["days"][-1]
            envelopes = [
                self._envelope(
                    "field.task.completed",
                    f"{key}-complete-{index}",
                    last,
                    {
                        "task": self._external_id(data["field_system"], task),
                        "completed_at": f"{last.isoformat()}T21:00:00+00:00",
                        "progress_percent": 100,
                        "notes": "Done and photographed; area reopened to traffic.",
                    },
                )
                for index, task in enumerate(done_tasks)
            ]
            self._receive_and_run(data["field_system"], envelopes)
        sites = self.env["construction.site"].browse(
            [data["site"].id for data in self.projects.values()]
        )
        photos = self.env["construction.photo"].search(
            [("site_id", "in", sites.ids)], order="captured_at, id"
        )
        defects = self.env["construction.defect"].search([("site_id", "in", sites.ids)], order="id")
        # The older two thirds reviewed; the rest waits in the review queue.
        reviewed = photos[: len(photos) * 2 // 3]
        reviewed.filtered(lambda photo: photo.state == "new").action_submit()
        reviewed.filtered(lambda photo: photo.state == "needs_review").action_accept()
        decided = defects[: len(defects) * 2 // 3]
        for index, defect in enumerate(decided):
            if defect.state not in ("new", "needs_review"):
                continue
            if index % 5 == 3:
                self.env["construction.review.wizard"].create(
                    {
                        "defect_ids": [Command.set(defect.ids)],
                        "decision": "reject",
                        "reason": "A shadow of the light pole, not a crack.",
                    }
                ).action_apply()
            elif index % 5 == 4:
                self.env["construction.review.wizard"].create(
                    {
                        "defect_ids": [Command.set(defect.ids)],
                        "decision": "correct",
                        "category_id": self.env.ref(
                            "construction_field_evidence.defect_category_block_cracking"
                        ).id,
                    }
                ).action_apply()
            else:
                defect.action_confirm()

    # ------------------------------------------------------------------
    # Events in every state
    # ------------------------------------------------------------------

    def events_in_every_state(self):
        data = self.projects["LKV"]
        today = self.today
        system = self.crewclock
        Event = self.env["construction.sync.event"]
        # Two new hires CrewClock knows and Odoo does not (no binding yet):
        # their hours wait for review.
        diego = self.env["hr.employee"].create(
            {"name": "Diego Ramirez", "hourly_cost": 37.0, "company_id": self.main_company.id}
        )
        waiting = self._receive_and_run(
            system,
            [
                self._labor_today(data, f"LKV-newhire-{badge}-{index}", badge, 4.0)
                for badge, index in (("EMP-NEW-07", 0), ("EMP-NEW-08", 0), ("EMP-NEW-08", 1))
            ],
        )
        # Equipment on a job Odoo has no binding for: to review.
        self._receive_and_run(
            self.trackiron,
            [
                self._envelope(
                    "equipment.usage.recorded",
                    "UNBOUND-JOB-1",
                    today,
                    {
                        "source_entry_id": "USE-JOB-7781",
                        "equipment": "UNIT-2",
                        "project": "JOB-7781",
                        "cost_code": "31 23 16",
                        "date": today.isoformat(),
                        "hours": 4.5,
                    },
                )
            ],
        )
        # The first new hire fixed: his binding made, a note left, his
        # event replayed and applied.
        replayed = waiting.filtered(
            lambda event: event.state == "needs_review" and "EMP-NEW-07" in event.payload
        )
        self._bind(system, diego, "EMP-NEW-07")
        replayed.message_post(
            body=self.env._(
                "EMP-NEW-07 is Diego Ramirez, hired this week: bound his badge and replayed."
            )
        )
        replayed.action_replay()
        self._run_jobs(replayed)
        self.summary["replayed_event"] = replayed.id
        # A material delivery whose worker was killed twice: dead, with an
        # activity for CrewClock's owner.
        lost = self._receive(
            system,
            [
                self._envelope(
                    "material.consumed",
                    "LKV-lost-material",
                    today - timedelta(days=1),
                    {
                        "source_entry_id": "MAT-LKV-LOST",
                        "product": "HMA-9.5",
                        "quantity": 14.0,
                        "unit": "t",
                        "project": data["external_id"],
                        "cost_code": "32 12 16",
                        "date": (today - timedelta(days=1)).isoformat(),
                    },
                )
            ],
        )
        for uuid in lost.job_id.mapped("uuid"):
            job = Job.load(self.env, uuid)
            job.set_failed(
                exc_name="odoo.addons.queue_job.exception.JobFoundDead",
                exc_message="The worker running this job died (out of memory) twice.",
            )
            job.store()
        Event._cron_bury_lost()
        # Today's entries: queued for the job runner, and batch-mode ones
        # received and waiting for the nightly drain.
        self._receive(
            system,
            [
                self._labor_today(
                    data, f"LKV-today-{index}", self._external_id(system, employee), 4.0
                )
                for index, employee in enumerate(data["crew"])
            ],
        )
        material = self.env.ref("construction_sync.event_type_material_consumed")
        self.env["construction.sync.system.mode"].create(
            {"system_id": self.trackiron.id, "event_type_id": material.id, "mode": "batch"}
        )
        self._grant(self.trackiron, "material.consumed")
        self._receive(
            self.trackiron,
            [
                self._envelope(
                    "material.consumed",
                    "TI-FUEL-TODAY",
                    today,
                    {
                        "source_entry_id": "FUEL-LKV-TODAY",
                        "product": "HMA-9.5",
                        "quantity": 2.0,
                        "unit": "t",
                        "project": data["external_id"],
                        "cost_code": "32 12 16",
                        "date": today.isoformat(),
                    },
                )
            ],
        )

    def _labor_today(self, data, key, employee, hours):
        return self._envelope(
            "labor.approved",
            key,
            self.today,
            {
                "source_entry_id": f"TE-{key}",
                "employee": employee,
                "project": data["external_id"],
                "cost_code": "32 01 17.13",
                "work_date": self.today.isoformat(),
                "hours": hours,
            },
        )

    # ------------------------------------------------------------------
    # Variances, share links
    # ------------------------------------------------------------------

    def variances(self):
        """CrewClock's totals of this month against Odoo's: the hours of the
        new hire waiting for review never reached Odoo, so patching differs."""
        data = self.projects["LKV"]
        period = self.today.strftime("%Y-%m")
        Line = self.env["account.analytic.line"]
        rows = []
        for code in ("32 01 17.13", "01 55 26"):
            cost_code = self.env["construction.cost.code"].search([("code", "=", code)], limit=1)
            column = cost_code.analytic_account_id.plan_id._column_name()
            hours = sum(
                Line.search(
                    [
                        ("project_id", "=", data["project"].id),
                        (column, "=", cost_code.analytic_account_id.id),
                        ("date", ">=", self.today.replace(day=1)),
                        ("date", "<=", self.today),
                    ]
                ).mapped("unit_amount")
            )
            extra = 8.0 if code == "32 01 17.13" else 0.0
            rows.append((data["external_id"], code, "hours", hours + extra))
        self.env["construction.sync.variance"]._reconcile_system(self.crewclock, period, rows)

    def share_links(self):
        Link = self.env["construction.share.link"]
        Answer = self.env["construction.share.answer"]
        for key, client, answer in (
            ("HBR", "Dana Whitfield", "approved"),
            ("LKV", "Robert Chen", "question"),
        ):
            data = self.projects[key]
            link, url = Link._issue({"site_id": data["site"].id, "note": f"Sent to {client}"})
            self.summary["share_urls"].append(url)
            Answer._record(
                link,
                answer,
                client,
                "Can the east rows wait until after the weekend sale?"
                if answer == "question"
                else "Approved, thank you; the yard looks new.",
            )
