"""The inbox as it grows: the per-item cost of receiving, applying and
listing events with 10,000 rows in the inbox and with 1,000,000.

Run by ``bin/bench``, in-process on the bench database (like
``estimate_import.py``; the server's job runner never sees these events:
they are received without a job and applied by calling the job's body).
For each size the inbox is first filled up to that many rows of one system
with ``INSERT ... SELECT generate_series`` (97 % done with one link each,
2 % to review, 1 % dead, over 90 days), then analyzed as autovacuum would;
then, timed, each per item:

* receive: ``_receive`` of ``--items`` ``labor.approved`` events of that
  same system (validated, deduplicated, stored), committed;
* apply: the job body (``_job_apply``) on them in chunks of 100, committed:
  timesheets, bindings, links;
* list: what a person and the API read: the first page (80) of the system's
  events newest first with its count, the first page of *Events to Review*,
  the events that produced a timesheet (its *Events* button) and one event
  read back by id as ``GET /events/<id>`` does.

The table prints both sizes and the ratio (target ≤ 1.5: indexes, no scans).

    python3 bench/inbox_growth.py --db construction_bench --addons-path ADDONS \\
        --sizes 10000,1000000 --items 1000
"""

import argparse
import time
from datetime import date, timedelta

from summary import record

import odoo
from odoo import SUPERUSER_ID, api

EMPLOYEES = 20


