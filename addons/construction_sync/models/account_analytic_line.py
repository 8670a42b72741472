import functools
from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import UnknownReferenceError
from ..lib import field_cost

PAY_CLASSES = [("regular", "Regular"), ("overtime", "Overtime"), ("double", "Double Time")]
ENTRY_STATES = [("current", "Current"), ("superseded", "Superseded"), ("reversal", "Reversal")]
# The references of a labor payload: (model, payload key, value map kind, natural key).
LABOR_REFERENCES = [
    ("hr.employee", "employee", "employee", True),
    ("project.project", "project", "project", False),
    ("project.task", "task", "task", False),
    ("construction.cost.code", "cost_code", "cost_code", True),
]


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    construction_source_entry = fields.Char(
        "Source Entry",
        index="btree_not_null",
        copy=False,
        help="Id of the time card, usage record or consumption in the field system "
        "that produced this entry.",
    )
    construction_pay_class = fields.Selection(PAY_CLASSES, "Pay Class")
    construction_crew = fields.Char("Crew")
    construction_approver = fields.Char("Approved By", help="Approver named by the field system.")
    construction_entry_state = fields.Selection(
        ENTRY_STATES,
        "Field Entry State",
        help="Superseded entries were corrected in the field: a reversal cancels "
        "them and the corrected entry replaces them; all three are kept.",
    )
    construction_superseded_by_id = fields.Many2one(
        "account.analytic.line", "Superseded By", readonly=True, copy=False, index="btree_not_null"
    )
    construction_reversed_line_id = fields.Many2one(
        "account.analytic.line", "Reverses", readonly=True, copy=False, index="btree_not_null"
    )
    construction_equipment_id = fields.Many2one(
        "maintenance.equipment", "Equipment", index="btree_not_null", check_company=True
    )
    construction_meter_reading = fields.Float("Meter Reading (h)")

    def _timesheet_preprocess_get_accounts(self, vals):
        """Odoo looks up the analytic accounts of each new timesheet's
        project on its own: a chunk of field labor
        (``construction_project_accounts`` in the context, a dict kept for
        one ``create``) looks them up once per project and company."""
        accounts = self.env.context.get("construction_project_accounts")
        if accounts is None:
            return super()._timesheet_preprocess_get_accounts(vals)
        key = (vals.get("project_id"), vals.get("company_id"), vals.get("so_line"))
        if key not in accounts:
            accounts[key] = super()._timesheet_preprocess_get_accounts(vals)
        return dict(accounts[key])

    @api.model_create_multi
    def create(self, vals_list):
        """A chunk of field labor (``construction_timesheet_batch`` in the
        context) writes what Odoo works out after each new timesheet (its
        cost) once per distinct value, not once per timesheet, and looks up
        the plans' columns and the projects' accounts once."""
        if not self.env.context.get("construction_timesheet_batch"):
            return super().create(vals_list)
        later = []
        lines = super(
            AccountAnalyticLine,
            self.with_context(
                construction_timesheet_postprocess=later,
                construction_plan_fnames=[],
                construction_project_accounts={},
            ),
        ).create(vals_list)
        writes = defaultdict(list)
        for timesheets, values in later:
            for line_id, vals in timesheets._timesheet_postprocess_values(values).items():
                if vals:
                    writes[tuple(sorted(vals.items()))].append(line_id)
        for vals, line_ids in writes.items():
            self.sudo().browse(line_ids).write(dict(vals))
        return lines.with_env(self.env)

    def _get_plan_fnames(self):
        """The analytic plans' columns, looked up once for a chunk's
        timesheets (``construction_plan_fnames`` in the context, a list kept
        for one ``create``): Odoo asks for them line by line."""
        fnames = self.env.context.get("construction_plan_fnames")
        if fnames is None:
            return super()._get_plan_fnames()
        if not fnames:
            fnames.extend(super()._get_plan_fnames())
        return list(fnames)

    def _timesheet_postprocess(self, values):
        """Within a chunk's ``create`` (above) the values to write are worked
        out at its end, for all its timesheets; a sale order line's goes as
        Odoo does it."""
        later = self.env.context.get("construction_timesheet_postprocess")
        if later is None or values.get("so_line"):
            return super()._timesheet_postprocess(values)
        later.append((self, values))
        return values

    def _timesheet_postprocess_values(self, values):
        """Overtime and double time cost their factor times the hourly cost."""
        result = super()._timesheet_postprocess_values(values)
        for line in self:
            vals = result[line.id]
            if "amount" in vals and line.construction_pay_class not in (False, "regular"):
                vals["amount"] *= field_cost.pay_class_factor(line.construction_pay_class)
        return result

    # ------------------------------------------------------------------
    # Sync handlers
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_labor(self, event):
        """Handler of ``labor.approved`` and ``labor.corrected``: one
        timesheet per source entry. A resend changes nothing; a changed entry
        is reversed and replaced, never overwritten; an older fact than the
        one applied is skipped."""
        Resolver = self.env["construction.sync.resolver"]
        data, entry, binding, current = Resolver._source_entry(event, self._name)
        if binding and current and binding.sync_hash == event.payload_hash:
            return current
        vals = self._sync_labor_vals(event, data)
        if current and current._construction_labor_matches(vals):
            Resolver._bind(event, binding, current, entry)
            return current
        company = event.system_id.company_id
        company._construction_check_lock(vals["date"])
        produced = self.browse()
        if current:
            company._construction_check_lock(current.date)
            produced |= current._construction_reverse()
        line = self.create(vals)
        if current:
            current.construction_superseded_by_id = line
            current._construction_post_correction(line, event, data.get("reason"))
        Resolver._bind(event, binding, line, entry)
        return produced | line

    @api.model
    def _sync_apply_labor_chunk(self, events):
        """:meth:`_sync_apply_labor` of many events at once, for the entries
        seen for the first time (no binding yet, once in the chunk): their
        references resolved with one query per model and step, their lock
        dates checked once per day, their timesheets made by one ``create``
        and their bindings by another. Returns ``{event: timesheet}``; the
        other events (resends, corrections, what cannot be resolved) are
        left to the engine, which applies them one by one."""
        Resolver = self.env["construction.sync.resolver"]
        system = events.system_id
        data = {event: event._payload() for event in events}
        entries = Counter(payload["source_entry_id"] for payload in data.values())
        bound = Resolver._bindings(system, self._name, entries)
        fresh = [
            event
            for event, payload in data.items()
            if entries[payload["source_entry_id"]] == 1 and payload["source_entry_id"] not in bound
        ]
        found = {}
        for model, key, kind, natural in LABOR_REFERENCES:
            references = {data[event][key] for event in fresh if data[event].get(key)}
            for reference, record in Resolver._find_many(
                system, model, references, kind, natural
            ).items():
                found[model, reference] = record

        def resolve(model, reference, pointer, kind, natural=False):
            record = found.get((model, reference))
            if record is None:
                raise UnknownReferenceError(pointer)
            return record

        vals_list, applied, open_days = [], [], {}
        for event in fresh:
            try:
                vals = self._sync_labor_vals(event, data[event], resolve)
                if vals["date"] not in open_days:
                    system.company_id._construction_check_lock(vals["date"])
                    open_days[vals["date"]] = True
            except UserError:
                continue  # said precisely when applied alone
            vals_list.append(vals)
            applied.append(event)
        lines = (
            self.with_context(construction_timesheet_batch=True)
            .create(vals_list)
            .with_env(self.env)
        )
        Resolver._bind_new(
            system,
            self._name,
            [
                (event, line.id, data[event]["source_entry_id"])
                for event, line in zip(applied, lines, strict=True)
            ],
        )
        return dict(zip(applied, lines, strict=True))

    @api.model
    def _sync_labor_vals(self, event, data, resolve=None):
        """The timesheet's values; ``resolve`` is the resolver's
        ``_resolve`` bound to the event's system unless a chunk gives its
        own, over references it resolved at once."""
        system = event.system_id
        if resolve is None:
            resolve = functools.partial(self.env["construction.sync.resolver"]._resolve, system)
        employee = resolve("hr.employee", data["employee"], "/payload/employee", "employee", True)
        project = resolve("project.project", data["project"], "/payload/project", "project")
        task = self.env["project.task"]
        if data.get("task"):
            task = resolve("project.task", data["task"], "/payload/task", "task")
            if task.project_id != project:
                raise UserError(
                    self.env._(
                        "Task %(task)s belongs to project %(task_project)s, not %(project)s.",
                        task=task.display_name,
                        task_project=task.project_id.display_name,
                        project=project.display_name,
                    )
                )
        vals = {
            "name": data.get("description")
            or self.env._("Field labor %s", data["source_entry_id"]),
            "date": fields.Date.to_date(data["work_date"]),
            "employee_id": employee.id,
            "project_id": project.id,
            "task_id": task.id,
            "unit_amount": data["hours"],
            "construction_source_entry": data["source_entry_id"],
            "construction_pay_class": data.get("pay_class", "regular"),
            "construction_crew": data.get("crew") or False,
            "construction_approver": data.get("approver") or False,
            "construction_entry_state": "current",
        }
        if data.get("cost_code"):
            vals.update(self._sync_cost_code_vals(system, data["cost_code"], resolve))
        return vals

    def _construction_labor_matches(self, vals):
        """Whether this timesheet already says what ``vals`` say."""
        self.ensure_one()
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        mine = (
            self.date,
            self.employee_id.id,
            self.project_id.id,
            self.task_id.id,
            self.unit_amount,
            self.construction_pay_class,
            self[column].id,
        )
        theirs = (
            vals["date"],
            vals["employee_id"],
            vals["project_id"],
            vals["task_id"],
            vals["unit_amount"],
            vals["construction_pay_class"],
            vals.get(column, False),
        )
        return mine == theirs

    def _construction_reverse(self):
        """A line that cancels this one on its own date, kept beside it."""
        self.ensure_one()
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        reversal = self.create(
            {
                "name": self.env._("Reversal of %s", self.name),
                "date": self.date,
                "employee_id": self.employee_id.id,
                "project_id": self.project_id.id,
                "task_id": self.task_id.id,
                "account_id": self.account_id.id,
                column: self[column].id,
                "unit_amount": -self.unit_amount,
                "product_uom_id": self.product_uom_id.id,
                "construction_source_entry": self.construction_source_entry,
                "construction_pay_class": self.construction_pay_class,
                "construction_crew": self.construction_crew,
                "construction_equipment_id": self.construction_equipment_id.id,
                "construction_entry_state": "reversal",
                "construction_reversed_line_id": self.id,
            }
        )
        # The reversal cancels exactly what was booked, whatever the rate is now.
        reversal.amount = -self.amount
        self.construction_entry_state = "superseded"
        return reversal

    def _construction_post_correction(self, new_line, event, reason):
        """Say on the task (else the project) what was corrected and why."""
        self.ensure_one()
        # Odoo's chatter asks write access to post on a project (a task asks
        # read access): the note of an entry with no task is the engine's.
        thread = self.task_id or self.project_id.sudo()
        if not thread:
            return
        thread.message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Field entry %(entry)s of %(employee)s corrected: %(old_hours).2f h on "
                "%(old_date)s → %(new_hours).2f h on %(new_date)s. Reason: %(reason)s. "
                "The first entry is reversed and kept (event %(event)s, correlation "
                "%(correlation)s).",
                entry=self.construction_source_entry,
                employee=self.employee_id.name,
                old_hours=self.unit_amount,
                old_date=self.date,
                new_hours=new_line.unit_amount,
                new_date=new_line.date,
                reason=reason or self.env._("not given"),
                event=event.display_name,
                correlation=event.correlation_id,
            ),
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _sync_apply_equipment_usage(self, event):
        """Handler of ``equipment.usage.recorded``: a job cost line at the
        equipment's hourly rate on the day of use, on the project's account
        and the cost code. A meter reading below the last one is refused."""
        Resolver = self.env["construction.sync.resolver"]
        data, entry, binding, current = Resolver._source_entry(event, self._name)
        if current:
            return current._construction_already_booked(event, binding)
        company = event.system_id.company_id
        equipment = Resolver._resolve(
            event.system_id,
            "maintenance.equipment",
            data["equipment"],
            "/payload/equipment",
            "equipment",
            True,
        )
        day = fields.Date.to_date(data["date"])
        company._construction_check_lock(day)
        vals = self._sync_cost_line_vals(event, data, day)
        if "meter_reading" in data:
            hours = equipment._construction_take_reading(data["meter_reading"], event)
            vals["construction_meter_reading"] = data["meter_reading"]
        else:
            hours = data["hours"]
        rate = equipment._construction_rate_on(day)
        vals.update(
            {
                "name": data.get("description")
                or self.env._(
                    "%(equipment)s: %(hours).2f h", equipment=equipment.name, hours=hours
                ),
                "unit_amount": hours,
                "product_uom_id": self.env.ref("uom.product_uom_hour").id,
                "amount": -hours * rate,
                "construction_equipment_id": equipment.id,
            }
        )
        line = self.create(vals)
        Resolver._bind(event, binding, line, entry)
        return line

    @api.model
    def _sync_apply_material_consumed(self, event):
        """Handler of ``material.consumed``: a job cost line at the product's
        cost, in the unit the field used, on the project's account and the
        cost code; for a stocked product, also the stock it took, moved out
        of the company's warehouse into consumption."""
        Resolver = self.env["construction.sync.resolver"]
        data, entry, binding, current = Resolver._source_entry(event, self._name)
        if current:
            return current._construction_already_booked(event, binding)
        system = event.system_id
        company = system.company_id
        product = Resolver._resolve(
            system, "product.product", data["product"], "/payload/product", "product", True
        )
        uom = Resolver._resolve(system, "uom.uom", data["unit"], "/payload/unit", "uom", True)
        if uom.category_id != product.uom_id.category_id:
            raise UserError(
                self.env._(
                    "%(product)s is counted in %(product_unit)s; %(unit)s cannot be converted "
                    "to it. Map the field unit to a unit of the same kind.",
                    product=product.display_name,
                    product_unit=product.uom_id.name,
                    unit=uom.name,
                )
            )
        day = fields.Date.to_date(data["date"])
        company._construction_check_lock(day)
        unit_cost = product.uom_id._compute_price(product.with_company(company).standard_price, uom)
        vals = self._sync_cost_line_vals(event, data, day)
        vals.update(
            {
                "name": data.get("description") or product.display_name,
                "product_id": product.id,
                "unit_amount": data["quantity"],
                "product_uom_id": uom.id,
                "amount": -unit_cost * data["quantity"],
            }
        )
        line = self.create(vals)
        Resolver._bind(event, binding, line, entry)
        if not product.is_storable:
            return line
        return [line, self._sync_consume_stock(event, product, data["quantity"], uom, company)]

    @api.model
    def _sync_consume_stock(self, event, product, quantity, uom, company):
        """A done stock move of the consumed quantity from the company's
        warehouse to its consumption location (the product's production
        location); stock may go negative: the field used what it used."""
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        if not warehouse:
            raise UserError(
                self.env._(
                    "%(product)s is stocked but %(company)s has no warehouse to take it from.",
                    product=product.display_name,
                    company=company.name,
                )
            )
        move = self.env["stock.move"].create(
            {
                "name": self.env._("Consumed on site: %s", product.display_name),
                "origin": event.display_name,
                "product_id": product.id,
                "product_uom_qty": quantity,
                "product_uom": uom.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": product.with_company(company).property_stock_production.id,
                "company_id": company.id,
            }
        )
        move._action_confirm()
        move.quantity = quantity
        move.picked = True
        move._action_done()
        return move

    @api.model
    def _sync_cost_line_vals(self, event, data, day):
        """Common values of a job cost line: the project's analytic account
        (no ``project_id``: it is a cost, not a timesheet) and the cost code."""
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        project = Resolver._resolve(
            system, "project.project", data["project"], "/payload/project", "project"
        )
        if not project.account_id:
            raise UserError(
                self.env._(
                    "Project %(project)s has no analytic account to carry job cost: give it "
                    "one, then replay the event.",
                    project=project.display_name,
                )
            )
        return {
            **self._sync_cost_code_vals(system, data["cost_code"]),
            "date": day,
            "account_id": project.account_id.id,
            "company_id": event.system_id.company_id.id,
            "construction_source_entry": data["source_entry_id"],
        }

    @api.model
    def _sync_cost_code_vals(self, system, reference, resolve=None):
        """The cost code column of a line for the code ``system`` calls
        ``reference`` (bound, mapped, or its MasterFormat number)."""
        if resolve is None:
            resolve = functools.partial(self.env["construction.sync.resolver"]._resolve, system)
        cost_code = resolve(
            "construction.cost.code", reference, "/payload/cost_code", "cost_code", True
        )
        return {cost_code._cost_code_plan()._column_name(): cost_code.analytic_account_id.id}

    def _construction_already_booked(self, event, binding):
        """A source entry books once: a resend answers with its line; other
        figures for the same entry are refused, never added."""
        self.ensure_one()
        if binding.sync_hash == event.payload_hash:
            return self
        raise UserError(
            self.env._(
                "Source entry %(entry)s is already booked (%(line)s, %(amount).2f). Usage "
                "and consumption records are not corrected in place: send a new record "
                "for the difference.",
                entry=binding.external_id,
                line=self.name,
                amount=self.amount,
            )
        )
