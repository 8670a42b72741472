from datetime import timedelta

from odoo import api, fields, models, tools

ACTUAL_EVENT_TYPES = (
    "labor.approved",
    "labor.corrected",
    "equipment.usage.recorded",
    "material.consumed",
)
LABOR_EVENT_TYPES = ("labor.approved", "labor.corrected")
# Events with their type and the project they name, found through the
# sending system's binding (b.res_id, empty when the project is not bound).
EVENTS_WITH_PROJECT = """
  FROM construction_sync_event e
  JOIN construction_sync_event_type t ON t.id = e.event_type_id
  LEFT JOIN construction_sync_binding b
         ON b.system_id = e.system_id
        AND b.res_model = 'project.project'
        AND b.external_id = e.payload::jsonb ->> 'project'
"""


class ConstructionSyncKpi(models.Model):
    """Business view of the sync per project, computed by PostgreSQL from
    the inbox and the open variances when the dashboard is opened. Events
    name projects by their external id: the project is found through the
    sending system's binding (empty when the project is not bound)."""

    _name = "construction.sync.kpi"
    _description = "Field Sync KPIs per Project"
    _auto = False
    _order = "review_count desc, project_id"

    company_id = fields.Many2one("res.company", readonly=True)
    project_id = fields.Many2one("project.project", readonly=True)
    unposted_labor_hours = fields.Float(
        readonly=True, help="Hours of labor events received and not applied yet."
    )
    review_count = fields.Integer("Events to Review", readonly=True)
    unmatched_equipment_count = fields.Integer(
        "Unmatched Equipment Usage",
        readonly=True,
        help="Equipment usage received and not booked yet: unknown equipment or "
        "rate, meter readings to check, or still waiting.",
    )
    delayed_actuals = fields.Integer(
        readonly=True,
        help="Labor, equipment and material events still not applied a day after they "
        "happened in the field.",
    )
    open_variance_count = fields.Integer("Open Variances", readonly=True)
    open_variance_hours = fields.Float("Variance (h)", readonly=True)
    open_variance_amount = fields.Float("Variance (cost)", readonly=True)

    actuals_graph = fields.Text(
        "Field Actuals per Day",
        compute="_compute_graphs",
        help="Labor, equipment and material events per day they happened in the field, "
        "over the last two weeks.",
    )
    waiting_graph = fields.Text(
        "Waiting for a Person",
        compute="_compute_graphs",
        help="What waits on this project now: events to review, unmatched equipment "
        "usage, delayed actuals and open variances.",
    )

    @api.depends_context("tz", "uid")
    def _compute_graphs(self):
        """One query for every card: per company, project (or none when
        the project is not bound) and day, the field actuals received."""
        Monitor = self.env["construction.sync.monitor"]
        days, tz = Monitor._graph_days()
        counts = {}
        if self:
            self.env.cr.execute(
                f"""
                SELECT e.company_id, b.res_id,
                       timezone(%(tz)s, timezone('UTC', e.occurred_at))::date, count(*)
                  {EVENTS_WITH_PROJECT}
                 WHERE t.code IN %(actuals)s
                   AND e.company_id IN %(companies)s
                   AND e.occurred_at >= %(since)s
                 GROUP BY 1, 2, 3
                """,
                {
                    "tz": tz,
                    "actuals": ACTUAL_EVENT_TYPES,
                    "companies": tuple(self.company_id.ids) or (0,),
                    "since": days[0] - timedelta(days=1),
                },
            )
            for company_id, project_id, day, count in self.env.cr.fetchall():
                counts[company_id, project_id or False, day] = count
        for kpi in self:
            key = (kpi.company_id.id, kpi.project_id.id)
            kpi.actuals_graph = Monitor._line_graph(
                self.env._("Field actuals"),
                [(day, counts.get((*key, day), 0)) for day in days],
            )
            kpi.waiting_graph = Monitor._bar_graph(
                self.env._("Waiting"),
                [
                    (self.env._("To review"), kpi.review_count),
                    (self.env._("Equipment"), kpi.unmatched_equipment_count),
                    (self.env._("Delayed"), kpi.delayed_actuals),
                    (self.env._("Variances"), kpi.open_variance_count),
                ],
            )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            WITH now_utc AS (SELECT (clock_timestamp() AT TIME ZONE 'UTC') AS at),
            pending AS (
                SELECT e.company_id,
                       b.res_id AS project_id,
                       t.code AS type_code,
                       e.state,
                       e.occurred_at,
                       CASE WHEN jsonb_typeof(e.payload::jsonb -> 'hours') = 'number'
                            THEN (e.payload::jsonb ->> 'hours')::numeric END AS hours
                  {EVENTS_WITH_PROJECT}
                 WHERE e.state != 'done'
            ),
            events AS (
                SELECT p.company_id, p.project_id,
                       sum(p.hours) FILTER (WHERE p.type_code IN %(labor)s) AS unposted_labor_hours,
                       count(*) FILTER (WHERE p.state = 'needs_review') AS review_count,
                       count(*) FILTER (
                           WHERE p.type_code = 'equipment.usage.recorded'
                       ) AS unmatched_equipment_count,
                       count(*) FILTER (
                           WHERE p.type_code IN %(actuals)s
                             AND p.occurred_at < n.at - interval '24 hours'
                       ) AS delayed_actuals
                  FROM pending p, now_utc n
                 GROUP BY p.company_id, p.project_id
            ),
            variances AS (
                SELECT v.company_id, v.project_id,
                       count(*) AS open_variance_count,
                       sum(abs(v.difference)) FILTER (WHERE v.measure = 'hours')
                           AS open_variance_hours,
                       sum(abs(v.difference)) FILTER (WHERE v.measure = 'amount')
                           AS open_variance_amount
                  FROM construction_sync_variance v
                 WHERE v.state = 'open'
                 GROUP BY v.company_id, v.project_id
            )
            SELECT row_number() OVER (ORDER BY coalesce(e.company_id, v.company_id),
                                               coalesce(e.project_id, v.project_id)) AS id,
                   coalesce(e.company_id, v.company_id) AS company_id,
                   coalesce(e.project_id, v.project_id) AS project_id,
                   coalesce(e.unposted_labor_hours, 0) AS unposted_labor_hours,
                   coalesce(e.review_count, 0) AS review_count,
                   coalesce(e.unmatched_equipment_count, 0) AS unmatched_equipment_count,
                   coalesce(e.delayed_actuals, 0) AS delayed_actuals,
                   coalesce(v.open_variance_count, 0) AS open_variance_count,
                   coalesce(v.open_variance_hours, 0) AS open_variance_hours,
                   coalesce(v.open_variance_amount, 0) AS open_variance_amount
              FROM events e
              FULL OUTER JOIN variances v
                ON v.company_id = e.company_id AND v.project_id IS NOT DISTINCT FROM e.project_id
            """,
            {"labor": LABOR_EVENT_TYPES, "actuals": ACTUAL_EVENT_TYPES},
        )