class Growth:
    def __init__(self, registry, items):
        self.registry = registry
        self.items = items
        self.run = f"growth{int(time.time())}"
        self.serial = 0

    def env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def prepare(self):
        """A timekeeping system of its own with employees and a project bound."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            system = env["construction.sync.system"].create(
                {"name": f"Growth {self.run}", "code": self.run, "kind": "timekeeping"}
            )
            labor = env.ref("construction_sync.event_type_labor_approved")
            system.write({"inbound_event_type_ids": [(4, labor.id)], "rate_limit": 0})
            employees = env["hr.employee"].create(
                [{"name": f"Growth worker {i}", "hourly_cost": 30.0} for i in range(EMPLOYEES)]
            )
            project = env["project.project"].create({"name": f"Growth job {self.run}"})
            env["construction.sync.binding"].create(
                [
                    {
                        "system_id": system.id,
                        "res_model": "hr.employee",
                        "res_id": employee.id,
                        "external_id": f"E{i}",
                    }
                    for i, employee in enumerate(employees)
                ]
                + [
                    {
                        "system_id": system.id,
                        "res_model": "project.project",
                        "res_id": project.id,
                        "external_id": "JOB",
                    }
                ]
            )
            self.system_id, self.labor_id = system.id, labor.id
            cr.commit()

    def fill(self, size):
        """Grow the inbox to ``size`` rows with the system's past events."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM construction_sync_event")
            missing = size - cr.fetchone()[0]
            started = time.perf_counter()
            if missing > 0:
                cr.execute(
                    """
                    INSERT INTO construction_sync_event
                        (system_id, company_id, event_type_id, idempotency_key, correlation_id,
                         payload, payload_hash, occurred_at, received_at, applied_at, state,
                         error_code, error_message, attempts, create_uid, write_uid,
                         create_date, write_date)
                    SELECT s.id, s.company_id, %(type)s, %(run)s || '-past-' || n,
                           md5(n::text), '{"source_entry_id": "past"}', md5(n::text),
                           t, t, t + interval '2 seconds',
                           CASE WHEN n %% 100 < 97 THEN 'done'
                                WHEN n %% 100 < 99 THEN 'needs_review' ELSE 'dead' END,
                           CASE WHEN n %% 100 >= 97 THEN 'unknown_reference' END,
                           CASE WHEN n %% 100 >= 97 THEN 'Unknown employee' END,
                           1, 1, 1, t, t
                      FROM construction_sync_system s,
                           generate_series(1, %(missing)s) n,
                           LATERAL (SELECT now() at time zone 'utc'
                                           - (n %% 129600) * interval '1 minute' AS t) ts
                     WHERE s.id = %(system)s
                    """,
                    {
                        "type": self.labor_id,
                        "run": f"{self.run}-{size}",
                        "missing": missing,
                        "system": self.system_id,
                    },
                )
                cr.execute(
                    """
                    INSERT INTO construction_sync_event_link
                        (event_id, correlation_id, res_model, res_id,
                         create_uid, write_uid, create_date, write_date)
                    SELECT id, correlation_id, 'account.analytic.line', -id, 1, 1, now(), now()
                      FROM construction_sync_event
                     WHERE idempotency_key LIKE %s AND state = 'done'
                    """,
                    [f"{self.run}-{size}-past-%"],
                )
            cr.execute("ANALYZE construction_sync_event")
            cr.execute("ANALYZE construction_sync_event_link")
            cr.commit()
            return time.perf_counter() - started

    def envelopes(self):
        first = self.serial
        self.serial += self.items
        return [
            {
                "event_type": "labor.approved",
                "idempotency_key": f"{self.run}-{index}",
                "payload": {
                    "source_entry_id": f"{self.run}-TC{index}",
                    "employee": f"E{index % EMPLOYEES}",
                    "project": "JOB",
                    "cost_code": "31 23 16",
                    "work_date": (date(2026, 2, 2) + timedelta(days=index % 40)).isoformat(),
                    "hours": 8,
                },
            }
            for index in range(first, first + self.items)
        ]

    def measure(self):
        """Per-item milliseconds of receiving, applying and listing."""
        figures = {}
        with self.registry.cursor() as cr:
            env = self.env(cr)
            Event = env["construction.sync.event"]
            system = env["construction.sync.system"].browse(self.system_id)
            started = time.perf_counter()
            events = Event.browse(
                [Event._receive(system, item, enqueue=False)[0].id for item in self.envelopes()]
            )
            env.flush_all()
            cr.commit()
            figures["receive"] = (time.perf_counter() - started) / self.items
            env.invalidate_all()
            started = time.perf_counter()
            for start in range(0, len(events), 100):
                events[start : start + 100]._job_apply()
                env.flush_all()
            cr.commit()
            figures["apply"] = (time.perf_counter() - started) / self.items
            if set(events.mapped("state")) != {"done"}:
                raise SystemExit(f"not every event was applied: {set(events.mapped('state'))}")
            lines = env["account.analytic.line"].search(
                [("construction_source_entry", "=like", f"{self.run}-TC%")], limit=80
            )
            fields = ["event_type_id", "idempotency_key", "state", "received_at", "error_code"]
            mine = [("system_id", "=", self.system_id)]
            reads = [
                lambda: [
                    *Event.search_read(mine, fields, limit=80, order="id desc"),
                    Event.search_count(mine, limit=10001),
                ],
                lambda: Event.search_read(
                    [("state", "in", ["needs_review", "dead"])], fields, limit=80, order="id desc"
                ),
                lambda: env["construction.sync.event.link"]._events_of(lines).read(fields),
                lambda: Event.browse(events[-1].id).read([*fields, "link_ids"]),
            ]
            rows = 0
            started = time.perf_counter()
            for _repeat in range(10):
                for read in reads:
                    env.invalidate_all()
                    rows += len(read())
            figures["list"] = (time.perf_counter() - started) / rows
        return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--config", default="odoo.conf")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        ["-c", args.config, f"--addons-path={args.addons_path}", "-d", args.db]
    )
    growth = Growth(odoo.modules.registry.Registry(args.db), args.items)
    growth.prepare()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {}
    for size in sizes:
        filled = growth.fill(size)
        print(f"inbox filled to {size:,} rows in {filled:.0f} s", flush=True)
        results[size] = growth.measure()
    small, large = sizes[0], sizes[-1]
    print(f"\nInbox growth, {args.items} events per step, database {args.db}")
    print(f"{'per item':<42} {small:>12,} {large:>12,} {'ratio':>7}  target")
    for step, label in (
        ("receive", "receive (validate, dedupe, store)"),
        ("apply", "apply (timesheet, binding, link)"),
        ("list", "list (pages, review, by record, by id)"),
    ):
        low, high = results[small][step] * 1000, results[large][step] * 1000
        ratio = high / low
        print(f"{label:<42} {low:>10.3f}ms {high:>10.3f}ms {ratio:>6.2f}x  ≤ 1.5x")
        record(
            f"inbox growth {small:,} → {large:,} rows",
            label,
            f"{low:.3f} → {high:.3f} ms/item",
            low / high,
            "≤ 1.5x slower",
        )


if __name__ == "__main__":
    main()
