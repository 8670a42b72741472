from odoo import models


class ConstructionEstimateImportWizard(models.TransientModel):
    _inherit = "construction.estimate.import.wizard"

    def action_preview(self):
        """The preview, with cost codes suggested for each row whose cost
        code is missing or maps to none."""
        result = super().action_preview()
        column = self.profile_id._column_map()["cost_code"]
        issues = self.issue_ids.filtered(lambda issue: issue.column == column and issue.row)
        if not issues:
            return result
        rows = {line.row: line for line in self._parse()[0]}
        wanted = [(issue, rows[issue.row]) for issue in issues if issue.row in rows]
        texts = [" ".join(filter(None, (line.cost_code, line.name))) for _issue, line in wanted]
        suggestions = self.env["construction.assist.model"]._suggest(
            self.company_id,
            [
                {
                    "description": text,
                    "unit": line.unit,
                    "vendor": line.vendor,
                    "product": line.product,
                    "project": self.project_id.name,
                }
                for text, (_issue, line) in zip(texts, wanted, strict=True)
            ],
        )
        Decision = self.env["construction.assist.decision"]
        for (issue, line), text, found in zip(wanted, texts, suggestions, strict=True):
            if found:
                issue.assist_decision_id = Decision._record_suggestions(
                    self.company_id, "estimate import preview", text, found
                )
                issue.assist_written = line.cost_code
        return result
