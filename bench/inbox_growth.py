"""The inbox and the photos as they grow: the per-item cost of receiving,
applying and listing events with 10,000 rows in the inbox and with
1,000,000, and of listing photos with 10,000 and 200,000 of them.

Run by ``bin/bench``, in-process on the bench database (like
``estimate_import.py``; the server's job runner never sees these events:
they are received without a job and applied by calling the job's body).
For each size the inbox is first filled up to that many rows of one system
with ``INSERT ... SELECT generate_series`` (97 % done with one link each,
2 % to review, 1 % dead, over 90 days), the photos the same way up to
``--photos`` rows (at each size in turn) over ``SITES`` sites of their own
(97 % accepted, 2 % to review, 1 % rejected, over two years), then both
are vacuumed and analyzed as autovacuum does after many inserts; then,
timed, each per item:

* receive: ``_receive`` of ``--items`` ``labor.approved`` events of that
  same system (validated, deduplicated, stored), committed;
* apply: the job body (``_job_apply``) on them in chunks of 100, committed:
  timesheets, bindings, links;
* list: what a person and the API read: the first page (80) of the system's
  events newest first with its count, the first page of *Events to Review*,
  the events that produced a timesheet (its *Events* button) and one event
  read back by id as ``GET /events/<id>`` does;
* list photos: what the web client reads (``web_search_read`` of the
  kanban's fields with the count): a site's first page (its *Photos*
  button), the first page of *Photo Review*, and the site's form with its
  photo and review counts. The previews are attachments the bench does not
  make, so the figure is that of the photo table alone.

The labor entries are one a day per employee (``labor_events.work_date``),
as a crew's approved time is, so the anomaly check of construction_assist
lets them through and the apply step applies them.

The table prints both sizes and the ratio (target ≤ 1.5: indexes, no scans).

    python3 bench/inbox_growth.py --db construction_bench --addons-path ADDONS \\
        --sizes 10000,1000000 --photos 10000,200000 --items 1000
"""

import argparse
import time
from contextlib import closing

import psycopg2
from in_process import add_database_arguments, open_registry
from labor_events import EMPLOYEES, work_date
from summary import record

import odoo
from odoo import SUPERUSER_ID, api

# Sites the photos are spread over; each gains photos as the table grows.
SITES = 40
# Fields of the photo kanban (construction_photo_view_kanban) but the preview.
PHOTO_CARD = {
    "caption": {},
    "site_id": {"fields": {"display_name": {}}},
    "captured_at": {},
    "stage_id": {"fields": {"display_name": {}}},
    "state": {},
}


