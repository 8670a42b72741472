import base64

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..lib import estimate_file

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

    def _parse(self):
        """The file's lines and parsing issues; ``UserError`` when unreadable."""
        self.ensure_one()
        if not self.file_format:
            raise UserError(self.env._("Choose the format of the file: CSV, XLSX or JSON."))
        try:
            return estimate_file.parse(
                base64.b64decode(self.file or b""),
                self.file_format,
                self.profile_id._column_map(),
                self.profile_id.json_lines_key or "lines",
                self.profile_id.number_format,
                self.profile_id.encoding,
            )
        except estimate_file.EstimateFileError as error:
            raise UserError(
                self.env._("%(file)s cannot be read: %(reason)s.", file=self.filename, reason=error)
            ) from error

    def _previous_revision(self):
        return self.env["construction.estimate"]._find_current_revision(
            self.project_id, self.external_ref
        )

    def action_preview(self):
        self.ensure_one()
        lines, issues = self._parse()
        issues, changes, _resolved = self.env["construction.estimate"]._import_check(
            lines, issues, self.project_id, self.external_ref, self.profile_id, self.company_id
        )
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

    def _notify_progress(self, done, total):
        """Show the person importing how far a long import has come, while
        it runs. The notice goes through a transaction of its own: the
        import's transaction writes everything at its end, or nothing."""
        # Formatted out of the env._() call: the term extractor of Odoo's
        # translation export reads string literals among its arguments.
        lines_done, lines_total = f"{done:,}", f"{total:,}"
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            env.user.partner_id._bus_send(
                "simple_notification",
                {
                    "type": "info",
                    "title": env._("Importing %(file)s", file=self.filename or self.name or ""),
                    "message": env._(
                        "%(done)s of %(total)s lines written (%(percent)s %%).",
                        done=lines_done,
                        total=lines_total,
                        percent=round(100 * done / total),
                    ),
                },
            )

    def action_import(self):
        self.ensure_one()
        lines, issues = self._parse()
        previous = self._previous_revision()
        estimate = self.env["construction.estimate"]._import_lines(
            lines,
            issues,
            {
                "project_id": self.project_id,
                "company_id": self.company_id,
                "external_ref": self.external_ref,
                "name": self.name or previous.name or self.filename,
                "partner_id": self.partner_id,
            },
            self.profile_id,
            progress=self._notify_progress,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.estimate",
            "res_id": estimate.id,
            "view_mode": "form",
        }
