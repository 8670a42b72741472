import base64
import logging
import time

from odoo import api, fields, models, tools

from ..lib.suggest import Suggester

_logger = logging.getLogger(__name__)
# The most recent lines of each source a company's model learns from.
HISTORY_LIMIT = 100_000
# Trainings kept per company, the latest one suggesting.
KEEP_TRAININGS = 3


class ConstructionAssistModel(models.Model):
    """One training of a company's cost code model, learned from its own
    history only and stored in Odoo (an attachment of this record). The
    latest training of a company suggests; the few before it stay to
    compare."""

    _name = "construction.assist.model"
    _description = "Cost Code Suggestion Model"
    _order = "trained_at desc, id desc"
    _rec_name = "company_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    model_file = fields.Binary("Model", attachment=True, readonly=True, copy=False)
    trained_at = fields.Datetime(readonly=True)
    line_count = fields.Integer("Lines Learned From", readonly=True)
    code_count = fields.Integer("Cost Codes", readonly=True)
    size_bytes = fields.Integer("Size (bytes)", readonly=True)
    training_seconds = fields.Float("Training Time (s)", readonly=True)

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------

    @api.model
    def _cron_train(self):
        """Queue the training of every company's model, one job each."""
        for company in self.env["res.company"].search([("active", "=", True)]):
            self.with_delay(description=f"Learn cost codes of {company.name}")._job_train(
                company.id
            )

    def action_train(self):
        """Queue the training of these companies' models now."""
        for record in self:
            self.with_delay(description=f"Learn cost codes of {record.company_id.name}")._job_train(
                record.company_id.id
            )
        return True

    @api.model
    def _job_train(self, company_id):
        return self._train(self.env["res.company"].browse(company_id)).line_count

    @api.model
    def _train(self, company):
        """Learn ``company``'s cost codes from its history and store the
        model as its latest training (empty, suggesting nothing, while the
        company has used fewer than two codes)."""
        lines, labels = self._history(company)
        trainings = self.sudo().search([("company_id", "=", company.id)])
        trainings[KEEP_TRAININGS - 1 :].unlink()
        record = self.sudo().create({"company_id": company.id})
        started = time.perf_counter()
        if len(set(labels)) < 2:
            record.write(
                {
                    "model_file": False,
                    "trained_at": fields.Datetime.now(),
                    "line_count": len(lines),
                    "code_count": len(set(labels)),
                    "size_bytes": 0,
                }
            )
            return record
        data = Suggester().fit(lines, labels).dumps()
        record.write(
            {
                "model_file": base64.b64encode(data),
                "trained_at": fields.Datetime.now(),
                "line_count": len(lines),
                "code_count": len(set(labels)),
                "size_bytes": len(data),
                "training_seconds": time.perf_counter() - started,
            }
        )
        _logger.info("Cost code model of %s learned from %s lines", company.name, len(lines))
        return record

    @api.model
    def _history(self, company):
        """``(lines, cost code ids)`` of ``company``, and of no other: its
        estimate lines, its job cost and timesheet lines, its systems'
        cost code value maps, the suggestions its people accepted, and the
        names of the cost codes it may use."""
        env = self.sudo().env
        lines, labels = [], []

        def add(description, cost_code, **meta):
            if description and cost_code:
                lines.append(dict(meta, description=description))
                labels.append(cost_code)

        for line in env["construction.estimate.line"].search(
            [("company_id", "=", company.id), ("cost_code_id", "!=", False)],
            order="id desc",
            limit=HISTORY_LIMIT,
        ):
            add(
                line.name,
                line.cost_code_id.id,
                unit=line.uom_id.name,
                vendor=line.vendor_id.name,
                product=line.product_id.name,
                project=line.project_id.name,
            )
        CostCode = env["construction.cost.code"].with_context(active_test=False)
        column = CostCode._cost_code_plan()._column_name()
        codes = CostCode.search([("company_id", "in", [company.id, False])])
        by_account = {code.analytic_account_id.id: code.id for code in codes}
        for line in env["account.analytic.line"].search(
            [("company_id", "=", company.id), (column, "!=", False)],
            order="id desc",
            limit=HISTORY_LIMIT,
        ):
            add(
                line.name,
                by_account.get(line[column].id),
                unit=line.product_uom_id.name,
                product=line.product_id.name,
                project=line.account_id.name,
            )
        for value_map in env["construction.sync.value.map"].search(
            [("kind", "=", "cost_code"), ("company_id", "=", company.id)]
        ):
            target = value_map.internal_reference
            add(value_map.external_value, target.id if target else False)
        for decision in env["construction.assist.decision"].search(
            [
                ("company_id", "=", company.id),
                ("kind", "=", "cost_code"),
                ("chosen_code_id", "!=", False),
            ],
            order="id desc",
            limit=HISTORY_LIMIT,
        ):
            add(decision.text, decision.chosen_code_id.id)
        for code in codes.filtered("active"):
            add(code.name, code.id)
        return lines, labels

    # ------------------------------------------------------------------
    # Suggesting
    # ------------------------------------------------------------------

    @api.model
    @tools.ormcache("record_id", "stamp")
    def _suggester(self, record_id, stamp):
        """The stored model, read once per process and training."""
        data = self.sudo().browse(record_id).model_file
        return Suggester.loads(base64.b64decode(data)) if data else None

    @api.model
    def _suggest(self, company, lines, k=3):
        """For each of ``lines`` (dicts: description, unit, vendor, product,
        project), up to ``k`` ``(cost code, confidence, reason)`` from
        ``company``'s own model; nothing is written."""
        record = self.sudo().search([("company_id", "=", company.id)], limit=1)
        suggester = record and self._suggester(record.id, str(record.trained_at))
        if not suggester:
            return [[] for _line in lines]
        CostCode = self.env["construction.cost.code"].sudo()
        allowed = set(CostCode.search([("company_id", "in", [company.id, False])]).ids)
        results = []
        for row in suggester.top_many(lines, k, allowed):
            codes = CostCode.browse([suggestion.label for suggestion in row])
            results.append(
                [
                    (
                        code,
                        suggestion.confidence,
                        self.env._(
                            "similar past lines: %(count)s, e.g. %(example)r",
                            count=suggestion.past_lines,
                            example=suggestion.example,
                        ),
                    )
                    for code, suggestion in zip(codes, row, strict=True)
                ]
            )
        return results