def per_row(env, reads):
    """Seconds per row read by ten rounds of ``reads``, each from a cold ORM
    cache, after one round untimed: the cost on a running database, whose
    pages are in memory, not that of a first read of tables the bench has
    just filled with hundreds of megabytes (at 200,000 photos, that read
    alone weighed about as much as the ten others together)."""
    for read in reads:
        read()
    rows = 0
    started = time.perf_counter()
    for _repeat in range(10):
        for read in reads:
            env.invalidate_all()
            rows += len(read())
    return (time.perf_counter() - started) / rows


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
            sites = env["construction.site"].create(
                [{"name": f"Growth site {self.run} {i}"} for i in range(SITES)]
            )
            self.system_id, self.labor_id, self.site_ids = system.id, labor.id, sites.ids
            self.company_id = env.company.id
            self.stage_ids = env["construction.photo.stage"].search([("approved", "=", True)]).ids
            cr.commit()

    def grow(self, table, size, insert, *also_vacuumed):
        """Grow ``table`` to ``size`` rows, ``insert(cr, size, missing)``
        adding the missing ones, then vacuum and analyze it (and
        ``also_vacuumed``) as autovacuum does after many inserts, so that
        counts read the index alone as on a running database; the seconds it
        took."""
        with self.registry.cursor() as cr:
            cr.execute(f"SELECT count(*) FROM {table}")
            missing = size - cr.fetchone()[0]
            started = time.perf_counter()
            if missing > 0:
                insert(cr, size, missing)
            cr.commit()
        # VACUUM runs outside a transaction, which an Odoo cursor always is in.
        _name, params = odoo.sql_db.connection_info_for(self.registry.db_name)
        with closing(psycopg2.connect(**params)) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                for vacuumed in (table, *also_vacuumed):
                    cursor.execute(f"VACUUM ANALYZE {vacuumed}")
        return time.perf_counter() - started

    def fill(self, size):
        """Grow the inbox to ``size`` rows with the system's past events."""
        return self.grow(
            "construction_sync_event", size, self.insert_events, "construction_sync_event_link"
        )

    def fill_photos(self, size):
        """Grow the photos to ``size`` rows, spread over the bench's sites."""
        return self.grow("construction_photo", size, self.insert_photos)

    def insert_events(self, cr, size, missing):
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

    def insert_photos(self, cr, size, missing):
        cr.execute(
            """
            INSERT INTO construction_photo
                (name, site_id, company_id, stage_id, uploader_id, state, mimetype,
                 width, height, file_size, checksum, captured_at, capture_source,
                 latitude, longitude, gps_source, inside_boundary, boundary_distance_m,
                 caption, create_uid, write_uid, create_date, write_date)
            SELECT 'Photo ' || n, (%(sites)s::int[])[1 + n %% %(count)s], %(company)s,
                   (%(stages)s::int[])[1 + n %% 3], 1,
                   CASE WHEN n %% 100 < 97 THEN 'accepted'
                        WHEN n %% 100 < 99 THEN 'needs_review' ELSE 'rejected' END,
                   'image/jpeg', 4032, 3024, 2400000, md5(%(run)s || n), t, 'exif',
                   45.5, -73.5, 'exif', true, 0, 'Growth photo ' || n, 1, 1, t, t
              FROM generate_series(1, %(missing)s) n,
                   LATERAL (SELECT now() at time zone 'utc'
                                   - (n %% 1051200) * interval '1 minute' AS t) ts
            """,
            {
                "sites": self.site_ids,
                "count": len(self.site_ids),
                "company": self.company_id,
                "stages": self.stage_ids,
                "run": f"{self.run}-{size}-",
                "missing": missing,
            },
        )

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
                    "work_date": work_date(index),
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
            figures["list"] = per_row(env, reads)
            figures["photos"] = self.list_photos(env)
        return figures

    def list_photos(self, env):
        """Per-row seconds of what a person's photo screens read."""
        Photo = env["construction.photo"].with_context(bin_size=True)
        site = env["construction.site"].browse(self.site_ids[0])
        page = {"specification": PHOTO_CARD, "limit": 80, "count_limit": 10001}
        reads = [
            lambda: Photo.web_search_read(site.action_open_photos()["domain"], **page)["records"],
            lambda: Photo.web_search_read([("state", "=", "needs_review")], **page)["records"],
            lambda: site.read(["name", "photo_count", "review_count"]),
        ]
        return per_row(env, reads)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument(
        "--photos", default="10000,200000", help="photos at each of --sizes, in the same order"
    )
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args()
    growth = Growth(open_registry(args), args.items)
    growth.prepare()
    sizes = [int(size) for size in args.sizes.split(",")]
    photos = dict(zip(sizes, (int(size) for size in args.photos.split(",")), strict=True))
    results = {}
    for size in sizes:
        filled = growth.fill(size)
        print(f"inbox filled to {size:,} rows in {filled:.0f} s", flush=True)
        filled = growth.fill_photos(photos[size])
        print(f"photos filled to {photos[size]:,} rows in {filled:.0f} s", flush=True)
        results[size] = growth.measure()
    small, large = sizes[0], sizes[-1]
    print(f"\nInbox growth, {args.items} events per step, database {args.db}")
    print(f"{'per item':<42} {small:>12,} {large:>12,} {'ratio':>7}  target")
    for step, label in (
        ("receive", "receive (validate, dedupe, store)"),
        ("apply", "apply (timesheet, binding, link)"),
        ("list", "list (pages, review, by record, by id)"),
        ("photos", f"photos at {photos[small]:,} / {photos[large]:,}: list"),
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
