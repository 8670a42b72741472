from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import cost_code as cost_code_lib

COST_TYPES = [
    ("labor", "Labor"),
    ("material", "Material"),
    ("equipment", "Equipment"),
    ("subcontract", "Subcontract"),
    ("other", "Other"),
]

LEVELS = [
    ("1", "Division"),
    ("2", "Level 2"),
    ("3", "Level 3"),
    ("4", "Section"),
    ("5", "Subsection"),
]

# Fields whose change must reach the cost code's analytic account.
ANALYTIC_FIELDS = {"code", "name", "company_id", "active"}
# Fields whose change is announced to the systems subscribed to cost codes.
PUBLISHED_FIELDS = {"code", "name", "cost_type", "uom_id", "active"}


class ConstructionCostCode(models.Model):
    _name = "construction.cost.code"
    _description = "Construction Cost Code"
    _inherit = ["mail.thread"]
    _order = "code, company_id"
    _parent_store = True
    _check_company_auto = True
    _rec_names_search = ["code", "name"]

    code = fields.Char(
        required=True,
        index=True,
        tracking=True,
        help="CSI MasterFormat number such as 32 12 16 or 32 12 16.13. "
        "Written as 321216 or 32-12-16 it is stored as 32 12 16.",
    )
    name = fields.Char(required=True, tracking=True, translate=True)
    parent_id = fields.Many2one(
        "construction.cost.code",
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The nearest higher-level cost code, found from the number.",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("construction.cost.code", "parent_id", "Sub-codes")
    division_id = fields.Many2one(
        "construction.cost.code",
        compute="_compute_division_id",
        store=True,
        index=True,
        recursive=True,
    )
    level = fields.Selection(LEVELS, compute="_compute_level", store=True)
    cost_type = fields.Selection(COST_TYPES, tracking=True)
    uom_id = fields.Many2one(
        "uom.uom",
        string="Default Unit",
        help="Unit in which quantities on this cost code are usually measured.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="Leave empty to share the cost code between all companies.",
    )
    active = fields.Boolean(default=True, tracking=True)
    description = fields.Text()
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="Account of the Cost Codes analytic plan kept in step with this "
        "cost code, so analytic distributions carry it.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique nulls not distinct (code, company_id)",
            "A cost code number must be unique per company.",
        ),
    ]

    @api.depends("parent_path")
    def _compute_division_id(self):
        for record in self:
            root_id = int(record.parent_path.split("/")[0]) if record.parent_path else 0
            record.division_id = root_id or record

    @api.depends("code")
    def _compute_level(self):
        for record in self:
            record.level = str(cost_code_lib.level(record.code)) if record.code else False

    @api.depends("code", "name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = " ".join(filter(None, [record.code, record.name]))

    @api.constrains("code", "company_id")
    def _check_code_unique_with_shared(self):
        """A shared code may not also exist in one company, and vice versa."""
        for record in self:
            domain = [("code", "=", record.code), ("id", "!=", record.id)]
            if record.company_id:
                domain.append(("company_id", "in", [False, record.company_id.id]))
            clash = self.with_context(active_test=False).sudo().search(domain, limit=1)
            if clash:
                raise ValidationError(
                    self.env._(
                        "Cost code %(code)s already exists (%(name)s, %(company)s). "
                        "A number is unique per company and a shared number "
                        "cannot be repeated in any company.",
                        code=record.code,
                        name=clash.name,
                        company=clash.company_id.name or self.env._("shared"),
                    )
                )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _normalize_vals(self, vals):
        if "code" not in vals:
            return vals
        try:
            code = cost_code_lib.normalize(vals["code"])
        except cost_code_lib.CostCodeError as error:
            raise ValidationError(
                self.env._(
                    "%(code)r is not a MasterFormat cost code: %(reason)s. "
                    "Write it like 32 12 16 (division 32, section 12 16).",
                    code=vals["code"] or "",
                    reason=str(error),
                )
            ) from error
        return dict(vals, code=code)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create([self._normalize_vals(vals) for vals in vals_list])
        records._sync_analytic_accounts()
        records._assign_parents()
        records._publish()
        return records

    def write(self, vals):
        vals = self._normalize_vals(vals)
        old_codes = set(self.mapped("code")) if "code" in vals else set()
        result = super().write(vals)
        if ANALYTIC_FIELDS & vals.keys():
            self._sync_analytic_accounts()
        if {"code", "company_id"} & vals.keys():
            self._assign_parents(old_codes)
        if PUBLISHED_FIELDS & vals.keys():
            self._publish()
        return result

    def unlink(self):
        accounts = self.analytic_account_id
        result = super().unlink()
        if accounts:
            self._unlink_analytic_accounts(accounts)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_reparent_children(self):
        """Sub-codes move up to the nearest ancestor that stays."""
        moves = defaultdict(lambda: self.browse())
        for child in self.child_ids - self:
            parent = child.parent_id
            while parent in self:
                parent = parent.parent_id
            moves[parent] |= child
        for parent, children in moves.items():
            children.write({"parent_id": parent.id})

    # ------------------------------------------------------------------
    # Hierarchy
    # ------------------------------------------------------------------

    def _assign_parents(self, old_codes=()):
        """Point these codes, and the codes below them (or below their
        ``old_codes`` before a renumbering), at their nearest
        existing ancestor: the same company's, else a shared one. A new
        level-3 code thus adopts the sections already filed under it.

        Only the codes concerned are read (their ancestors and the numbers
        below them), so filing a code costs the same in a list of ten codes
        or of ten thousand."""
        if not self:
            return
        codes = set(self.mapped("code")) | set(old_codes)
        ancestors = {ancestor for code in codes for ancestor in cost_code_lib.ancestors(code)}
        domain = [("code", "in", sorted(codes | ancestors))]
        for pattern in sorted(filter(None, map(cost_code_lib.descendant_pattern, codes))):
            domain = ["|", ("code", "=like", pattern), *domain]
        family = self.with_context(active_test=False).sudo().search(domain)
        by_key = {(record.company_id.id, record.code): record for record in family}
        moves = defaultdict(lambda: self.browse())
        for record in family:
            parent = next(
                (
                    by_key.get((record.company_id.id, ancestor)) or by_key[(False, ancestor)]
                    for ancestor in cost_code_lib.ancestors(record.code)
                    if (record.company_id.id, ancestor) in by_key or (False, ancestor) in by_key
                ),
                self.browse(),
            )
            if record.parent_id != parent:
                moves[parent] |= record
        for parent, records in moves.items():
            records.write({"parent_id": parent.id})

    # ------------------------------------------------------------------
    # Analytic accounts
    # ------------------------------------------------------------------

    @api.model
    def _cost_code_plan(self):
        # From the cached xml id, without the query ``env.ref`` makes each
        # time: every labor and cost line asks for it.
        plan = self.env["account.analytic.plan"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(
                "construction_sync.analytic_plan_cost_codes", raise_if_not_found=False
            )
        )
        if not plan:
            raise UserError(
                self.env._(
                    "The Cost Codes analytic plan is missing. Upgrade the "
                    "Construction Sync module to restore it."
                )
            )
        return plan

    def _analytic_account_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "code": self.code,
            "company_id": self.company_id.id,
            "active": self.active,
        }

    def _sync_analytic_accounts(self):
        """Create or update the analytic account of every cost code.

        Rights are checked on the cost code; its account is a mirror the
        user never edits, hence sudo, and without chatter: the cost code's
        own tracks each change, and whoever made the code does not follow
        its account.
        """
        Account = self.env["account.analytic.account"].sudo().with_context(tracking_disable=True)
        missing = self.filtered(lambda record: not record.analytic_account_id)
        if missing:
            plan = self._cost_code_plan()
            accounts = Account.create(
                [dict(record._analytic_account_vals(), plan_id=plan.id) for record in missing]
            )
            for record, account in zip(missing, accounts, strict=True):
                record.analytic_account_id = account
        for record in self - missing:
            account = record.analytic_account_id.with_env(Account.env)
            current = {
                "name": account.name,
                "code": account.code,
                "company_id": account.company_id.id,
                "active": account.active,
            }
            changed = {
                key: value
                for key, value in record._analytic_account_vals().items()
                if current[key] != value
            }
            if changed:
                account.write(changed)

    @api.model
    def _unlink_analytic_accounts(self, accounts):
        accounts = accounts.sudo()
        used = (
            self.env["account.analytic.line"]
            .sudo()
            .search_count([(self._cost_code_plan()._column_name(), "in", accounts.ids)], limit=1)
        )
        if used:
            raise UserError(
                self.env._(
                    "These cost codes already carry analytic entries and "
                    "cannot be deleted. Archive them instead."
                )
            )
        accounts.unlink()

    # ------------------------------------------------------------------
    # Synchronization
    # ------------------------------------------------------------------

    def _publish(self):
        """Announce the new state of these codes to the subscribed systems
        that may read them: their company's, every company's for a shared code."""
        self.env["construction.sync.delivery"]._emit(
            "cost_code.changed",
            [
                (
                    record.company_id,
                    {
                        "id": record.id,
                        "code": record.code,
                        "name": record.name,
                        "parent": record.parent_id.code or None,
                        "cost_type": record.cost_type or None,
                        "unit": record.uom_id.name or None,
                        "active": record.active,
                    },
                )
                for record in self
            ],
        )

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``cost_code.upserted``: find the code by binding, else
        by number in the system's company or shared, and create or update
        it. A shared code (no company) is every company's: only a system
        allowed to change shared records does, within every company's
        ownership rules."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        external_id = data.get("external_id") or data["code"]
        binding, record = Resolver._binding(system, self._name, external_id)
        if binding and binding.sync_hash == event.payload_hash and record:
            return record
        vals = self._sync_upsert_vals(data)
        if "unit" in data:
            vals["uom_id"] = Resolver._resolve(
                system, "uom.uom", data["unit"], "/payload/unit", kind="uom", natural=True
            ).id
        company = system.company_id
        if not record:
            record = Resolver.with_context(active_test=False)._natural(
                self._name, vals["code"], company
            )
        if record and not record.company_id:
            record._sync_check_shared(system, vals)
        if record:
            record.write(vals)
        else:
            record = self.create(dict(vals, company_id=company.id))
        Resolver._bind(event, binding, record, external_id)
        return record

    @api.model
    def _sync_upsert_vals(self, data):
        """The values a ``cost_code.upserted`` payload writes, its number
        normalized; its unit, if any, is the caller's to resolve."""
        vals = self._normalize_vals({"code": data["code"], "name": data["name"]})
        vals.update((key, data[key]) for key in ("cost_type", "active") if key in data)
        return vals

    @api.model
    def _sync_apply_upsert_chunk(self, events):
        """:meth:`_sync_apply_upsert` of many events at once, for the codes
        new to the company: no binding, no code of that number in the
        company or shared (archived ones included), once in the chunk, no
        unit to resolve. Their codes are made by one ``create`` (their
        analytic accounts and publications each made once for all) and
        their bindings by one insert. Returns ``{event: code}``; the others
        (updates, resends, units, numbers that are not MasterFormat) are
        left to the engine, which applies them one by one."""
        Resolver = self.env["construction.sync.resolver"]
        system = events.system_id
        company = system.company_id
        fresh = {}
        for event in events:
            data = event._payload()
            if "unit" in data:
                continue
            try:
                vals = self._sync_upsert_vals(data)
            except ValidationError:
                continue  # said precisely when applied alone
            fresh[event] = (data.get("external_id") or data["code"], vals)
        externals = Counter(external for external, _vals in fresh.values())
        codes = Counter(vals["code"] for _external, vals in fresh.values())
        bound = Resolver._bindings(system, self._name, externals)
        # A shared code clashes with the number in any company (the
        # constraint above); the rights of the handler user come after.
        domain = [("code", "in", list(codes))]
        if company:
            domain.append(("company_id", "in", [company.id, False]))
        taken = set(self.with_context(active_test=False).sudo().search(domain).mapped("code"))
        fresh = {
            event: (external, vals)
            for event, (external, vals) in fresh.items()
            if externals[external] == 1
            and external not in bound
            and codes[vals["code"]] == 1
            and vals["code"] not in taken
        }
        records = self.create([dict(vals, company_id=company.id) for _e, vals in fresh.values()])
        Resolver._bind_new(
            system,
            self._name,
            [
                (event, record.id, external)
                for (event, (external, _vals)), record in zip(fresh.items(), records, strict=True)
            ],
        )
        return dict(zip(fresh, records, strict=True))

    def _sync_check_shared(self, system, vals):
        """Refuse ``system``'s change of this shared code unless it may
        change shared records and no company's rule gives the fields to
        another system."""
        self.ensure_one()
        refused = self.env["construction.sync.ownership"]._violations(
            system, self._name, set(vals), shared=True
        )
        if not system.shared_records:
            refused.insert(
                0,
                (
                    "",
                    self.env._(
                        "%(code)s is shared by every company; %(system)s may not change "
                        "shared records (an administrator allows it per system).",
                        code=self.display_name,
                        system=system.name,
                    ),
                ),
            )
        if refused:
            raise UserError(" ".join(message for _field, message in refused))

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the MasterFormat number,
        normalized (``321216`` is ``32 12 16``), in ``company`` or shared."""
        try:
            code = cost_code_lib.normalize(reference)
        except cost_code_lib.CostCodeError:
            return self.browse()
        return self.search([("code", "=", code), ("company_id", "in", [company.id, False])])

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_analytic_lines(self):
        """Analytic entries booked on these cost codes, by project."""
        column = self._cost_code_plan()._column_name()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "analytic.account_analytic_line_action_entries"
        )
        domain = [(column, "in", self.analytic_account_id.ids)] if self else []
        action.update(
            {
                "name": self.env._("Cost by Cost Code"),
                "domain": domain,
                "view_mode": "pivot,graph,list,form",
                "views": [(False, "pivot"), (False, "graph"), (False, "list"), (False, "form")],
                "context": {
                    "pivot_row_groupby": [column],
                    "pivot_column_groupby": ["date:month"],
                    "pivot_measures": ["amount", "unit_amount"],
                    "group_by": [column],
                },
            }
        )
        return action
