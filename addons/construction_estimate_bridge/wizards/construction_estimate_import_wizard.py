import base64
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..lib import estimate_file, revision_diff

FILE_FORMATS = [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")]


class ConstructionEstimateImportWizard(models.TransientModel):
    _name = "construction.estimate.import.wizard"
    _description = "Import an Estimate"

    state = fields.Selection([("upload", "Upload"), ("preview", "Preview")], default="upload")
    file = fields.Binary(required=True)
    filename = fields.Char()
    file_format = fields.Selection(
        FILE_FORMATS, compute="_compute_file_format", store=True, readonly=False
    )
    profile_id = fields.Many2one(
        "construction.estimate.import.profile",
        string="Mapping Profile",
        required=True,
        default=lambda self: self.env["construction.estimate.import.profile"].search([], limit=1),
    )
    project_id = fields.Many2one("project.project", required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    name = fields.Char("Estimate Name")
    external_ref = fields.Char(
        "External Reference",
        help="Number of the estimate in the platform; an estimate of the same project "
        "with this reference is replaced by a new revision.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    previous_estimate_id = fields.Many2one("construction.estimate", readonly=True)
    line_count = fields.Integer("Lines Read", readonly=True)
    budget_line_count = fields.Integer("Lines to Budget", readonly=True)
    amount_total = fields.Monetary("Budgeted Total", readonly=True)
    issue_ids = fields.One2many("construction.estimate.import.issue", "wizard_id", readonly=True)
    change_ids = fields.One2many("construction.estimate.import.change", "wizard_id", readonly=True)
    issue_count = fields.Integer(compute="_compute_counts")
    blocked_count = fields.Integer(compute="_compute_counts")

    @api.depends("filename")
    def _compute_file_format(self):
        for wizard in self:
            wizard.file_format = estimate_file.detect_format(wizard.filename) or wizard.file_format

    @api.depends("issue_ids", "change_ids.is_blocked")
    def _compute_counts(self):
        for wizard in self:
            wizard.issue_count = len(wizard.issue_ids)
            wizard.blocked_count = len(wizard.change_ids.filtered("is_blocked"))

    @api.onchange("project_id")
    def _onchange_project_id(self):
        if self.project_id.partner_id and not self.partner_id:
            self.partner_id = self.project_id.partner_id

    # ------------------------------------------------------------------
    # Reading and checking the file
    # ------------------------------------------------------------------

    def _resolvers(self):
        """Cost code, unit, product and vendor lookups for one import, memoized."""
        self.ensure_one()
        profile = self.profile_id
        cost_codes = {}

        def cost_code(raw):
            if raw not in cost_codes:
                cost_codes[raw] = profile._resolve_cost_code(raw, self.company_id)
            return cost_codes[raw]

        synonyms = estimate_file.parse_unit_synonyms(profile.unit_synonyms)
        units = {}

        def unit(raw):
            text = raw.strip().lower()
            if text not in units:
                units[text] = self.env["uom.uom"].search(
                    [("name", "=ilike", synonyms.get(text, text))], limit=1
                )
            return units[text]

        return cost_code, unit

    def _lookup_by_name(self, model, names, domain=()):
        """Records of ``model`` named (or, for products, referenced) as in ``names``."""
        names = list(names)
        if not names:
            return {}
        Model = self.env[model]
        found = {}
        if model == "product.product":
            for product in Model.search([*domain, ("default_code", "in", names)]):
                found[product.default_code] = product
        for record in Model.search([*domain, ("name", "in", names)]):
            found.setdefault(record.name, record)
        return found

    def _analyse(self):
        """Parse and check the file: ``(lines, issues, changes, resolved)``.

        Nothing is written. ``resolved`` maps each line to its Odoo records.
        """
        self.ensure_one()
        if not self.file_format:
            raise UserError(self.env._("Choose the format of the file: CSV, XLSX or JSON."))
        columns = self.profile_id._column_map()
        try:
            lines, issues = estimate_file.parse(
                base64.b64decode(self.file or b""),
                self.file_format,
                columns,
                self.profile_id.json_lines_key or "lines",
            )
        except estimate_file.EstimateFileError as error:
            raise UserError(
                self.env._("%(file)s cannot be read: %(reason)s.", file=self.filename, reason=error)
            ) from error
        cost_code, unit = self._resolvers()

        def code_info(raw):
            record = cost_code(raw)
            if not record:
                return None
            return estimate_file.CostCodeInfo(
                record.code, record.uom_id.category_id.name if record.uom_id else None
            )

        def unit_info(raw):
            record = unit(raw)
            return estimate_file.UnitInfo(record.name, record.category_id.name) if record else None

        issues += estimate_file.validate(lines, code_info, unit_info, columns)
        products = self._lookup_by_name(
            "product.product",
            {line.product for line in lines if line.product},
            self.env["product.product"]._check_company_domain(self.company_id),
        )
        vendors = self._lookup_by_name(
            "res.partner",
            {line.vendor for line in lines if line.vendor},
            self.env["res.partner"]._check_company_domain(self.company_id),
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
        changes = self._revision_changes(lines, resolved)
        return lines, sorted(issues, key=lambda issue: issue.row), changes, resolved

    def _previous_revision(self):
        return self.env["construction.estimate"]._find_current_revision(
            self.project_id, self.external_ref
        )

    def _revision_changes(self, lines, resolved):
        previous = self._previous_revision()
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
            [("project_id", "=", self.project_id.id)], limit=1
        )
        budget.line_ids._refresh_figures()
        committed = defaultdict(float)
        for budget_line in budget.line_ids:
            committed[budget_line.cost_code_id.code] += budget_line.committed
        return revision_diff.diff(old, new, committed)

    def action_preview(self):
        self.ensure_one()
        lines, issues, changes, _resolved = self._analyse()
        self.write(
            {
                "state": "preview",
                "previous_estimate_id": self._previous_revision().id,
                "line_count": len(lines),
                "budget_line_count": len([line for line in lines if line.in_budget]),
                "amount_total": sum(line.amount for line in lines if line.in_budget),
                "issue_ids": [Command.clear()]
                + [
                    Command.create(
                        {"row": issue.row, "column": issue.column, "message": issue.message}
                    )
                    for issue in issues
                ],
                "change_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "kind": change.kind,
                            "line_ref": change.line_id,
                            "cost_code": change.cost_code,
                            "name": change.name,
                            "changed_fields": ", ".join(change.changed_fields),
                            "old_quantity": change.old_quantity,
                            "new_quantity": change.new_quantity,
                            "old_amount": change.old_amount,
                            "new_amount": change.new_amount,
                            "blocked_reason": change.blocked,
                            "is_blocked": bool(change.blocked),
                        }
                    )
                    for change in changes
                ],
            }
        )
        return self._reopen()

    def action_back(self):
        self.state = "upload"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import an Estimate"),
        }

    # ------------------------------------------------------------------
    # Writing the estimate: all lines or none
    # ------------------------------------------------------------------

    def action_import(self):
        self.ensure_one()
        lines, issues, changes, resolved = self._analyse()
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
            raise UserError(
                self.env._(
                    "Nothing was imported: the file has %(count)s problems. Preview it to "
                    "see them all.\n%(problems)s",
                    count=len(problems),
                    problems="\n".join(problems[:20]),
                )
            )
        previous = self._previous_revision()
        estimate = self.env["construction.estimate"].create(
            {
                "name": self.name or previous.name or self.filename or self.external_ref,
                "project_id": self.project_id.id,
                "partner_id": (self.partner_id or previous.partner_id).id,
                "company_id": self.company_id.id,
                "system_id": self.profile_id.system_id.id,
                "external_ref": self.external_ref,
                "revision": previous.revision + 1 if previous else 1,
                "previous_revision_id": previous.id,
            }
        )
        records = self.env["construction.estimate.line"].create(
            [self._line_values(estimate, line, resolved[line.row]) for line in lines]
        )
        by_ref = {line.line_id: record for line, record in zip(lines, records, strict=True)}
        children = defaultdict(lambda: self.env["construction.estimate.line"])
        for line in lines:
            if line.parent_id:
                children[by_ref[line.parent_id]] |= by_ref[line.line_id]
        for parent, lines_of_parent in children.items():
            lines_of_parent.write({"parent_id": parent.id})
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
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.estimate",
            "res_id": estimate.id,
            "view_mode": "form",
        }

    @api.model
    def _line_values(self, estimate, line, records):
        cost_code = records["cost_code"]
        uom = records["uom"] or (cost_code.uom_id if cost_code else None)
        values = {
            "estimate_id": estimate.id,
            "sequence": line.row,
            "external_line_id": line.line_id,
            "name": line.name or (cost_code.name if cost_code else line.line_id),
            "bid_package": line.bid_package,
            "is_alternate": line.alternate,
            "alternate_included": line.included,
            "cost_code_id": cost_code.id if cost_code else False,
            "product_id": records["product"].id if records["product"] else False,
            "quantity": line.quantity,
            "uom_id": uom.id if uom else False,
            "unit_cost": line.unit_cost or 0.0,
            "vendor_id": records["vendor"].id if records["vendor"] else False,
        }
        cost_types = dict(self.env["construction.estimate.line"]._fields["cost_type"].selection)
        if line.cost_type.lower() in cost_types:
            values["cost_type"] = line.cost_type.lower()
        return values
