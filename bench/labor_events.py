"""Approved labor into timesheets: the suite's labor.approved events against
one XML-RPC create of a timesheet per record.

Run by ``bin/bench`` after ``sync_events.py``, against the same running
server. Both ways make the same timesheet (employee, project, cost code,
date, hours) from the same number of client threads in the same run; the
suite's figure runs from the first batch posted to the last event applied
by the queue_job runner.

    python3 bench/labor_events.py --url http://127.0.0.1:8169 --db construction_bench \
        --api-key KEY --events 10000 --plain 1000 --clients 4
"""

import time
from datetime import date, timedelta

from summary import rate_figure, record
from sync_events import p95, post, run_parallel, server_parser, wait_applied, xmlrpc_caller

EMPLOYEES = 20


def work_date(index):
    """The day of time entry ``index``: each employee (``index % EMPLOYEES``)
    works one entry a day, going back a day every ``EMPLOYEES`` entries, as
    a crew's approved time does. Piling days of hours on one employee and
    day would be held by the anomaly check (construction_assist) instead of
    applied."""
    return (date(2026, 11, 27) - timedelta(days=index // EMPLOYEES)).isoformat()


def labor_fixtures(rpc, system_id, run, tasks=0):
    """Employees, a project and ``tasks`` tasks in it, bound to the system's
    ids ``<run>-E<i>``, ``<run>-JOB`` and ``<run>-T<i>``:
    ``(employee ids, project id, task ids)``."""
    employee_ids = rpc(
        "hr.employee",
        "create",
        [{"name": f"Bench worker {i}", "hourly_cost": 35.0 + i} for i in range(EMPLOYEES)],
    )
    project_id = rpc("project.project", "create", {"name": f"Bench job {run}"})
    task_ids = (
        rpc(
            "project.task",
            "create",
            [{"name": f"Bench task {i}", "project_id": project_id} for i in range(tasks)],
        )
        if tasks
        else []
    )
    bound = (
        [("hr.employee", employee_id, f"{run}-E{i}") for i, employee_id in enumerate(employee_ids)]
        + [("project.project", project_id, f"{run}-JOB")]
        + [("project.task", task_id, f"{run}-T{i}") for i, task_id in enumerate(task_ids)]
    )
    rpc(
        "construction.sync.binding",
        "create",
        [
            {"system_id": system_id, "res_model": model, "res_id": res_id, "external_id": external}
            for model, res_id, external in bound
        ],
    )
    # The system sends labor here (an administrator's grant; its kind's
    # defaults may not include it).
    labor_type = rpc(
        "construction.sync.event.type", "search", [("code", "=", "labor.approved")], limit=1
    )
    rpc(
        "construction.sync.system",
        "write",
        [system_id],
        {"inbound_event_type_ids": [(4, *labor_type)]},
    )
    return employee_ids, project_id, task_ids


def labor_payload(run, index, tasks=0):
    """The ``labor.approved`` payload of time entry ``index``: 8 hours, or
    1 to 8 on one of ``tasks`` tasks when there are tasks."""
    payload = {
        "source_entry_id": f"{run}-TC{index}",
        "employee": f"{run}-E{index % EMPLOYEES}",
        "project": f"{run}-JOB",
        "cost_code": "31 23 16",
        "work_date": work_date(index),
        "hours": 1 + index % 8 if tasks else 8,
        "pay_class": "overtime" if index % 10 == 0 else "regular",
    }
    if tasks:
        payload["task"] = f"{run}-T{index % tasks}"
    return payload


def main():
    parser = server_parser(__doc__.splitlines()[0], events=10000, plain=1000, apply_timeout=1800)
    parser.add_argument("--system", default="bidmaster")
    args = parser.parse_args()
    run = f"labor{int(time.time())}"
    rpc = xmlrpc_caller(args)

    # Shared set-up: employees and a project, bound to the system's ids.
    system_id = rpc("construction.sync.system", "search", [("code", "=", args.system)], limit=1)[0]
    employee_ids, project_id, _task_ids = labor_fixtures(rpc, system_id, run)
    plan_id = rpc(
        "ir.model.data",
        "search_read",
        [("module", "=", "construction_sync"), ("name", "=", "analytic_plan_cost_codes")],
        ["res_id"],
    )[0]["res_id"]
    cost_code = rpc(
        "construction.cost.code",
        "search_read",
        [("code", "=", "31 23 16")],
        ["analytic_account_id"],
        limit=1,
    )[0]

    # Plain Odoo: one XML-RPC create per timesheet, on days the suite's
    # entries leave free (each employee keeps one entry a day).
    def plain_create(index):
        started = time.perf_counter()
        rpc(
            "account.analytic.line",
            "create",
            {
                "name": f"Plain {index}",
                "project_id": project_id,
                "employee_id": employee_ids[index % EMPLOYEES],
                "date": work_date(args.events + index),
                "unit_amount": 8,
                f"x_plan{plan_id}_id": cost_code["analytic_account_id"][0],
            },
        )
        return time.perf_counter() - started, None

    plain_seconds, plain_latencies, _ = run_parallel(
        args.clients, [(lambda i=i: plain_create(i)) for i in range(args.plain)]
    )

    # The suite: labor.approved events in batches, applied by the job runner.
    def envelope(index):
        return {
            "event_type": "labor.approved",
            "idempotency_key": f"{run}-{index}",
            "payload": labor_payload(run, index),
        }

    batches = [
        [envelope(i) for i in range(start, min(start + args.batch_size, args.events))]
        for start in range(0, args.events, args.batch_size)
    ]
    started = time.perf_counter()
    batch_seconds, batch_latencies, results = run_parallel(
        args.clients,
        [
            (lambda batch=batch: post(args.url, args.api_key, "/events/batch", {"events": batch}))
            for batch in batches
        ],
    )
    accepted = sum(result["summary"]["accepted"] for result in results)
    if accepted != args.events:
        raise SystemExit(f"only {accepted} of {args.events} labor events were accepted")
    keys_like = f"{run}-%"
    applied_seconds, done = wait_applied(rpc, keys_like, started, args.apply_timeout)
    timesheets = rpc(
        "account.analytic.line",
        "search_count",
        [("construction_source_entry", "=like", keys_like)],
    )

    plain_rate = args.plain / plain_seconds
    rows = [
        (
            "plain: XML-RPC create, 1 timesheet per call",
            args.plain,
            plain_seconds,
            plain_rate,
            p95(plain_latencies),
        ),
        (
            f"suite: labor.approved accepted, {args.batch_size} per request",
            args.events,
            batch_seconds,
            args.events / batch_seconds,
            p95(batch_latencies),
        ),
        (
            "suite: labor.approved applied (post to timesheet)",
            done,
            applied_seconds,
            done / applied_seconds,
            None,
        ),
    ]
    print(f"\nApproved labor into timesheets, {args.clients} clients, database {args.db}")
    print(f"{'way':<52} {'records':>8} {'seconds':>8} {'per s':>8} {'p95 ms':>8} {'vs plain':>9}")
    for name, count, seconds, rate, latency in rows:
        latency_text = f"{latency * 1000:8.0f}" if latency is not None else f"{'-':>8}"
        print(
            f"{name:<52} {count:>8} {seconds:>8.1f} {rate:>8.1f} {latency_text} "
            f"{rate / plain_rate:>8.1f}x"
        )
        record("labor into timesheets", name, rate_figure(rate, latency), rate / plain_rate)
    if done != args.events or timesheets != args.events:
        raise SystemExit(
            f"{args.events - done} events not applied, {timesheets} timesheets made "
            f"within {args.apply_timeout} s"
        )


if __name__ == "__main__":
    main()
