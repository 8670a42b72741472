"""Exactly once under failure: every idempotency key is one event, every event
ends done, in review or dead with a reason, and every side effect exists once.

Run by ``bin/prove`` against a running server (two workers, queue_job's
runner, one cron thread). It posts ``--events`` events, half of them resends
of a key already sent (same key, same body), ``labor.approved`` (a timesheet
on a task) and ``cost_code.upserted`` (a new cost code), from several client
threads, in batches and one per request, the copies of a key racing in
requests that run at once. The system sends its ``--grouped`` type in the
*Grouped* mode (one job queues what waits, in chunks) and the other
real-time (a job per request), so that both ways are proven. Meanwhile:

* a separate PostgreSQL connection keeps updating the tasks the timesheets
  land on (REPEATABLE READ, row held a moment, committed), so that the jobs
  writing those tasks meet real ``could not serialize access`` errors and
  queue_job retries them;
* one HTTP worker of the server is killed with SIGKILL while it runs a job
  (``--server-pid``); the prefork server spawns another, queue_job's runner
  gives the job back to the queue, and the suite's scheduled action buries
  events whose job failed for good (its interval is set to a minute here).

With several nodes on one database (``--url`` lists them, comma-separated;
``--server-pid`` is then the node that runs queue_job's runner), requests
take turns over them and a request a node did not answer goes to the next;
``--kill-node PID`` kills that whole node (its main process and workers)
with SIGKILL once ``--kill-after`` of the requests are answered.

Then it waits for the queue to drain and checks the database.

    PYTHONPATH=bench python3 prove/exactly_once.py --url http://127.0.0.1:8269 \\
        --db construction_prove --api-key KEY --server-pid PID --events 1000
"""

import contextlib
import os
import random
import signal
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import psycopg2
from labor_events import labor_fixtures, labor_payload
from proof import (
    ANSWERED_BY,
    Verdict,
    connect,
    post_resending,
    proof_parser,
    query,
    wait_until,
)
from sync_events import code_number, xmlrpc_caller

RECOVERY_CRON = "construction_sync.ir_cron_bury_lost_events"


def options():
    parser = proof_parser(__doc__.splitlines()[0], events=10000)
    parser.set_defaults(clients=6)
    parser.add_argument("--duplicates", type=float, default=0.5, help="share of resent posts")
    parser.add_argument("--labor-share", type=float, default=0.6, help="share of labor events")
    parser.add_argument(
        "--single-share", type=float, default=0.2, help="share of events posted one per request"
    )
    parser.add_argument("--tasks", type=int, default=8, help="tasks the labor lands on")
    parser.add_argument("--system", default="bidmaster")
    parser.add_argument(
        "--grouped",
        default="labor.approved",
        help="the event type the system sends in the grouped mode for the run",
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        default=0,
        help="pid of the server: one of its HTTP workers is killed while it runs a job",
    )
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
    parser.add_argument(
        "--kill-node",
        type=int,
        default=0,
        help="pid of a node of several (--url lists them): killed whole mid-run",
    )
    parser.add_argument(
        "--kill-after", type=float, default=0.3, help="kill once this share of posts is answered"
    )
    parser.add_argument(
        "--inject-seconds",
        type=float,
        default=90,
        help="serialization failures are injected while posting and at least this long",
    )
    parser.add_argument("--inject-hold", type=float, default=0.05, help="seconds a row is held")
    parser.add_argument("--inject-pause", type=float, default=0.25, help="seconds between updates")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.no_kill and not args.server_pid:
        parser.error("--server-pid is required unless --no-kill")
    # the nodes the events are posted to; XML-RPC and the checks use the first
    args.urls, args.url = args.url, args.url.split(",")[0]
    return args


# ----------------------------------------------------------------------
# What is sent
# ----------------------------------------------------------------------


