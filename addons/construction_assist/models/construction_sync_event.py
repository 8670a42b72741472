import bisect
import contextlib
import dataclasses
import json
import operator
import re
from collections import Counter, defaultdict

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, groupby

from ..lib import anomaly

# The payload keys the hub resolves, and the model each names (what a
# triage fixes with a binding); the checks read some of them.
REFERENCE_MODELS = {
    "employee": "hr.employee",
    "project": "project.project",
    "task": "project.task",
    "equipment": "maintenance.equipment",
    "product": "product.product",
    "unit": "uom.uom",
    "cost_code": "construction.cost.code",
}
POINTER = re.compile(r" at (/payload/[\w/]+)")
# Handlers whose events are checked against the company's history first,
# and the payload references each check reads.
CHECKED_REFERENCES = {
    "labor": ("employee", "cost_code"),
    "equipment_usage": ("equipment",),
    "material_consumed": ("product", "project"),
}
CHECKED_HANDLERS = tuple(CHECKED_REFERENCES)
HISTORY_DAYS = 365


class ChunkReads:
    """What the anomaly checks of a chunk of events read, read at once.

    ``find_all`` resolves the references the checks read in the chunk's
    payloads with one query per kind and reads the lines the chunk booked. While
    ``recording``, :meth:`baseline` answers nothing and notes, for each
    event, the histories it asks in the order it compares with them (a
    domain whose first term names the worker, crew, cost code or company,
    and a day), and the pace check notes its budget pairs. :meth:`fetch`
    then reads the histories a level at a time, each level with one query,
    summed per worker and day: first every event's first history, then the
    next one only for the events whose history so far is too short to judge
    by (a worker with a year of days is never compared with the whole
    company); and the budget lines with one search. The checks then run
    again from memory, each history's statistics on a day worked out once
    for all the events that ask for them."""

    def __init__(self):
        self.recording = True
        self.found = {}
        self.asked = []
        self.pairs = set()
        self.budget_lines = None
        self.lines = None
        self.column = None
        self.baselines = {}

    def find_all(self, events):
        links = events.link_ids.filtered(lambda link: link.res_model == "account.analytic.line")
        self.lines = events.env["account.analytic.line"].browse(links.mapped("res_id")).exists()
        for system in events.system_id:
            mine = events.filtered(lambda event, system=system: event.system_id == system)
            payloads = [
                (CHECKED_REFERENCES.get(event.event_type_id.handler, ()), event._payload())
                for event in mine
            ]
            for key, model in REFERENCE_MODELS.items():
                references = {
                    data[key]
                    for keys, data in payloads
                    if key in keys and isinstance(data.get(key), str)
                }
                try:
                    self.found[system, key] = mine.env["construction.sync.resolver"]._find_many(
                        system, model, references, key, natural=model != "project.project"
                    )
                except (UserError, AccessError):
                    continue  # each event resolves its own, and says why

    def baseline(self, who, domain, day):
        """:meth:`ConstructionSyncEvent._assist_baseline` from memory: a
        history never read (one after a history long enough) is empty."""
        (field, _operator, value), *rest = domain
        key = (field, tuple(rest), value, day)
        if self.recording:
            self.asked[-1].append(key)
            return anomaly.Baseline.empty(who), 0.0
        if key not in self.baselines:
            return anomaly.Baseline.empty(who), 0.0
        baseline, today = self.baselines[key]
        return dataclasses.replace(baseline, who=who), today

    def record(self, event):
        """Run ``event``'s checks to note what they ask."""
        self.asked.append([])
        event._assist_check()

    def fetch(self, env):
        Line = env["account.analytic.line"]
        Line.browse().check_access("read")
        chains = [iter(asked) for asked in self.asked]
        while chains:
            heads = [(chain, next(chain, None)) for chain in chains]
            heads = [(chain, key) for chain, key in heads if key]
            self._read_histories(Line, {key for _chain, key in heads} - self.baselines.keys())
            chains = [chain for chain, key in heads if not self.baselines[key][0].enough()]
        self.budget_lines = env["construction.sync.event"]._assist_budget_lines(self.pairs)
        self.recording = False

    def _read_histories(self, Line, keys):
        """The statistics of the histories ``keys`` (field, the domain's
        other terms, value, day) into :attr:`baselines`, read with one
        query: the totals per value (as text: a crew's name beside ids),
        worker and day, counted per value, day and total (a company's
        worker-days are mostly alike)."""
        kinds = defaultdict(set)
        for field, rest, value, day in keys:
            kinds[field, rest].add((value, day))
        kinds, selects = list(kinds.items()), []
        for index, ((field, rest), asked) in enumerate(kinds):
            days = [day for _value, day in asked]
            query = Line._search(
                [
                    *rest,
                    (field, "in", list({value for value, _day in asked})),
                    ("date", ">=", fields.Date.subtract(min(days), days=HISTORY_DAYS)),
                    ("date", "<=", max(days)),
                ]
            )
            if query.is_empty():
                continue
            terms = [
                Line._field_to_sql(Line._table, name, query) for name in (field, "employee_id")
            ]
            terms.append(Line._field_to_sql(Line._table, "date", query))
            query.groupby = SQL(", ").join(terms)
            sums = SQL("SUM(%s)", Line._field_to_sql(Line._table, "unit_amount", query))
            selects.append(
                SQL(
                    "(%s)",
                    query.select(
                        SQL("%s AS kind", index),
                        SQL("(%s)::text AS value", terms[0]),
                        SQL("%s AS date", terms[2]),
                        SQL("%s AS total", sums),
                    ),
                )
            )
        rows = (
            Line.env.execute_query(
                SQL(
                    "SELECT kind, value, date, total, COUNT(*) FROM (%s) totals"
                    " WHERE total IS NOT NULL GROUP BY kind, value, date, total"
                    " ORDER BY kind, value, date",
                    SQL(" UNION ALL ").join(selects),
                )
            )
            if selects
            else []
        )
        totals = {}
        for (index, value), group in groupby(rows, key=operator.itemgetter(0, 1)):
            _kinds, _values, dates, sums, counts = zip(*group, strict=True)
            totals[index, value] = (list(dates), np.array(sums, dtype=float), np.array(counts))
        for index, ((field, rest), asked) in enumerate(kinds):
            for value, day in asked:
                dates, sums, counts = totals.get((index, str(value)), ([], [], []))
                # the dates are sorted: the past year is a slice, and so is the day
                start = bisect.bisect_left(dates, fields.Date.subtract(day, days=HISTORY_DAYS))
                end, stop = bisect.bisect_left(dates, day), bisect.bisect_right(dates, day)
                history = np.repeat(sums[start:end], counts[start:end])
                today = float(np.dot(sums[end:stop], counts[end:stop]))
                self.baselines[field, rest, value, day] = anomaly.Baseline.of("", history), today


