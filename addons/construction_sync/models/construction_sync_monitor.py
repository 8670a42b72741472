import json
from datetime import timedelta

import pytz

from odoo import api, fields, models, tools

GRAPH_DAYS = 14


class ConstructionSyncMonitor(models.Model):
    """Health of each external system's exchanges, computed by PostgreSQL
    from the inbox and the outbox when the dashboard is opened."""

    _name = "construction.sync.monitor"
    _description = "Sync Monitor"
    _auto = False
    _order = "system_id"

    system_id = fields.Many2one("construction.sync.system", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    queue_depth = fields.Integer("Waiting Events", readonly=True)
    done_last_hour = fields.Integer("Applied Last Hour", readonly=True)
    needs_review_count = fields.Integer("Needs Review", readonly=True)
    dead_count = fields.Integer("Dead Events", readonly=True)
    failure_rate = fields.Float("Failure Rate 24h (%)", readonly=True, aggregator="avg")
    latency_p50 = fields.Float("Latency p50 (s)", readonly=True, aggregator="max")
    latency_p95 = fields.Float("Latency p95 (s)", readonly=True, aggregator="max")
    oldest_pending_seconds = fields.Float("Oldest Waiting (s)", readonly=True, aggregator="max")
    deliveries_pending = fields.Integer("Deliveries Waiting", readonly=True)
    deliveries_failed = fields.Integer("Deliveries Refused or Dead", readonly=True)
    webhooks_received = fields.Integer("Webhooks Received 24h", readonly=True)
    pulls_run = fields.Integer("Pulls Run 24h", readonly=True, help="Pull runs started.")
    items_behind = fields.Integer(
        readonly=True,
        help="Items brought by webhooks, pulls or fetches and not applied yet.",
    )
    last_error = fields.Text(
        readonly=True, help="The latest failed pull, or else the latest event that needs a person."
    )
    last_error_at = fields.Datetime(readonly=True)
    throughput_graph = fields.Text(
        compute="_compute_graphs", help="Events applied per day over the last two weeks."
    )
    latency_graph = fields.Text(
        compute="_compute_graphs",
        help="Median seconds from receipt to applied, per day over the last two weeks.",
    )
    failure_graph = fields.Text(
        compute="_compute_graphs",
        help="Events received per day over the last two weeks that need a person or died.",
    )

    @api.depends_context("tz", "uid")
    def _compute_graphs(self):
        """One query for every card: per system and day, the events applied,
        their median latency and the events received that failed."""
        days, tz = self._graph_days()
        figures = {}
        system_ids = self.system_id.ids
        if system_ids:
            self.env.cr.execute(
                """
                WITH local AS (
                    SELECT e.system_id, e.state, e.latency_seconds,
                           timezone(%(tz)s, timezone('UTC', e.applied_at))::date AS applied_on,
                           timezone(%(tz)s, timezone('UTC', e.received_at))::date AS received_on
                      FROM construction_sync_event e
                     WHERE e.system_id IN %(systems)s
                       AND (e.applied_at >= %(since)s OR e.received_at >= %(since)s)
                )
                SELECT e.system_id, d.day,
                       count(*) FILTER (WHERE e.state = 'done' AND e.applied_on = d.day),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.latency_seconds) FILTER (
                           WHERE e.state = 'done' AND e.applied_on = d.day
                       ),
                       count(*) FILTER (
                           WHERE e.state IN ('needs_review', 'dead') AND e.received_on = d.day
                       )
                  FROM local e
                  JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d(day)
                    ON e.applied_on = d.day OR e.received_on = d.day
                 GROUP BY e.system_id, d.day
                """,
                {
                    "tz": tz,
                    "since": days[0] - timedelta(days=1),
                    "first": days[0],
                    "last": days[-1],
                    "systems": tuple(system_ids),
                },
            )
            for system_id, day, done, latency, failed in self.env.cr.fetchall():
                figures[system_id, day.date()] = (done, latency or 0.0, failed)
        for monitor in self:
            rows = [(day, figures.get((monitor.system_id.id, day), (0, 0.0, 0))) for day in days]
            monitor.throughput_graph = self._line_graph(
                self.env._("Applied"), [(day, done) for day, (done, _l, _f) in rows]
            )
            monitor.latency_graph = self._line_graph(
                self.env._("Latency p50 (s)"),
                [(day, round(latency, 1)) for day, (_d, latency, _f) in rows],
            )
            monitor.failure_graph = self._bar_graph(
                self.env._("Failed"),
                [(day.strftime("%d %b"), failed) for day, (_d, _l, failed) in rows],
            )

    def _graph_days(self):
        """The graphs' days, ending today, and the time zone that says which
        day a moment falls on: the reader's, as Odoo's date grouping does
        (UTC when the reader has none). The timestamps are stored in UTC."""
        tz = self.env.context.get("tz") or self.env.user.tz
        tz = tz if tz in pytz.all_timezones_set else "UTC"
        today = fields.Date.context_today(self.with_context(tz=tz))
        return [today - timedelta(days=back) for back in range(GRAPH_DAYS - 1, -1, -1)], tz

    @staticmethod
    def _line_graph(key, points):
        """The shape of Odoo's ``dashboard_graph`` widget for a line."""
        return json.dumps(
            [
                {
                    "key": key,
                    "area": True,
                    "values": [{"x": day.strftime("%d %b"), "y": value} for day, value in points],
                }
            ]
        )

    @staticmethod
    def _bar_graph(key, bars):
        """The shape of Odoo's ``dashboard_graph`` widget for bars, from
        ``(label, value)`` pairs."""
        return json.dumps(
            [
                {
                    "key": key,
                    "values": [
                        {"label": label, "value": value, "type": "past"} for label, value in bars
                    ],
                }
            ]
        )

    def action_open_attention(self):
        """The events of this system that wait for a person."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_sync.construction_sync_event_action_review"
        )
        action["domain"] = [("system_id", "=", self.system_id.id)]
        action["display_name"] = self.env._(
            "%(system)s: Events to Review", system=self.system_id.name
        )
        return action

    def action_open_waiting(self):
        """The events of this system still waiting to be applied."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_sync.construction_sync_event_action"
        )
        action["domain"] = [("system_id", "=", self.system_id.id)]
        action["context"] = {"search_default_waiting": 1}
        action["display_name"] = self.env._(
            "%(system)s: Waiting Events", system=self.system_id.name
        )
        return action

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            WITH now_utc AS (SELECT (clock_timestamp() AT TIME ZONE 'UTC') AS at),
            events AS (
                SELECT e.system_id,
                       count(*) FILTER (WHERE e.state IN ('received', 'queued')) AS queue_depth,
                       count(*) FILTER (
                           WHERE e.state = 'done' AND e.applied_at > n.at - interval '1 hour'
                       ) AS done_last_hour,
                       count(*) FILTER (WHERE e.state = 'needs_review') AS needs_review_count,
                       count(*) FILTER (WHERE e.state = 'dead') AS dead_count,
                       100.0 * count(*) FILTER (
                           WHERE e.state IN ('needs_review', 'dead')
                             AND e.received_at > n.at - interval '24 hours'
                       ) / NULLIF(
                           count(*) FILTER (WHERE e.received_at > n.at - interval '24 hours'), 0
                       ) AS failure_rate,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.latency_seconds) FILTER (
                           WHERE e.state = 'done' AND e.applied_at > n.at - interval '24 hours'
                       ) AS latency_p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY e.latency_seconds) FILTER (
                           WHERE e.state = 'done' AND e.applied_at > n.at - interval '24 hours'
                       ) AS latency_p95,
                       extract(epoch FROM n.at - min(e.received_at) FILTER (
                           WHERE e.state IN ('received', 'queued')
                       )) AS oldest_pending_seconds,
                       count(*) FILTER (
                           WHERE e.state IN ('received', 'queued') AND e.exchange_id IS NOT NULL
                       ) AS items_behind
                  FROM construction_sync_event e, now_utc n
                 GROUP BY e.system_id, n.at
            ),
            deliveries AS (
                SELECT d.system_id,
                       count(*) FILTER (WHERE d.state = 'pending') AS deliveries_pending,
                       count(*) FILTER (
                           WHERE d.state IN ('needs_review', 'dead')
                       ) AS deliveries_failed
                  FROM construction_sync_delivery d
                 GROUP BY d.system_id
            ),
            exchanges AS (
                SELECT x.system_id,
                       count(*) FILTER (WHERE x.kind = 'webhook') AS webhooks_received,
                       count(*) FILTER (WHERE x.kind = 'pull' AND x.page = 1) AS pulls_run
                  FROM construction_sync_exchange x, now_utc n
                 WHERE x.create_date > n.at - interval '24 hours'
                 GROUP BY x.system_id
            )
            SELECT s.id AS id,
                   s.id AS system_id,
                   s.company_id,
                   coalesce(e.queue_depth, 0) AS queue_depth,
                   coalesce(e.done_last_hour, 0) AS done_last_hour,
                   coalesce(e.needs_review_count, 0) AS needs_review_count,
                   coalesce(e.dead_count, 0) AS dead_count,
                   coalesce(e.failure_rate, 0) AS failure_rate,
                   coalesce(e.latency_p50, 0) AS latency_p50,
                   coalesce(e.latency_p95, 0) AS latency_p95,
                   coalesce(e.oldest_pending_seconds, 0) AS oldest_pending_seconds,
                   coalesce(d.deliveries_pending, 0) AS deliveries_pending,
                   coalesce(d.deliveries_failed, 0) AS deliveries_failed,
                   coalesce(x.webhooks_received, 0) AS webhooks_received,
                   coalesce(x.pulls_run, 0) AS pulls_run,
                   coalesce(e.items_behind, 0) AS items_behind,
                   last_error.message AS last_error,
                   last_error.at AS last_error_at
              FROM construction_sync_system s
              LEFT JOIN events e ON e.system_id = s.id
              LEFT JOIN deliveries d ON d.system_id = s.id
              LEFT JOIN exchanges x ON x.system_id = s.id
              LEFT JOIN LATERAL (
                  SELECT message, at FROM (
                      SELECT p.last_error AS message, p.last_error_at AS at
                        FROM construction_sync_pull p
                       WHERE p.system_id = s.id AND p.state = 'failed'
                      UNION ALL
                      SELECT ev.error_message, ev.write_date
                        FROM construction_sync_event ev
                       WHERE ev.system_id = s.id AND ev.state IN ('needs_review', 'dead')
                  ) errors
                   WHERE message IS NOT NULL
                   ORDER BY at DESC NULLS LAST
                   LIMIT 1
              ) last_error ON TRUE
             WHERE s.active
            """
        )
