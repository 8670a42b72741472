"""One event per request against Odoo's own floor: a signed vendor webhook
(no API key) and a bearer-key event beside Odoo's bare ``GET /web/health``
and a plain XML-RPC ``create``, in the same run.

Run by ``bin/bench`` against a running server. Each way runs in
``--rounds`` rounds, the ways taking turns in every round, so that a load
the machine picks up halfway weighs on all of them alike:

* Odoo's ``GET /web/health`` (no authentication): the rate of a request that
  reaches the database and does nothing, the floor of any route;
* plain XML-RPC ``create`` of a site and of a cost code, one per call;
* a CompanyCam ``photo.created`` webhook verified by its signature alone
  (HMAC-SHA1 of the raw body), the way vendors send them, one per request,
  to two systems: one maps it in the request (an exchange and an inbox
  event with its job), one acknowledges first (``webhook_intake``: the
  verified body is kept, and one job maps every delivery waiting);
* ``POST /events`` of one ``cost_code.upserted`` event with a bearer API key,
  the event type real-time for the system (a job per request) and grouped
  (one job queues the events waiting, in chunks), taking turns;
* ``GET /events/<id>`` with a bearer API key.

The server measured is a node as the README's deployment runs it: no job
runner of its own (``--load=base,web``); ``bin/bench`` runs the runner on a
second server (``--runner-pid``), on the same cores. Each way's requests
are measured while that runner is paused (SIGSTOP; nothing of it runs, so
the way's jobs wait in the database as they would for a runner on other
cores), then the runner resumes and the way's jobs run to the end before
the next way starts. So every way is measured on the same idle machine,
and each carries its own deferred work and none of another's. Printed per
way: the rate of its answers (what a platform sees; the targets), the
seconds its jobs then took ("jobs s", on the same 2 cores), and its rate
until they were done ("done/s": answers and jobs, one after the other, on
the same cores).

    python3 bench/request_path.py --url http://127.0.0.1:8169 --db construction_bench \
        --api-key KEY --runner-pid PID --requests 600 --rounds 3 --clients 4
"""

import contextlib
import os
import signal
import time
import urllib.request

from companycam import CAPTURED, WEBHOOK_TOKEN, CompanyCam, post_webhook, signed_delivery
from summary import rate_figure, record
from sync_events import code_number, envelope, p95, post, run_parallel, server_parser, xmlrpc_caller

# The hosts inside the network outbound calls may reach (a system parameter).
OUTBOUND_HOSTS = "construction_sync.outbound_allowed_hosts"


def get(url, api_key=None):
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(response.status)
    return time.perf_counter() - started, None


def due_jobs():
    """The domain of the jobs due to run now, or running (a retry waiting
    for its time is not due)."""
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    return [
        ("state", "in", ["pending", "enqueued", "started"]),
        "|",
        ("eta", "=", False),
        ("eta", "<=", now),
    ]


def process_tree(pid):
    """``pid`` and its descendants (Linux): a server's workers and the job
    runner, a process of its own under Odoo's prefork server."""
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            children += [int(child) for child in listed.read().split()]
    return [pid] + [member for child in children for member in process_tree(child)]


@contextlib.contextmanager
def runner_paused(pid):
    """The job runner's server stopped for the block, with its workers and
    runner process: no job is dispatched nor run."""
    stopped = process_tree(pid)
    for member in stopped:
        os.kill(member, signal.SIGSTOP)
    try:
        yield
    finally:
        for member in reversed(stopped):
            os.kill(member, signal.SIGCONT)


def drain(rpc, timeout=600):
    """Wait until no job is due or running; the seconds it took."""
    started = time.perf_counter()
    while rpc("queue.job", "search_count", due_jobs()):
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"jobs still due or running after {timeout} s")
        time.sleep(0.1)
    return time.perf_counter() - started


def companycam_system(rpc, run, base_url, intake="request"):
    """A CompanyCam system with a webhook secret and that ``intake``; its
    webhook URL path."""
    # The double runs on this machine: an administrator's allowance.
    allowed = rpc("ir.config_parameter", "get_param", OUTBOUND_HOSTS) or ""
    if "127.0.0.1" not in allowed.split():
        rpc("ir.config_parameter", "set_param", OUTBOUND_HOSTS, f"{allowed} 127.0.0.1".strip())
    system_id = rpc(
        "construction.sync.system",
        "create",
        {
            "name": f"CompanyCam request bench {run} ({intake})",
            "code": f"companycam_{intake}_{run}",
            "kind": "field_evidence",
            "platform": "companycam",
            "base_url": base_url,
            "rate_limit": 0,
            "webhook_intake": intake,
        },
    )
    rpc("construction.sync.system", "write", [system_id], {"webhook_secret": WEBHOOK_TOKEN})
    [row] = rpc("construction.sync.system", "read", [system_id], ["webhook_uuid"])
    return system_id, f"/construction/api/v1/webhooks/{row['webhook_uuid']}"