class ConstructionSyncEvent(models.Model):
    _inherit = "construction.sync.event"

    assist_released = fields.Boolean(
        "Released by a Person",
        readonly=True,
        copy=False,
        help="A person looked at the anomaly flag and let the event post as it is.",
    )
    assist_assignee_id = fields.Many2one(
        "res.users",
        "Assigned To",
        readonly=True,
        index="btree_not_null",
        help="Who fixed the most events like this one, else the system's owner.",
    )
    assist_fixed_by_id = fields.Many2one(
        "res.users", "Last Fixed By", readonly=True, index="btree_not_null"
    )
    assist_fix_code = fields.Char(
        "Fixed Error", readonly=True, help="The error code the last person who replayed it fixed."
    )
    assist_decision_ids = fields.One2many(
        "construction.assist.decision", "event_id", "Suggestions and Flags"
    )
    assist_open_suggestion_id = fields.Many2one(
        "construction.assist.decision", compute="_compute_assist_open"
    )
    assist_open_flag_id = fields.Many2one(
        "construction.assist.decision", compute="_compute_assist_open"
    )

    @api.depends("assist_decision_ids.state", "assist_decision_ids.kind")
    def _compute_assist_open(self):
        for event in self:
            opened = event.assist_decision_ids.filtered(lambda d: d.state == "open")
            event.assist_open_suggestion_id = opened.filtered(lambda d: d.kind == "cost_code")[:1]
            event.assist_open_flag_id = opened.filtered(lambda d: d.kind == "anomaly")[:1]

    # ------------------------------------------------------------------
    # Anomaly checks before a handler posts
    # ------------------------------------------------------------------

    def _apply_one(self):
        """Apply the event as the engine does; then, for the events the
        checks know, judge what it booked against the company's history and,
        when it is out of line, undo all of it and hold the event for review.
        Checked after the handler, so an unknown reference or a broken rule
        is reported as such, never hidden behind a flag."""
        if (
            self.state not in ("received", "queued")
            or self.assist_released
            or self.event_type_id.handler not in CHECKED_HANDLERS
        ):
            return super()._apply_one()
        savepoint = self.env.cr.savepoint()
        try:
            result = super()._apply_one()
            verdict = self._assist_check() if self.state == "done" else None
        except Exception:
            savepoint.close(rollback=True)
            raise
        flagged = bool(verdict and verdict.flagged)
        savepoint.close(rollback=flagged)
        if not flagged and self.state == "done":
            self._assist_suggest_uncoded()
        if flagged:
            self.env.invalidate_all()
            message = self.env._("Held by the anomaly check: %s", verdict.reason)
            self._park("business_rule", message, self._current_attempt())
            flag = {
                "text": f"{self.event_type_id.code}: {verdict.value:g}",
                "reason": verdict.reason,
                "confidence": min(1.0, 0.5 + verdict.excess),
            }
            # held again on a replay: the same flag, still waiting for a person
            if self.assist_open_flag_id:
                self.assist_open_flag_id.sudo().write(flag)
            else:
                self.env["construction.assist.decision"].sudo().create(
                    dict(
                        flag,
                        company_id=self.company_id.id,
                        kind="anomaly",
                        source="anomaly check",
                        event_id=self.id,
                    )
                )
        return result

    def _chunk_done(self, produced):
        """The anomaly checks of :meth:`_apply_one` for a chunk applied at
        once: each event judged on what it booked, the chunk's other events
        booked too. One out of line refuses the whole chunk, whose events
        then go one by one, where that one is held with its flag."""
        done = super()._chunk_done(produced)
        checked = done.filtered(
            lambda event: (
                not event.assist_released and event.event_type_id.handler in CHECKED_HANDLERS
            )
        )
        for verdict in checked._assist_check_many().values():
            if verdict and verdict.flagged:
                raise UserError(self.env._("Held by the anomaly check: %s", verdict.reason))
        for event in checked:
            event._assist_suggest_uncoded()
        return done

    def _assist_check_many(self):
        """``{event: verdict}`` of :meth:`_assist_check` for many events, with
        what the checks read fetched once for all (:class:`ChunkReads`): a
        first pass records which histories and budgets they ask for, a
        second judges each event from memory."""
        reads = ChunkReads()
        events = self.with_context(assist_chunk_reads=reads)
        reads.find_all(events)
        for event in events:
            reads.record(event)
        reads.fetch(self.env)
        return {event: event._assist_check() for event in events}

    def _assist_check(self):
        """The anomaly verdict on what this event booked (the day's total
        with it), or None when it cannot be judged."""
        handler = self.event_type_id.handler
        # In a chunk (ChunkReads) the checks read from memory and the chunk
        # has its own savepoint.
        chunk = self.env.context.get("assist_chunk_reads")
        try:
            with contextlib.nullcontext() if chunk else self.env.cr.savepoint():
                verdict = getattr(self, f"_assist_check_{handler}")(self._payload())
                if verdict and verdict.flagged:
                    return verdict
                return self._assist_check_pace() or verdict
        except (UserError, AccessError):
            return None  # an ambiguous or forbidden reference: the handler says why

    def _assist_check_pace(self):
        """The cost this event booked against its budget's pace: what the
        approved budget line of its project and cost code has spent, as a
        share of its revised amount, beside the share of the project's
        schedule gone by (its start and end dates) and the company's
        tolerance; without a schedule, against the whole budget. None when
        no approved budget line with an amount is touched."""
        booked = self.link_ids.filtered(lambda link: link.res_model == "account.analytic.line")
        lines = self.env["account.analytic.line"].browse(booked.mapped("res_id"))
        reads = self.env.context.get("assist_chunk_reads")
        lines = lines & reads.lines if reads else lines.exists()
        column = self._assist_cost_code_column()
        pairs = {(line.account_id.id, line[column].id) for line in lines if line[column]}
        if not pairs:
            return None
        if reads and reads.recording:
            reads.pairs |= pairs
            return None
        budget_lines = reads.budget_lines if reads else self._assist_budget_lines(pairs)
        tolerance = self.company_id.construction_assist_pace_tolerance / 100
        day = max(lines.mapped("date"))
        verdicts = [
            anomaly.judge_pace(
                budget_line.cost_code_id.code,
                budget_line.actual,
                budget_line.revised,
                anomaly.schedule_share(
                    budget_line.project_id.date_start, budget_line.project_id.date, day
                ),
                tolerance,
            )
            for budget_line in budget_lines
            if (
                budget_line.project_id.account_id.id,
                budget_line.cost_code_id.analytic_account_id.id,
            )
            in pairs
        ]
        return max(verdicts, key=lambda v: (v.flagged, v.excess), default=None)

    @api.model
    def _assist_budget_lines(self, pairs):
        """The approved budget lines with an amount of these (project
        account, cost code account) pairs, and perhaps a few more."""
        return self.env["construction.budget.line"].search(
            [
                ("state", "=", "approved"),
                ("project_id.account_id", "in", [project for project, _code in pairs]),
                ("cost_code_id.analytic_account_id", "in", [code for _project, code in pairs]),
                ("revised", ">", 0),
            ]
        )

    def _assist_cost_code_column(self):
        """The analytic lines' column of the cost codes' plan, looked up once
        per chunk (:class:`ChunkReads`)."""
        reads = self.env.context.get("assist_chunk_reads")
        if reads and reads.column:
            return reads.column
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        if reads:
            reads.column = column
        return column

    def _assist_find(self, key, data):
        model = REFERENCE_MODELS[key]
        reads = self.env.context.get("assist_chunk_reads")
        if reads and (self.system_id, key) in reads.found:
            return reads.found[self.system_id, key].get(data.get(key), self.env[model])
        return self.env["construction.sync.resolver"]._find(
            self.system_id, model, data.get(key), key, natural=model != "project.project"
        )

    def _assist_baseline(self, who, domain, day):
        """``(baseline, booked)``: the robust statistics, named ``who``, of
        the totals per worker and day (per day for a machine's lines) of the
        analytic lines of ``domain`` over the past year, and the total
        already booked on ``day``."""
        reads = self.env.context.get("assist_chunk_reads")
        if reads:
            return reads.baseline(who, domain, day)
        start = fields.Date.subtract(day, days=HISTORY_DAYS)
        groups = self.env["account.analytic.line"]._read_group(
            [*domain, ("date", ">=", start), ("date", "<=", day)],
            ["employee_id", "date:day"],
            ["unit_amount:sum"],
        )
        history, today = [], 0.0
        for _employee, date, total in groups:
            if (date.date() if hasattr(date, "date") else date) == day:
                today += total
            else:
                history.append(total)
        return anomaly.Baseline.of(who, history), today

    def _assist_check_labor(self, data):
        employee = self._assist_find("employee", data)
        if not employee:
            return None
        day = fields.Date.to_date(data["work_date"])
        company = self.company_id
        worker, booked = self._assist_baseline(
            self.env._("this worker's days"), [("employee_id", "=", employee.id)], day
        )
        baselines = [worker]
        if data.get("crew"):
            crew, _booked = self._assist_baseline(
                self.env._("this crew's days"),
                [("construction_crew", "=", data["crew"]), ("employee_id", "!=", False)],
                day,
            )
            baselines.append(crew)
        code = data.get("cost_code") and self._assist_find("cost_code", data)
        if code:
            column = self._assist_cost_code_column()
            coded, _booked = self._assist_baseline(
                self.env._("this cost code's worker-days"),
                [(column, "=", code.analytic_account_id.id), ("employee_id", "!=", False)],
                day,
            )
            baselines.append(coded)
        everyone, _booked = self._assist_baseline(
            self.env._("the company's worker-days"),
            [("company_id", "=", company.id), ("project_id", "!=", False)],
            day,
        )
        baselines.append(everyone)
        calendar = employee.resource_calendar_id or company.resource_calendar_id
        return anomaly.judge(
            booked,
            baselines,
            company.construction_assist_max_labor_hours,
            normal=calendar.hours_per_day,
        )

    def _assist_check_equipment_usage(self, data):
        equipment = self._assist_find("equipment", data)
        if not equipment:
            return None
        day = fields.Date.to_date(data["date"])
        # the hours read from the meter or sent, with the rest of the day
        machine, booked = self._assist_baseline(
            self.env._("this machine's days"),
            [("construction_equipment_id", "=", equipment.id)],
            day,
        )
        return anomaly.judge(
            booked,
            [machine],
            self.company_id.construction_assist_max_equipment_hours,
        )

    def _assist_check_material_consumed(self, data):
        """The quantity consumed on the project so far, with this one,
        against the quantity its estimates planned (with the company's
        tolerance)."""
        product = self._assist_find("product", data)
        project = self._assist_find("project", data)
        if not product or not project.account_id:
            return None
        planned = sum(
            self.env["construction.estimate.line"]
            .search(
                [
                    ("project_id", "=", project.id),
                    ("product_id", "=", product.id),
                    ("estimate_id.state", "!=", "draft"),
                ]
            )
            .mapped("quantity")
        )
        if not planned:
            return None
        used = sum(
            self.env["account.analytic.line"]
            .search([("account_id", "=", project.account_id.id), ("product_id", "=", product.id)])
            .mapped("unit_amount")
        )
        total = used
        limit = planned * (1 + self.company_id.construction_assist_material_tolerance / 100)
        reason = self.env._(
            "%(total)g used with this one; the estimates plan %(planned)g (limit %(limit)g)",
            total=total,
            planned=planned,
            limit=limit,
        )
        return anomaly.Verdict(total > limit, total, reason, max(0.0, total / limit - 1))

    def action_assist_release(self):
        """A person let held events post as they are: the flag was wrong."""
        for event in self:
            flag = event.assist_open_flag_id
            if not flag:
                raise UserError(
                    self.env._("%s is not held by an anomaly check.", event.display_name)
                )
            flag._decide(False)
        self.sudo().write({"assist_released": True})
        return self.action_replay()

    def action_assist_confirm(self):
        """A person agrees the figure is wrong: the event stays to be
        corrected (its payload) or discarded; a replay checks it again."""
        for event in self:
            event.assist_open_flag_id._decide(True)
        return True

    # ------------------------------------------------------------------
    # Suggestions, routing
    # ------------------------------------------------------------------

    def _park(self, code, message, attempt):
        result = super()._park(code, message, attempt)
        if code == "unknown_reference" and self._assist_pointer() == "/payload/cost_code":
            self._assist_suggest_cost_code()
        self._assist_route()
        return result

    def _bury(self, message, attempt, code="retries_exhausted"):
        result = super()._bury(message, attempt, code)
        self._assist_route()
        return result

    def _assist_pointer(self):
        match = POINTER.search(self.error_message or "")
        return match.group(1) if match else ""

    def _assist_suggest_cost_code(self, source="events to review"):
        data = self._payload()
        text = " ".join(str(data[key]) for key in ("cost_code", "description") if data.get(key))
        line = {"description": text, "unit": data.get("unit"), "product": data.get("product")}
        line["project"] = data.get("project")
        suggestions = self.env["construction.assist.model"]._suggest(self.company_id, [line])[0]
        if suggestions:
            self.env["construction.assist.decision"]._record_suggestions(
                self.company_id, source, text, suggestions, event=self
            )

    def _assist_suggest_uncoded(self):
        """A line posted with no cost code but with words of what was done
        (a crew's free-text activity) gets the suggestions a person may
        accept for it; nothing is coded until then."""
        data = self._payload()
        if not data.get("cost_code") and data.get("description"):
            self._assist_suggest_cost_code("posted without cost code")

    def _assist_code_posted_lines(self, code):
        """The person's choice of ``code`` for the lines this event posted
        without one, written as the event's handler wrote them (the system's
        handler user, with the rights its event types are granted)."""
        self.ensure_one()
        links = self.link_ids.filtered(lambda link: link.res_model == "account.analytic.line")
        handler_env = self.system_id._handler_env(self.correlation_id)
        lines = handler_env["account.analytic.line"].browse(links.mapped("res_id")).exists()
        column = code._cost_code_plan()._column_name()
        lines.write({column: code.analytic_account_id.id})

    def _assist_route(self):
        """Assign the event to whoever fixed (replayed) the most events of
        the same system, type and error, else to the system's owner."""
        similar = self.search(
            [
                ("system_id", "=", self.system_id.id),
                ("event_type_id", "=", self.event_type_id.id),
                ("assist_fixed_by_id", "!=", False),
                ("assist_fix_code", "=", self.error_code),
            ]
        )
        counts = Counter(similar.mapped("assist_fixed_by_id"))
        assignee = counts.most_common(1)[0][0] if counts else self.system_id.owner_id
        self.assist_assignee_id = assignee

    def action_replay(self):
        for event in self.filtered(lambda e: e.state in ("needs_review", "dead")):
            event.sudo().write(
                {"assist_fixed_by_id": self.env.user.id, "assist_fix_code": event.error_code}
            )
        return super().action_replay()

    def _assist_use_cost_code(self, code, remember):
        """The person's choice of ``code`` for this event's cost code: kept
        as a value map of the system when ``remember``, else written into
        the payload; the replay that follows applies it."""
        self.ensure_one()
        data = self._payload()
        if remember and data.get("cost_code"):
            self.env["construction.sync.value.map"].sudo().create(
                {
                    "system_id": self.system_id.id,
                    "kind": "cost_code",
                    "external_value": data["cost_code"],
                    "internal_reference": f"construction.cost.code,{code.id}",
                }
            )
        else:
            data["cost_code"] = code.code
            self.sudo().payload = json.dumps(data, ensure_ascii=False)
