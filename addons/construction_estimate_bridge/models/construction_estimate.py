from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import EstimateImportError
from ..lib import estimate_file, revision_diff

# Lines written per step of an import; a long import reports its progress
# after each one.
IMPORT_CHUNK = 5000

ESTIMATE_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("budgeted", "Budgeted"),
    ("superseded", "Superseded"),
    ("cancelled", "Cancelled"),
]


class ConstructionEstimate(models.Model):
    _name = "construction.estimate"
    _description = "Construction Estimate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "project_id, external_ref, revision desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    project_id = fields.Many2one(
        "project.project", required=True, index=True, tracking=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    system_id = fields.Many2one(
        "construction.sync.system",
        string="Source System",
        tracking=True,
        check_company=True,
        help="Estimating platform the estimate was imported from.",
    )
    external_ref = fields.Char(
        "External Reference",
        index=True,
        tracking=True,
        help="Number of the estimate in the estimating platform; revisions share it.",
    )
    revision = fields.Integer(default=1, required=True, readonly=True, tracking=True)
    previous_revision_id = fields.Many2one(
        "construction.estimate", readonly=True, copy=False, index=True, check_company=True
    )
    state = fields.Selection(
        ESTIMATE_STATES, default="draft", required=True, tracking=True, copy=False
    )
    line_ids = fields.One2many("construction.estimate.line", "estimate_id", "Lines", copy=True)
    amount_total = fields.Monetary(
        compute="_compute_amount_total",
        store=True,
        string="Budgeted Total",
        help="Sum of the lines that reach the budget: assemblies and excluded "
        "alternates are left out.",
    )
    budget_id = fields.Many2one("construction.budget", readonly=True, copy=False)
    note = fields.Html()

    _sql_constraints = [
        ("revision_positive", "check (revision > 0)", "A revision number starts at 1."),
    ]

    @api.depends("line_ids.amount", "line_ids.in_budget")
    def _compute_amount_total(self):
        for estimate in self:
            estimate.amount_total = sum(estimate.line_ids.filtered("in_budget").mapped("amount"))

    @api.depends("name", "revision")
    def _compute_display_name(self):
        for estimate in self:
            estimate.display_name = f"{estimate.name} (rev. {estimate.revision})"

    # ------------------------------------------------------------------
    # Revisions
    # ------------------------------------------------------------------

    @api.model
    def _find_current_revision(self, project, external_ref):
        """The live revision of an estimate, which a new import supersedes."""
        if not external_ref:
            return self.browse()
        return self.search(
            [
                ("project_id", "=", project.id),
                ("external_ref", "=", external_ref),
                ("state", "not in", ("superseded", "cancelled")),
            ],
            order="revision desc",
            limit=1,
        )

    # ------------------------------------------------------------------
    # Import: the one code path of the wizard, the API and sync events
    # ------------------------------------------------------------------

    @api.model
    def _import_resolvers(self, profile, company):
        """Cost code and unit lookups for one import, each distinct value
        resolved once by the sync resolver: the profile's system's bindings
        and value maps, then the natural key (the MasterFormat number; the
        unit's name after the profile's synonyms)."""
        cost_codes, units = {}, {}
        synonyms = estimate_file.parse_unit_synonyms(profile.unit_synonyms)
        Resolver = self.env["construction.sync.resolver"]
        system = profile.system_id

        def cost_code(raw):
            if raw not in cost_codes:
                cost_codes[raw] = profile._resolve_cost_code(raw, company)
            return cost_codes[raw]

        def unit(raw):
            text = raw.strip().lower()
            if text not in units:
                units[text] = Resolver._find(
                    system, "uom.uom", raw, kind="uom", company=company
                ) or Resolver._find(
                    system, "uom.uom", synonyms.get(text, text), natural=True, company=company
                )
            return units[text]

        return cost_code, unit

    @api.model
    def _import_lookup_by_name(self, model, names, company):
        """Records of ``model`` named (or, for products, referenced) as in ``names``."""
        names = list(names)
        if not names:
            return {}
        Model = self.env[model]
        domain = Model._check_company_domain(company)
        found = {}
        if model == "product.product":
            for product in Model.search([*domain, ("default_code", "in", names)]):
                found[product.default_code] = product
        for record in Model.search([*domain, ("name", "in", names)]):
            found.setdefault(record.name, record)
        return found

    @api.model
    def _import_check(self, lines, issues, project, external_ref, profile, company, columns=None):
        """Check parsed estimate lines: ``(issues, changes, resolved)``.

        Nothing is written. ``issues`` adds the database checks to the
        parsing ``issues``; ``changes`` compares the lines with the live
        revision of ``external_ref``; ``resolved`` maps each row to its
        cost code, unit, product and vendor.
        """
        columns = columns or profile._column_map()
        cost_code, unit = self._import_resolvers(profile, company)

        infos = {}

        def code_info(raw):
            if ("code", raw) not in infos:
                record = cost_code(raw)
                infos["code", raw] = record and estimate_file.CostCodeInfo(
                    record.code, record.uom_id.category_id.name if record.uom_id else None
                )
            return infos["code", raw] or None

        def unit_info(raw):
            if ("unit", raw) not in infos:
                record = unit(raw)
                infos["unit", raw] = record and estimate_file.UnitInfo(
                    record.name, record.category_id.name
                )
            return infos["unit", raw] or None

        issues = issues + estimate_file.validate(lines, code_info, unit_info, columns)
        products = self._import_lookup_by_name(
            "product.product", {line.product for line in lines if line.product}, company
        )
        vendors = self._import_lookup_by_name(
            "res.partner", {line.vendor for line in lines if line.vendor}, company
        )
        for line in lines:
            if line.product and line.product not in products:
                issues.append(
                    estimate_file.Issue(
                        line.row, columns["product"], f"unknown product {line.product!r}"
                    )
                )
            if line.vendor and line.vendor not in vendors:
                issues.append(
                    estimate_file.Issue(
                        line.row, columns["vendor"], f"unknown vendor {line.vendor!r}"
                    )
                )
        resolved = {
            line.row: {
                "cost_code": cost_code(line.cost_code) if line.cost_code else None,
                "uom": unit(line.unit) if line.unit else None,
                "product": products.get(line.product),
                "vendor": vendors.get(line.vendor),
            }
            for line in lines
        }
        previous = self._find_current_revision(project, external_ref)
        changes = self._import_revision_changes(previous, lines, resolved)
        return sorted(issues, key=lambda issue: issue.row), changes, resolved

    @api.model
    def _import_revision_changes(self, previous, lines, resolved):
        if not previous:
            return []
        old = {
            line.external_line_id or str(line.id): line._diff_values() for line in previous.line_ids
        }
        new = {}
        for line in lines:
            code = resolved[line.row]["cost_code"]
            uom = resolved[line.row]["uom"]
            new[line.line_id] = {
                "cost_code": code.code if code else line.cost_code,
                "name": line.name or (code.name if code else line.line_id),
                "quantity": line.quantity,
                "unit": uom.name if uom else "",
                "unit_cost": line.unit_cost or 0.0,
                "amount": line.amount,
                "in_budget": line.in_budget,
            }
        budget = self.env["construction.budget"].search(
            [("project_id", "=", previous.project_id.id)], limit=1
        )
        budget.line_ids._refresh_figures()
        committed = defaultdict(float)
        for budget_line in budget.line_ids:
            committed[budget_line.cost_code_id.code] += budget_line.committed
        return revision_diff.diff(old, new, committed)

    @api.model
    def _import_lines(self, lines, issues, values, profile, columns=None, progress=None):
        """Create the estimate of parsed ``lines`` as the next revision, all
        lines or none.

        ``values`` holds the estimate's ``project_id`` and ``company_id``
        (records), and optionally ``external_ref``, ``name``, ``partner_id``,
        ``system_id`` and ``revision`` (the number the source gives it, which
        must follow the live revision's). ``columns`` names the fields in
        issues, the profile's column names by default. Raises
        :class:`EstimateImportError` with every problem when a line is wrong
        or the overwrite rule refuses a change. ``progress(done, total)``,
        when given, is called after each chunk of a long import is written.
        """
        project, company = values["project_id"], values["company_id"]
        external_ref = values.get("external_ref") or False
        issues, changes, resolved = self._import_check(
            lines, issues, project, external_ref, profile, company, columns
        )
        blocked = revision_diff.blocked(changes)
        if issues or blocked:
            problems = [
                self.env._(
                    "row %(row)s, %(column)s: %(message)s",
                    row=issue.row,
                    column=issue.column,
                    message=issue.message,
                )
                for issue in issues
            ] + [
                self.env._("line %(line)s %(reason)s", line=change.line_id, reason=change.blocked)
                for change in blocked
            ]
            raise EstimateImportError(
                self.env._(
                    "Nothing was imported: the estimate has %(count)s problems.\n%(problems)s",
                    count=len(problems),
                    problems="\n".join(problems[:20]),
                ),
                issues,
                blocked,
            )
        previous = self._find_current_revision(project, external_ref)
        revision = values.get("revision") or previous.revision + 1
        if previous and revision <= previous.revision:
            raise UserError(
                self.env._(
                    "Revision %(revision)s of estimate %(reference)s is not newer than "
                    "%(previous)s, the current one: nothing was imported.",
                    revision=revision,
                    reference=external_ref,
                    previous=previous.display_name,
                )
            )
        estimate = self.create(
            {
                "name": values.get("name") or previous.name or external_ref,
                "project_id": project.id,
                "partner_id": (
                    values.get("partner_id") or previous.partner_id or project.partner_id
                ).id,
                "company_id": company.id,
                "system_id": (values.get("system_id") or profile.system_id).id,
                "external_ref": external_ref,
                "revision": revision,
                "previous_revision_id": previous.id,
            }
        )
        Line = self.env["construction.estimate.line"]
        cost_types = dict(Line._fields["cost_type"].selection)
        ids = []
        for start in range(0, len(lines), IMPORT_CHUNK):
            chunk = lines[start : start + IMPORT_CHUNK]
            values_list = [
                Line._import_values(estimate, line, resolved[line.row], cost_types)
                for line in chunk
            ]
            ids += Line.create(values_list).ids
            if progress and len(lines) > IMPORT_CHUNK:
                progress(start + len(chunk), len(lines))
        records = Line.browse(ids)
        by_ref = {line.line_id: record for line, record in zip(lines, records, strict=True)}
        children = defaultdict(list)
        for line in lines:
            if line.parent_id:
                children[by_ref[line.parent_id].id].append(by_ref[line.line_id].id)
        for parent_id, child_ids in children.items():
            Line.browse(child_ids).write({"parent_id": parent_id})
        if previous:
            previous.state = "superseded"
            estimate.message_post(
                body=self.env._(
                    "Revision %(revision)s replaces %(previous)s: %(added)s added, "
                    "%(removed)s removed, %(changed)s changed lines.",
                    revision=estimate.revision,
                    previous=previous.display_name,
                    added=len([c for c in changes if c.kind == "added"]),
                    removed=len([c for c in changes if c.kind == "removed"]),
                    changed=len([c for c in changes if c.kind == "changed"]),
                )
            )
        return estimate

    @api.model
    def _import_profile_for(self, system):
        """The mapping profile of a system's estimates: its own, else the standard one."""
        profile = self.env["construction.estimate.import.profile"].search(
            [("system_id", "=", system.id)], limit=1
        )
        return profile or self.env.ref(
            "construction_estimate_bridge.construction_estimate_import_profile_default"
        )

    @api.model
    def _import_project_for(self, system, reference):
        """The project a system calls ``reference``: bound to it, mapped,
        else of that exact name; empty when there is none yet."""
        return self.env["construction.sync.resolver"]._find(
            system, "project.project", reference, kind="project", natural=True
        )

    @api.model
    def _import_new_job(self, system, reference):
        """The project the award of an estimate of an unknown ``reference``
        makes, bound to it so that later revisions find it."""
        project = self.env["project.project"].create(
            {"name": reference, "company_id": system.company_id.id}
        )
        # the engine's bookkeeping, which no handler user may write
        self.env["construction.sync.binding"].sudo().create(
            {
                "system_id": system.id,
                "res_model": project._name,
                "res_id": project.id,
                "external_id": reference,
            }
        )
        project.message_post(
            body=self.env._("Job created by %(system)s's award of an estimate.", system=system.name)
        )
        return project

    @api.model
    def _import_payload(self, system, payload):
        """Import and approve an estimate sent by ``system`` (the payload of
        ``estimate.approved``, or the body of ``POST /estimates``).

        Lines use the standard column names (:data:`..lib.estimate_file.DEFAULT_COLUMNS`);
        the row of an issue is the line's position in ``lines``, from 1.
        """
        company = system.company_id
        Estimate = self.with_company(company)
        project = Estimate._import_project_for(system, payload["project"])
        created = not project
        if created:
            project = Estimate._import_new_job(system, payload["project"])
        columns = dict(estimate_file.DEFAULT_COLUMNS)
        profile = Estimate._import_profile_for(system)
        lines, issues = estimate_file.parse_records(
            payload["lines"], columns, profile.number_format
        )
        estimate = Estimate._import_lines(
            lines,
            issues,
            {
                "project_id": project,
                "company_id": company,
                "external_ref": payload["external_ref"],
                "name": payload.get("name"),
                "revision": payload.get("revision"),
                "system_id": system,
            },
            profile,
            columns,
        )
        estimate.action_approve()
        estimate._award(created=created)
        return estimate

    @api.model
    def _sync_apply_estimate_approved(self, event):
        """Handler of ``estimate.approved``: import the estimate as the next
        revision and approve it; line errors send the event to review."""
        return self._import_payload(event.system_id, event._payload())

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda estimate: estimate.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s is not possible for %(estimates)s in its current state.",
                    action=action,
                    estimates=", ".join(wrong.mapped("display_name")),
                )
            )

    def action_approve(self):
        self._check_state(("draft",), self.env._("Approval"))
        empty = self.filtered(lambda estimate: not estimate.line_ids.filtered("in_budget"))
        if empty:
            raise UserError(
                self.env._(
                    "%(estimates)s has no line to budget.",
                    estimates=", ".join(empty.mapped("display_name")),
                )
            )
        self.state = "approved"

    def action_create_budget(self):
        """Turn approved estimates into their project's budget, one line per cost code."""
        self._check_state(("approved",), self.env._("Creating the budget"))
        Budget = self.env["construction.budget"]
        for estimate in self:
            estimate.budget_id = Budget._from_estimate(estimate)
        self.state = "budgeted"
        return self.budget_id._action_open() if len(self) == 1 else True

    def action_award(self):
        """The client awarded the estimate: it becomes the job (see :meth:`_award`)."""
        self._check_state(("draft", "approved", "budgeted"), self.env._("Awarding"))
        self.filtered(lambda estimate: estimate.state == "draft").action_approve()
        for estimate in self:
            estimate._award()
        return self.budget_id._action_open() if len(self) == 1 else True

    def _award(self, created=False):
        """Make the approved estimate the job, once however often it is
        awarded: its project gets an analytic account when it has none, a
        task per bid package or site area that it does not have yet, and
        its budget from the estimate, approved at once when the company's
        rule says the award approves it. ``created``: the project is new,
        and ``project.created`` tells the subscribed systems."""
        self.ensure_one()
        project = self.project_id
        if not project.account_id:
            project._create_analytic_account()
        self._award_tasks()
        if self.state == "approved":
            self.action_create_budget()
        budget = self.budget_id
        if budget.state == "draft" and self.company_id.construction_award_budget == "approve":
            budget._approve(
                self.env._("approved by the award of %(estimate)s", estimate=self.display_name)
            )
        if created:
            project._construction_publish_created(self)
        return project

    def _award_tasks(self):
        """A task on the project per bid package or site area of the
        budgeted lines, unless the project has one of that name."""
        self.ensure_one()
        names = {
            line.bid_package or line.area_id.name
            for line in self.line_ids.filtered("in_budget")
            if line.bid_package or line.area_id
        }
        existing = set(
            self.env["project.task"]
            .search([("project_id", "=", self.project_id.id), ("name", "in", list(names))])
            .mapped("name")
        )
        return self.env["project.task"].create(
            [{"name": name, "project_id": self.project_id.id} for name in sorted(names - existing)]
        )

    def action_cancel(self):
        self._check_state(("draft", "approved"), self.env._("Cancelling"))
        self.state = "cancelled"

    def action_reset_to_draft(self):
        self._check_state(("approved", "cancelled"), self.env._("Resetting to draft"))
        self.state = "draft"

    def action_open_budget(self):
        self.ensure_one()
        return self.budget_id._action_open()
