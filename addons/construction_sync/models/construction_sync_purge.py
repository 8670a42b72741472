import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Kinds of record the retention policy purges, with the setting that holds
# their period in days and its default; 0 keeps them for ever. A module
# adds its kinds with ``selection_add`` and extends :meth:`_policies`.
PURGE_KINDS = [
    ("event", "Applied events and their payloads"),
    ("delivery", "Sent deliveries"),
    ("event_link", "Event links"),
    ("variance", "Resolved variances"),
]
# Records removed per batch: each batch is one search and one unlink, so a
# purge of a year of records holds no huge recordset in memory.
BATCH_SIZE = 1000
# Batches per kind and run: a longer backlog is left to the next run, which
# the scheduler starts at once (ir.cron progress), each in its own transaction.
MAX_BATCHES = 20


class ConstructionSyncPurge(models.Model):
    """What one retention purge removed of one kind of record: a row per kind
    and nightly run, kept as the history an administrator reads."""

    _name = "construction.sync.purge"
    _description = "Retention Purge"
    _order = "run_at desc, id desc"
    _rec_name = "kind"

    run_at = fields.Datetime(required=True, readonly=True, index=True)
    kind = fields.Selection(PURGE_KINDS, required=True, readonly=True)
    period_days = fields.Integer(
        "Period (days)", readonly=True, help="The retention period the run applied."
    )
    cutoff = fields.Datetime(readonly=True, help="Records older than this were purged.")
    purged_count = fields.Integer("Removed", readonly=True)
    held_project_count = fields.Integer(
        "Projects on Legal Hold",
        readonly=True,
        help="Projects whose records the run kept whatever their age.",
    )

    @api.model
    def _policies(self):
        """``{kind: (model, parameter, default days)}``: where each kind's
        records live and the setting that holds its period."""
        return {
            "event": ("construction.sync.event", "construction_sync.event_retention_days", 30),
            "delivery": (
                "construction.sync.delivery",
                "construction_sync.delivery_retention_days",
                90,
            ),
            "event_link": (
                "construction.sync.event.link",
                "construction_sync.event_link_retention_days",
                365,
            ),
            "variance": (
                "construction.sync.variance",
                "construction_sync.variance_retention_days",
                365,
            ),
        }

    @api.model
    def _period(self, kind):
        _model, parameter, default = self._policies()[kind]
        return int(self.env["ir.config_parameter"].sudo().get_param(parameter, default) or 0)

    @api.model
    def _cron_purge(self, batch_size=BATCH_SIZE, max_batches=MAX_BATCHES):
        """Apply the retention policy of every kind: remove, in batches, what
        is past its period, except what still needs a person and what
        belongs to a project on legal hold. Each kind with a period leaves
        its count in the log and in the purge history. A kind with more
        than ``max_batches`` batches to remove tells the scheduler that work
        remains, which runs the action again at once. Returns
        ``{kind: count}``."""
        now = fields.Datetime.now()
        held = (
            self.env["project.project"]
            .sudo()
            .with_context(active_test=False)
            .search([("construction_legal_hold", "=", True)])
        )
        counts = {}
        history = []
        finished = True
        for kind, (model, _parameter, _default) in self._policies().items():
            days = self._period(kind)
            if days <= 0:
                continue
            cutoff = now - timedelta(days=days)
            count, done = (
                self.env[model].sudo()._retention_purge(cutoff, held, batch_size, max_batches)
            )
            finished &= done
            counts[kind] = count
            _logger.info(
                "Retention purge: %s %s record(s) older than %s days removed, "
                "%s project(s) on legal hold kept",
                count,
                kind,
                days,
                len(held),
            )
            history.append(
                {
                    "run_at": now,
                    "kind": kind,
                    "period_days": days,
                    "cutoff": cutoff,
                    "purged_count": count,
                    "held_project_count": len(held),
                }
            )
        self.sudo().create(history)
        self.env["ir.cron"]._notify_progress(
            done=sum(counts.values()), remaining=0 if finished else 1
        )
        return counts

    @api.model
    def _ids_of_projects(self, model, projects):
        """Ids of the records of ``model`` that belong to ``projects``: the
        projects themselves, or the records whose ``project_id`` is one of
        them; None when ``model`` belongs to no project."""
        if model == "project.project":
            return projects.ids
        if model not in self.env:
            return None
        field = self.env[model]._fields.get("project_id")
        if not field or field.type != "many2one" or field.comodel_name != "project.project":
            return None
        return (
            self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search([("project_id", "in", projects.ids)])
            .ids
        )

    @api.model
    def _in_batches(self, model, domain, batch_size, max_batches):
        """Unlink the records of ``model`` matching ``domain`` (which leaves
        out what must be kept) in at most ``max_batches`` batches of
        ``batch_size``, oldest first. Returns the number removed and whether
        none is left."""
        count = 0
        for _batch in range(max_batches):
            batch = model.search(domain, order="id", limit=batch_size)
            count += len(batch)
            batch.unlink()
            if len(batch) < batch_size:
                return count, True
        return count, False
