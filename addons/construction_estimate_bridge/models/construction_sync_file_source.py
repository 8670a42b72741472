import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import estimate_file

# "MAIN-ST__2026-11-03.csv" is estimate MAIN-ST: what follows "__" tells
# one export of an estimate from the next.
EXPORT_SUFFIX = re.compile(r"__.*$")


class ConstructionSyncFileSource(models.Model):
    _inherit = "construction.sync.file.source"

    file_kind = fields.Selection(
        selection_add=[("estimate", "Estimate Exports")],
        ondelete={"estimate": "cascade"},
        help="Estimate Exports: each file is an estimate (CSV, XLSX or JSON) read through "
        "the import profile, imported as the next revision of its estimate on the project.",
    )
    estimate_profile_id = fields.Many2one(
        "construction.estimate.import.profile",
        "Import Profile",
        check_company=True,
        help="How the platform's estimate files are laid out.",
    )
    estimate_project_id = fields.Many2one(
        "project.project",
        "Project",
        check_company=True,
        help="The project the exported estimates belong to.",
    )

    @api.constrains("file_kind", "estimate_profile_id", "estimate_project_id")
    def _check_estimate_settings(self):
        for source in self.filtered(lambda source: source.file_kind == "estimate"):
            if not source.estimate_profile_id or not source.estimate_project_id:
                raise ValidationError(
                    self.env._(
                        "Choose the import profile and the project of %(name)s.",
                        name=source.name,
                    )
                )

    @api.model
    def _estimate_reference(self, name):
        """The estimate a file is an export of: its name without extension,
        up to ``__`` (``MAIN-ST__2026-11-03.csv`` → ``MAIN-ST``)."""
        stem = name.rsplit(".", 1)[0]
        return EXPORT_SUFFIX.sub("", stem) or stem

    def _import_estimate(self, name, content):
        """The file as the next revision of its estimate on the source's
        project, through the import profile and the same checks and diff as
        the Import Estimate wizard: every line or none."""
        file_format = estimate_file.detect_format(name)
        if not file_format:
            raise UserError(self.env._("%(file)s is not a CSV, XLSX or JSON estimate.", file=name))
        profile = self.estimate_profile_id
        try:
            lines, issues = estimate_file.parse(
                content, file_format, profile._column_map(), profile.json_lines_key or "lines"
            )
        except estimate_file.EstimateFileError as error:
            raise UserError(
                self.env._("%(file)s cannot be read: %(reason)s.", file=name, reason=error)
            ) from error
        project = self.estimate_project_id
        company = project.company_id or self.company_id
        reference = self._estimate_reference(name)
        estimate = (
            self.env["construction.estimate"]
            .with_company(company)
            ._import_lines(
                lines,
                issues,
                {
                    "project_id": project,
                    "company_id": company,
                    "external_ref": reference,
                    "name": reference,
                    "system_id": self.system_id,
                },
                profile,
            )
        )
        return {"res_model": estimate._name, "res_id": estimate.id}
