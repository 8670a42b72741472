import logging

from odoo import api, fields, models

from ..lib import http_client, reconcile

_logger = logging.getLogger(__name__)


class ConstructionSyncVariance(models.Model):
    _name = "construction.sync.variance"
    _description = "Cross-System Variance"
    _inherit = ["mail.thread"]
    _order = "period desc, system_id, project_id, cost_code_id"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    project_id = fields.Many2one("project.project", required=True, index=True)
    cost_code_id = fields.Many2one("construction.cost.code", required=True, index=True)
    period = fields.Char(required=True, index=True, help="Month reconciled, YYYY-MM.")
    measure = fields.Selection([("hours", "Hours"), ("amount", "Cost")], required=True)
    external_total = fields.Float(readonly=True, help="Total reported by the system of record.")
    odoo_total = fields.Float(readonly=True, help="Total of the same lines in Odoo.")
    difference = fields.Float(
        compute="_compute_difference", store=True, help="External total minus Odoo total."
    )
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")],
        required=True,
        default="open",
        index=True,
        tracking=True,
    )
    checked_at = fields.Datetime("Last Checked", readonly=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "variance_uniq",
            "unique (system_id, project_id, cost_code_id, period, measure)",
            "One variance per system, project, cost code, period and measure.",
        ),
    ]

    @api.depends("external_total", "odoo_total")
    def _compute_difference(self):
        for variance in self:
            variance.difference = variance.external_total - variance.odoo_total

    def action_resolve(self):
        self.write({"state": "resolved"})
        return True

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the variances resolved and unchanged since before
        ``cutoff``; open ones stay until a person resolves them, and so do
        those of projects on legal hold."""
        return self.env["construction.sync.purge"]._in_batches(
            self,
            [
                ("state", "=", "resolved"),
                ("write_date", "<", cutoff),
                ("project_id", "not in", held_projects.ids),
            ],
            batch_size,
            max_batches,
        )

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------

    @api.model
    def _cron_reconcile(self, period=None):
        """Compare each system of record's totals per project and cost code
        for ``period`` (YYYY-MM, this month by default) with Odoo's, and
        record the variances. A system that cannot be read is noted on its
        chatter; the others are still reconciled."""
        period = period or fields.Date.context_today(self).strftime("%Y-%m")
        systems = self.env["construction.sync.system"].search(
            [("reconcile_totals", "=", True), ("base_url", "!=", False)]
        )
        for system in systems:
            try:
                rows = reconcile.parse_totals(system._fetch_totals(period))
            except (http_client.OutboundError, ValueError) as error:
                _logger.warning(
                    "Reconciliation of %s for %s failed: %s", system.code, period, error
                )
                system.message_post(
                    body=self.env._(
                        "Totals for %(period)s could not be read: %(error)s",
                        period=period,
                        error=str(error),
                    )
                )
                continue
            self._reconcile_system(system, period, rows)
        return len(systems)

    @api.model
    def _reconcile_system(self, system, period, rows):
        date_from, date_to = reconcile.period_bounds(period)
        projects = self._resolve_refs(system, "project.project", "project", {r[0] for r in rows})
        codes = self._resolve_refs(
            system, "construction.cost.code", "cost_code", {r[1] for r in rows}
        )
        unknown = sorted(
            {r[0] for r in rows if r[0] not in projects} | {r[1] for r in rows if r[1] not in codes}
        )
        if unknown:
            system.message_post(
                body=self.env._(
                    "Reconciliation %(period)s: no binding or value map for %(refs)s.",
                    period=period,
                    refs=", ".join(unknown),
                )
            )
        rows = [r for r in rows if r[0] in projects and r[1] in codes]
        totals = self._odoo_totals(
            [projects[r[0]] for r in rows], [codes[r[1]] for r in rows], date_from, date_to
        )
        existing = {
            (v.project_id, v.cost_code_id, v.measure): v
            for v in self.search([("system_id", "=", system.id), ("period", "=", period)])
        }
        now = fields.Datetime.now()
        to_create = []
        for project_ref, code_ref, measure, external_total in rows:
            project, code = projects[project_ref], codes[code_ref]
            odoo_total = totals.get(
                (project.account_id.id, code.analytic_account_id.id, measure), 0
            )
            vals = {
                "external_total": external_total,
                "odoo_total": odoo_total,
                "checked_at": now,
                "state": "open" if reconcile.differs(external_total, odoo_total) else "resolved",
            }
            variance = existing.get((project, code, measure))
            if variance:
                variance.write(vals)
            elif vals["state"] == "open":
                to_create.append(
                    dict(
                        vals,
                        system_id=system.id,
                        project_id=project.id,
                        cost_code_id=code.id,
                        period=period,
                        measure=measure,
                    )
                )
        return self.create(to_create)

    @api.model
    def _odoo_totals(self, projects, codes, date_from, date_to):
        """``{(project account, cost code account, measure): total}``:
        timesheet hours, and cost (positive) of every analytic line."""
        column = self.env["construction.cost.code"]._cost_code_plan()._column_name()
        Line = self.env["account.analytic.line"]
        domain = [
            ("account_id", "in", [project.account_id.id for project in projects]),
            (column, "in", [code.analytic_account_id.id for code in codes]),
            ("date", ">=", date_from),
            ("date", "<=", date_to),
        ]
        totals = {}
        for account, code_account, hours in Line._read_group(
            [*domain, ("project_id", "!=", False)], ["account_id", column], ["unit_amount:sum"]
        ):
            totals[account.id, code_account.id, "hours"] = hours
        for account, code_account, amount in Line._read_group(
            domain, ["account_id", column], ["amount:sum"]
        ):
            totals[account.id, code_account.id, "amount"] = -amount
        return totals

    @api.model
    def _resolve_refs(self, system, model, kind, refs):
        """``{reference: record}`` for the references ``system`` uses, by the
        sync resolver: bindings, then value maps, then (cost codes) the
        number itself."""
        return self.env["construction.sync.resolver"]._find_many(
            system, model, refs, kind, natural=model == "construction.cost.code"
        )