def main():
    parser = server_parser(__doc__.splitlines()[0], events=0, plain=None, apply_timeout=0)
    parser.add_argument("--requests", type=int, default=600, help="per way, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--runner-pid", type=int, required=True, help="the server running queue_job's runner"
    )
    args = parser.parse_args()
    run = f"req{int(time.time())}"
    rpc = xmlrpc_caller(args)
    # The webhooks' jobs ask this CompanyCam double for a project it does
    # not serve (404): their events wait for review, as in companycam.py.
    double = CompanyCam(0, 1)
    _system_id, hook_path = companycam_system(rpc, run, double.url + "/v2")
    _system_id, first_path = companycam_system(rpc, run, double.url + "/v2", "job")
    # One event to read back.
    _latency, first = post(args.url, args.api_key, "/events", envelope(0, 700000, run + "g"))
    event_url = f"{args.url}/construction/api/v1/events/{first['id']}"
    per_round = max(1, args.requests // args.rounds)
    counter = iter(range(10**9))

    def plain_site():
        started = time.perf_counter()
        rpc("construction.site", "create", {"name": f"Plain site {run}-{next(counter)}"})
        return time.perf_counter() - started, None

    def plain_code():
        index = next(counter)
        started = time.perf_counter()
        rpc(
            "construction.cost.code",
            "create",
            {"code": code_number(index, 600000), "name": f"Plain {index}"},
        )
        return time.perf_counter() - started, None

    def webhook(path=hook_path):
        index = next(counter)
        photo = {
            "id": f"{run}-{index}",
            "project_id": "unserved",
            "status": "active",
            "processing_status": "processed",
            "uris": [{"type": "original", "uri": f"{double.url}/none/{index}.jpg"}],
            "captured_at": CAPTURED + index,
            "created_at": CAPTURED + index,
        }
        return post_webhook(args.url + path, *signed_delivery(photo))

    def bearer_event():
        return post(args.url, args.api_key, "/events", envelope(next(counter), 700000, run))

    # The system's mode for its cost code events, written before each way
    # that posts them: every request reads it.
    [posted] = rpc("construction.sync.event", "read", [first["id"]], ["system_id", "event_type_id"])
    mode_id = rpc(
        "construction.sync.system.mode",
        "create",
        {
            "system_id": posted["system_id"][0],
            "event_type_id": posted["event_type_id"][0],
            "mode": "realtime",
        },
    )

    def in_mode(mode):
        return lambda: rpc("construction.sync.system.mode", "write", [mode_id], {"mode": mode})

    ways = [
        ("odoo: GET /web/health (no authentication)", lambda: get(f"{args.url}/web/health")),
        ("plain: XML-RPC create of a site", plain_site),
        ("plain: XML-RPC create of a cost code", plain_code),
        ("suite: CompanyCam webhook, mapped in request", webhook),
        ("suite: CompanyCam webhook, acknowledged first", lambda: webhook(first_path)),
        ("suite: POST /events, bearer key, real-time", bearer_event, in_mode("realtime")),
        ("suite: POST /events, bearer key, grouped", bearer_event, in_mode("grouped")),
        ("suite: GET /events/<id>, bearer API key", lambda: get(event_url, args.api_key)),
    ]
    # per way: seconds answering, requests, latencies, seconds its jobs ran on
    totals = {name: [0.0, 0, [], 0.0] for name, *_rest in ways}
    drain(rpc)
    for _round in range(args.rounds):
        for name, call, *prepare in ways:
            for step in prepare:
                step()
            with runner_paused(args.runner_pid):
                seconds, latencies, _results = run_parallel(
                    args.clients, [call for _ in range(per_round)]
                )
            totals[name][0] += seconds
            totals[name][1] += per_round
            totals[name][2] += latencies
            totals[name][3] += drain(rpc)
    rpc("construction.sync.system.mode", "unlink", [mode_id])
    rates = {name: count / seconds for name, (seconds, count, _l, _j) in totals.items()}
    health = rates[ways[0][0]]
    plain = max(rates[ways[1][0]], rates[ways[2][0]])
    targets = {
        ways[4][0]: ("≥ 80% of health and ≥ 3x plain", 0.8 * health, 3 * plain),
        ways[5][0]: ("≥ 2x plain", 0, 2 * plain),
        ways[6][0]: ("≥ 2x plain", 0, 2 * plain),
    }
    print(
        f"\nOne event per request, {args.clients} clients, {args.rounds} rounds, database {args.db}"
    )
    print(
        f"{'way':<46} {'requests':>8} {'per s':>8} {'p95 ms':>7} {'vs health':>9} "
        f"{'vs plain':>9} {'jobs s':>7} {'done/s':>7}  target"
    )
    # The ways whose events queue jobs: their jobs' seconds and done rate.
    queuing = {name for name, *_rest in ways[3:7]}
    for name, (seconds, count, latencies, jobs) in totals.items():
        rate = rates[name]
        target, *floors = targets.get(name, ("",))
        verdict = ("met" if rate >= max(floors) else "MISSED") if floors else ""
        done = count / (seconds + jobs)
        deferred = f"{jobs:>7.1f} {done:>7.1f}" if name in queuing else f"{'-':>7} {'-':>7}"
        print(
            f"{name:<46} {count:>8} {rate:>8.1f} {p95(latencies) * 1000:>7.0f} "
            f"{rate / health:>8.0%} {rate / plain:>8.1f}x {deferred}  {target} {verdict}"
        )
        record(
            "one event per request",
            name,
            rate_figure(rate, p95(latencies)) + (f", done {done:.0f}/s" if name in queuing else ""),
            rate / plain,
            f"{target} (health {health:.0f}/s)" if target else "",
        )
    print(f"(vs plain: against the faster plain create, {plain:.1f}/s)")


if __name__ == "__main__":
    main()