def plan(args, run, rng):
    """``(events by key, requests)``: the distinct events, and the requests
    carrying them and their resends, each a list of envelopes (one envelope
    and ``single`` for a POST /events)."""
    unique = max(1, round(args.events * (1 - args.duplicates)))
    code_offset = 200000 + int(time.time()) % 100 * 1000  # outbound.py: 400000 up
    events = {}
    for index in range(unique):
        key = f"{run}-{index}"
        if rng.random() < args.labor_share:
            envelope = {
                "event_type": "labor.approved",
                "idempotency_key": key,
                "payload": labor_payload(run, index, args.tasks),
            }
        else:
            envelope = {
                "event_type": "cost_code.upserted",
                "idempotency_key": key,
                "payload": {"code": code_number(index, code_offset), "name": f"Proof {key}"},
            }
        events[key] = envelope
    keys = list(events)
    sends = keys + [rng.choice(keys) for _ in range(args.events - unique)]
    # A resend goes near the first send of its key, so that the copies travel
    # in requests that the client threads post at the same time.
    spread = args.clients * args.batch_size
    position = {key: index for index, key in enumerate(keys)}
    sends.sort(key=lambda key: position[key] + rng.uniform(0, spread))
    requests, batch, batch_size = [], [], rng.randint(args.batch_size // 2, args.batch_size)
    for key in sends:
        if rng.random() < args.single_share:
            requests.append(("single", [events[key]]))
            continue
        batch.append(events[key])
        if len(batch) >= batch_size:
            requests.append(("batch", batch))
            batch, batch_size = [], rng.randint(args.batch_size // 2, args.batch_size)
    if batch:
        requests.append(("batch", batch))
    return events, requests


# ----------------------------------------------------------------------
# Failures
# ----------------------------------------------------------------------


def inject_serialization_failures(args, task_ids, stop, stats, rng):
    """Update the tasks the timesheets land on, from outside Odoo: each
    update holds the row a moment, then commits, so that a job writing the
    task (its hours) waits and then fails to serialize, or fails because the
    row changed after its snapshot."""
    connection = psycopg2.connect(dbname=args.db)
    connection.set_session(isolation_level="REPEATABLE READ")
    try:
        while not stop.is_set():
            try:
                with connection.cursor() as cr:
                    cr.execute(
                        "UPDATE project_task SET write_date = now() AT TIME ZONE 'utc'"
                        " WHERE id = %s",
                        [rng.choice(task_ids)],
                    )
                time.sleep(args.inject_hold)
                connection.commit()
                stats["updates committed"] += 1
            except psycopg2.errors.SerializationFailure:
                connection.rollback()
                stats["updates that lost to a worker"] += 1
            time.sleep(args.inject_pause)
    finally:
        connection.close()


def parent_pid(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def process_state(pid):
    """The state letter of a process (``Z``: dead, not yet reaped), or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def children(pid):
    return {
        int(entry) for entry in os.listdir("/proc") if entry.isdigit() and parent_pid(entry) == pid
    }


def kill_a_worker(args, db, run_like, progress, outcome):
    """Once enough posts are answered, SIGKILL an HTTP worker of the server
    while it runs one of this run's jobs (queue_job notes the worker's pid),
    the job with the most events first. A job that ends in the instant
    before the kill was not interrupted: then another worker is killed."""
    while progress["answered"] < args.kill_after * progress["requests"]:
        time.sleep(0.2)
    outcome["missed"] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(outcome["missed"]) < 5:
        rows = query(
            db,
            "SELECT j.worker_pid, j.uuid, j.retry FROM queue_job j"
            " JOIN construction_sync_event e ON e.job_id = j.id"
            " WHERE j.state = 'started' AND j.worker_pid IS NOT NULL"
            " AND e.idempotency_key LIKE %s"
            " GROUP BY j.worker_pid, j.uuid, j.retry ORDER BY count(*) DESC",
            [run_like],
        )
        target = next(((p, u, r) for p, u, r in rows if parent_pid(p) == args.server_pid), None)
        if not target:
            time.sleep(0.1)
            continue
        pid, uuid, retry = target
        before = children(args.server_pid)
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        (state,) = query(db, "SELECT state FROM queue_job WHERE uuid = %s", [uuid])[0]
        if state == "started":
            # Still started with its worker gone: it was cut off mid-run.
            outcome.update(pid=pid, uuid=uuid, retry=retry, before=before)
            return
        outcome["missed"].append((pid, uuid, state))
    outcome["error"] = (
        f"no job of this run was cut off by a kill ({len(outcome['missed'])} kills "
        "hit a worker whose job had just ended)"
    )


def kill_a_node(args, progress, outcome):
    """Once enough posts are answered, SIGKILL a whole node: its main
    process first (so it spawns no new worker), then its workers."""
    while progress["answered"] < args.kill_after * progress["requests"]:
        time.sleep(0.2)
    workers = children(args.kill_node)
    os.kill(args.kill_node, signal.SIGKILL)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    outcome.update(answered=progress["answered"], processes=1 + len(workers))


def sample_retries(db, run_jobs_sql, run_like, stop, seen):
    """Note each retry of this run's jobs while it waits, with its cause:
    queue_job keeps the reason of a postponed job until it runs again."""
    while not stop.is_set():
        for uuid, retry, result in query(
            db,
            "SELECT uuid, retry, result FROM queue_job WHERE state = 'pending' AND retry > 0"
            f" AND id IN ({run_jobs_sql})",
            [run_like],
        ):
            seen.setdefault((uuid, retry), result or "")
        time.sleep(0.5)


def cause(result):
    if "SERIALIZATION_FAILURE" in result or "could not serialize" in result:
        return "serialization failure"
    if "LOCK_NOT_AVAILABLE" in result or "could not obtain lock" in result:
        return "row locked"
    if "DEADLOCK" in result or "deadlock" in result:
        return "deadlock"
    if "UNIQUE_VIOLATION" in result:
        return "unique violation"
    return "other (a requeued dead job keeps its previous reason)"


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------


def main():
    args = options()
    rng = random.Random(args.seed)
    run = f"once{int(time.time())}"
    run_like = f"{run}-%"
    rpc = xmlrpc_caller(args)
    db = connect(args.db)
    run_jobs_sql = (
        "SELECT job_id FROM construction_sync_event WHERE idempotency_key LIKE %s"
        " AND job_id IS NOT NULL"
    )

    system_id = rpc("construction.sync.system", "search", [("code", "=", args.system)], limit=1)[0]
    _employees, _project, task_ids = labor_fixtures(rpc, system_id, run, tasks=args.tasks)
    cron_id = rpc("ir.model.data", "check_object_reference", *RECOVERY_CRON.split("."))[1]
    cron_before = rpc("ir.cron", "read", [cron_id], ["interval_number", "interval_type"])[0]
    rpc("ir.cron", "write", [cron_id], {"interval_number": 1, "interval_type": "minutes"})
    grouped = {
        "system_id": system_id,
        "event_type_id": rpc(
            "construction.sync.event.type", "search", [("code", "=", args.grouped)], limit=1
        )[0],
    }
    modes_before = rpc(
        "construction.sync.system.mode",
        "search_read",
        [(name, "=", value) for name, value in grouped.items()],
        ["mode"],
    )
    if modes_before:
        rpc("construction.sync.system.mode", "write", [modes_before[0]["id"]], {"mode": "grouped"})
    else:
        grouped_mode = rpc("construction.sync.system.mode", "create", dict(grouped, mode="grouped"))
    try:
        return prove(args, rng, run, run_like, rpc, db, run_jobs_sql, system_id, task_ids)
    finally:
        rpc(
            "ir.cron",
            "write",
            [cron_id],
            {key: cron_before[key] for key in ("interval_number", "interval_type")},
        )
        if modes_before:
            rpc(
                "construction.sync.system.mode",
                "write",
                [modes_before[0]["id"]],
                {"mode": modes_before[0]["mode"]},
            )
        else:
            rpc("construction.sync.system.mode", "unlink", [grouped_mode])


def prove(args, rng, run, run_like, rpc, db, run_jobs_sql, system_id, task_ids):
    events, requests = plan(args, run, rng)
    singles = sum(1 for kind, _items in requests if kind == "single")
    print(
        f"\nExactly once under failure, database {args.db}, run {run}: {args.events} posts of "
        f"{len(events)} distinct events in {len(requests)} requests ({singles} single, "
        f"{len(requests) - singles} batches), {args.clients} client threads, "
        f"{args.grouped} grouped"
    )

    answers = defaultdict(list)  # key -> [(event id, accepted)]
    progress = {"answered": 0, "requests": len(requests), "resends": 0}
    lock = threading.Lock()

    def send(request):
        kind, items = request
        if kind == "single":
            payload, resends = post_resending(args.urls, args.api_key, "/events", items[0])
            results = [
                {"status": "duplicate" if payload["duplicate"] else "accepted", "event": payload}
            ]
        else:
            payload, resends = post_resending(
                args.urls, args.api_key, "/events/batch", {"events": items}
            )
            results = payload["results"]
        with lock:
            progress["answered"] += 1
            progress["resends"] += resends
            for envelope, result in zip(items, results, strict=True):
                event = result.get("event") or {}
                answers[envelope["idempotency_key"]].append(
                    (event.get("id"), result["status"] == "accepted", result["status"])
                )

    stop_injecting, stop_sampling = threading.Event(), threading.Event()
    injected, retries_seen, kill, node_kill = Counter(), {}, {}, {}
    threads = [
        threading.Thread(
            target=inject_serialization_failures,
            args=(args, task_ids, stop_injecting, injected, random.Random(args.seed + 1)),
        ),
        threading.Thread(
            target=sample_retries,
            args=(connect(args.db), run_jobs_sql, run_like, stop_sampling, retries_seen),
        ),
    ]
    if not args.no_kill:
        threads.append(
            threading.Thread(
                target=kill_a_worker,
                args=(args, connect(args.db), run_like, progress, kill),
            )
        )
    if args.kill_node:
        threads.append(threading.Thread(target=kill_a_node, args=(args, progress, node_kill)))
    for thread in threads:
        thread.start()

    started = time.monotonic()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(send, requests))
    posted_seconds = time.monotonic() - started
    print(f"posted in {posted_seconds:.1f} s, {progress['resends']} requests resent")

    def waiting():
        return query(
            db,
            "SELECT count(*) FROM construction_sync_event WHERE idempotency_key LIKE %s"
            " AND state IN ('received', 'queued')",
            [run_like],
        )[0][0]

    time.sleep(max(0.0, args.inject_seconds - (time.monotonic() - started)))
    stop_injecting.set()
    drained = wait_until(lambda: not waiting(), args.apply_timeout)
    drained_seconds = time.monotonic() - started
    stop_sampling.set()
    for thread in threads:
        thread.join()
    print(f"queue drained {drained_seconds:.1f} s after the first post")

    verdict = Verdict(f"Exactly once under failure ({args.events} posts, run {run})")
    check_inbox(verdict, db, events, answers, progress, run_like, drained, args)
    check_replay(verdict, rpc, db, run_like, args)
    check_side_effects(verdict, db, events, run_like, system_id, task_ids, run)
    check_failures(verdict, db, run_jobs_sql, run_like, injected, retries_seen, kill, args)
    check_nodes(verdict, progress, node_kill, args)
    return verdict.print()


# ----------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------


def stored_events(db, run_like):
    """key -> [(id, state, error code, has message, attempts, type)]"""
    rows = query(
        db,
        "SELECT e.idempotency_key, e.id, e.state, e.error_code, e.error_message IS NOT NULL,"
        " e.attempts, t.code FROM construction_sync_event e"
        " JOIN construction_sync_event_type t ON t.id = e.event_type_id"
        " WHERE e.idempotency_key LIKE %s",
        [run_like],
    )
    stored = defaultdict(list)
    for key, *row in rows:
        stored[key].append(tuple(row))
    return stored


def check_inbox(verdict, db, events, answers, progress, run_like, drained, args):
    verdict.check(
        "every request answered",
        progress["answered"] == progress["requests"],
        f"{progress['answered']} of {progress['requests']} requests, "
        f"{progress['resends']} resent after no answer",
    )
    statuses = Counter(status for results in answers.values() for _id, _new, status in results)
    multi_ids = [key for key, results in answers.items() if len({i for i, *_ in results}) > 1]
    accepted_twice = [key for key, results in answers.items() if sum(r[1] for r in results) > 1]
    verdict.check(
        "one event id answered per key",
        not multi_ids and not accepted_twice and not statuses["rejected"],
        f"{dict(statuses)}; keys answered with 2+ ids: {len(multi_ids)}, "
        f"accepted twice: {len(accepted_twice)}",
    )
    stored = stored_events(db, run_like)
    doubled = [key for key, rows in stored.items() if len(rows) > 1]
    missing = set(events) - set(stored)
    verdict.check(
        "one stored event per idempotency key",
        not doubled and not missing and len(stored) == len(events),
        f"{len(events)} distinct keys sent, {len(stored)} stored, "
        f"{len(doubled)} stored twice, {len(missing)} missing",
    )
    api_mismatch = [
        key
        for key, results in answers.items()
        if stored.get(key) and {i for i, *_ in results} != {stored[key][0][0]}
    ]
    verdict.check("answers name the stored event", not api_mismatch, f"{len(api_mismatch)} differ")
    states = Counter(rows[0][1] for rows in stored.values())
    verdict.check(
        "queue drained",
        drained is not None and not states["received"] and not states["queued"],
        f"waiting (received/queued): {states['received'] + states['queued']}"
        + (f", within {args.apply_timeout} s" if drained is None else ""),
    )
    unexplained = [
        key
        for key, rows in stored.items()
        if rows[0][1] in ("needs_review", "dead") and not (rows[0][2] and rows[0][3])
    ]
    errors = Counter(rows[0][2] for rows in stored.values() if rows[0][1] != "done")
    verdict.check(
        "every event done, in review or dead with a reason",
        not unexplained and set(states) <= {"done", "needs_review", "dead"},
        f"done {states['done']}, needs_review {states['needs_review']}, dead {states['dead']}"
        f" {dict(errors) if errors else ''}; without a reason: {len(unexplained)}",
    )


def check_nodes(verdict, progress, node_kill, args):
    """With several nodes: each answered requests, and the one killed lost
    nothing (the other checks count every key once, with its effects)."""
    nodes = args.urls.split(",")
    if len(nodes) < 2:
        return
    answered = {node: ANSWERED_BY[node] for node in nodes}
    verdict.check(
        "requests spread over the nodes",
        all(answered.values()),
        ", ".join(f"{node}: {count}" for node, count in answered.items()),
    )
    if args.kill_node:
        killed = process_state(args.kill_node) in (None, "Z")
        verdict.check(
            "node killed mid-run, nothing lost",
            bool(node_kill) and killed,
            f"node {args.kill_node} ({node_kill.get('processes', 0)} processes) killed after "
            f"{node_kill.get('answered', 0)} of {progress['requests']} requests were "
            f"answered; {progress['resends']} requests resent to another node",
        )


def check_replay(verdict, rpc, db, run_like, args):
    """Dead events are what an operator replays: replay them once the
    failures stopped, and they apply, still once (checked after this)."""
    dead = [
        event_id
        for (event_id,) in query(
            db,
            "SELECT id FROM construction_sync_event WHERE idempotency_key LIKE %s"
            " AND state = 'dead'",
            [run_like],
        )
    ]
    if not dead:
        verdict.check("dead events replayed", True, "no dead event to replay")
        return
    rpc("construction.sync.event", "action_replay", dead)
    drained = wait_until(
        lambda: (
            not query(
                db,
                "SELECT count(*) FROM construction_sync_event WHERE id = ANY(%s)"
                " AND state IN ('received', 'queued')",
                [dead],
            )[0][0]
        ),
        args.apply_timeout,
    )
    states = Counter(
        state
        for (state,) in query(
            db, "SELECT state FROM construction_sync_event WHERE id = ANY(%s)", [dead]
        )
    )
    verdict.check(
        "dead events replayed",
        drained is not None and set(states) <= {"done", "needs_review", "dead"},
        f"{len(dead)} dead replayed by action_replay: now {dict(states)}",
    )


def check_side_effects(verdict, db, events, run_like, system_id, task_ids, run):
    stored = stored_events(db, run_like)
    done = {key for key, rows in stored.items() if rows[0][1] == "done"}
    labor = {key: e for key, e in events.items() if e["event_type"] == "labor.approved"}
    codes = {key: e for key, e in events.items() if e["event_type"] == "cost_code.upserted"}

    timesheets = {
        entry: (count, hours, task_id)
        for entry, count, hours, task_id in query(
            db,
            "SELECT construction_source_entry, count(*), sum(unit_amount), max(task_id)"
            " FROM account_analytic_line WHERE construction_source_entry LIKE %s GROUP BY 1",
            [f"{run}-TC%"],
        )
    }
    task_of = {f"{run}-T{i}": task_id for i, task_id in enumerate(task_ids)}
    once = twice = missing = stray = wrong = 0
    for key, envelope in labor.items():
        payload = envelope["payload"]
        count, hours, task_id = timesheets.get(payload["source_entry_id"], (0, 0, None))
        if key in done:
            once += count == 1
            twice += count > 1
            missing += count == 0
            wrong += count == 1 and (
                hours != payload["hours"] or task_id != task_of[payload["task"]]
            )
        else:
            stray += count
    done_labor = len(done & set(labor))
    verdict.check(
        "one timesheet per done labor entry",
        once == done_labor and not twice and not missing and not stray,
        f"{len(labor)} labor events, {done_labor} done: {once} with one timesheet, "
        f"{twice} with more, {missing} with none; timesheets of events not done: {stray}",
    )
    verdict.check("timesheets say what was sent (hours, task)", not wrong, f"{wrong} differ")
    task_rows = query(
        db,
        "SELECT t.id, t.effective_hours, coalesce(sum(l.unit_amount), 0)"
        " FROM project_task t LEFT JOIN account_analytic_line l ON l.task_id = t.id"
        " WHERE t.id = ANY(%s) GROUP BY t.id, t.effective_hours",
        [task_ids],
    )
    off = [row for row in task_rows if abs(row[1] - row[2]) > 1e-6]
    verdict.check(
        "task hours add up after the conflicts on their rows",
        not off,
        f"{len(task_rows)} tasks, {sum(row[2] for row in task_rows):.0f} h; {len(off)} differ",
    )

    numbers = {key: envelope["payload"]["code"] for key, envelope in codes.items()}
    code_rows = {
        code: (count, accounts)
        for code, count, accounts in query(
            db,
            "SELECT code, count(*), count(analytic_account_id) FROM construction_cost_code"
            " WHERE code = ANY(%s) GROUP BY code",
            [list(numbers.values())],
        )
    }
    bindings = dict(
        query(
            db,
            "SELECT external_id, count(*) FROM construction_sync_binding WHERE system_id = %s"
            " AND res_model = 'construction.cost.code' AND external_id = ANY(%s) GROUP BY 1",
            [system_id, list(numbers.values())],
        )
    )
    good = bad = 0
    for key, number in numbers.items():
        count, accounts = code_rows.get(number, (0, 0))
        if key in done:
            ok = count == 1 and accounts == 1 and bindings.get(number) == 1
        else:
            ok = count == 0
        good += ok
        bad += not ok
    done_codes = len(done & set(codes))
    verdict.check(
        "one cost code (and analytic account, binding) per code event",
        not bad,
        f"{len(codes)} code events, {done_codes} done; {good} as expected, {bad} not",
    )
    links = query(
        db,
        "SELECT count(*), count(DISTINCT (k.res_model, k.res_id))"
        " FROM construction_sync_event_link k JOIN construction_sync_event e ON e.id = k.event_id"
        " WHERE e.idempotency_key LIKE %s AND e.state = 'done'",
        [run_like],
    )[0]
    verdict.check(
        "each done event linked to what it produced, once",
        links[0] == links[1] == len(done),
        f"{links[0]} links to {links[1]} records for {len(done)} done events",
    )


def check_failures(verdict, db, run_jobs_sql, run_like, injected, retries_seen, kill, args):
    # queue_job's retry counter counts the runs of a job, the first one too.
    jobs, retried, runs = query(
        db,
        "SELECT count(*), count(*) FILTER (WHERE retry > 1), coalesce(sum(retry), 0)"
        f" FROM queue_job WHERE id IN ({run_jobs_sql})",
        [run_like],
    )[0]
    again, most = query(
        db,
        "SELECT count(*) FILTER (WHERE attempts > 1), coalesce(max(attempts), 0)"
        " FROM construction_sync_event WHERE idempotency_key LIKE %s",
        [run_like],
    )[0]
    causes = Counter(cause(result) for result in retries_seen.values())
    verdict.check(
        "serialization failures injected, retried by queue_job",
        causes["serialization failure"] > 0,
        f"task updates committed {injected['updates committed']} "
        f"(lost to a worker {injected['updates that lost to a worker']}); "
        f"queue_job retry counter: {runs} runs of {jobs} jobs, {runs - jobs} retries, "
        f"{retried} jobs run more than once; "
        f"retries seen with their cause: {dict(causes)}; "
        f"events applied after 2+ attempts: {again} (most {most})",
    )
    if args.no_kill:
        verdict.check("worker killed mid-job, job recovered", True, "skipped (--no-kill)")
        return
    if "pid" not in kill:
        verdict.check("worker killed mid-job, job recovered", False, kill.get("error"))
        return
    state, retry, exc_name = query(
        db, "SELECT state, retry, exc_name FROM queue_job WHERE uuid = %s", [kill["uuid"]]
    )[0]
    event_states = Counter(
        state
        for (state,) in query(
            db,
            "SELECT e.state FROM construction_sync_event e JOIN queue_job j ON j.id = e.job_id"
            " WHERE j.uuid = %s",
            [kill["uuid"]],
        )
    )
    respawned = children(args.server_pid) - kill["before"]
    # Requeued by the runner (retry + 1) and run again (retry + 1 once more).
    recovered = (state == "done" and retry >= kill["retry"] + 2) or (
        state == "failed" and set(event_states) <= {"dead"}
    )
    verdict.check(
        "worker killed mid-job, job recovered",
        recovered and kill["pid"] not in children(args.server_pid) and respawned,
        f"worker {kill['pid']} of server {args.server_pid} killed while running job "
        f"{kill['uuid'][:8]} (left started; {len(kill['missed'])} earlier kills came just "
        f"after a job ended); new worker(s) {sorted(respawned)}; the job was requeued by "
        f"queue_job's runner and is now {state}, retry counter {kill['retry']} -> {retry}"
        f"{' (' + exc_name + ')' if exc_name else ''}; its events {dict(event_states)}",
    )


if __name__ == "__main__":
    raise SystemExit(main())
