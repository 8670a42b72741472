"""Events into Odoo: the suite's event API against one XML-RPC create per record.

Run by ``bin/bench`` against a running server. Both ways create the same
kind of record (a cost code with its analytic account) from the same number
of client threads, in the same run; the table gives records per second and
the ratio.

    python3 bench/sync_events.py --url http://127.0.0.1:8169 --db construction_bench \
        --api-key KEY --events 5000 --plain 400 --clients 4
"""

import argparse
import json
import statistics
import threading
import time
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor

from summary import rate_figure, record


def code_number(index, offset):
    """A distinct MasterFormat subsection number for each index."""
    serial = index + offset
    return f"34 {10 + serial // 9801 % 89:02d} {1 + serial // 99 % 99:02d}.{1 + serial % 99:02d}"


def envelope(index, offset, run):
    return {
        "event_type": "cost_code.upserted",
        "idempotency_key": f"{run}-{index}",
        "payload": {"code": code_number(index, offset), "name": f"Bench code {index}"},
    }


def post(url, api_key, path, body):
    request = urllib.request.Request(
        url + "/construction/api/v1" + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        payload = json.loads(response.read())
        if response.status not in (200, 202):
            raise RuntimeError(f"{response.status}: {payload}")
    return time.perf_counter() - started, payload


def run_parallel(clients, jobs):
    latencies = []
    lock = threading.Lock()

    def call(job):
        latency, payload = job()
        with lock:
            latencies.append(latency)
        return payload

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(call, jobs))
    return time.perf_counter() - started, latencies, results


def server_parser(description, events, plain, apply_timeout):
    """Options shared by the benchmarks and proofs that talk to a running
    server; ``plain`` None leaves out the plain-Odoo baseline's size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--events", type=int, default=events)
    if plain is not None:
        parser.add_argument("--plain", type=int, default=plain)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--apply-timeout", type=int, default=apply_timeout)
    return parser


def xmlrpc_caller(args):
    """``rpc(model, method, *args, **kwargs)`` as ``args.login`` over XML-RPC,
    one connection per call so that client threads do not share one."""
    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.login, args.password, {})

    def rpc(model, method, *call_args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(args.db, uid, args.password, model, method, list(call_args), kwargs)

    return rpc


def wait_applied(rpc, keys_like, started, timeout):
    """Wait until no event whose key is like ``keys_like`` waits any more
    (or ``timeout`` seconds after ``started``); the seconds since
    ``started`` and how many of those events are done."""
    while True:
        waiting = rpc(
            "construction.sync.event",
            "search_count",
            [("idempotency_key", "=like", keys_like), ("state", "in", ["received", "queued"])],
        )
        if not waiting or time.perf_counter() - started > timeout:
            break
        time.sleep(1)
    seconds = time.perf_counter() - started
    done = rpc(
        "construction.sync.event",
        "search_count",
        [("idempotency_key", "=like", keys_like), ("state", "=", "done")],
    )
    return seconds, done


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main():
    parser = server_parser(__doc__.splitlines()[0], events=5000, plain=400, apply_timeout=1200)
    parser.add_argument("--single", type=int, default=1000)
    args = parser.parse_args()
    run = f"bench{int(time.time())}"
    rpc = xmlrpc_caller(args)

    # Plain Odoo: one XML-RPC create per cost code.
    def plain_create(index):
        started = time.perf_counter()
        rpc(
            "construction.cost.code",
            "create",
            {"code": code_number(index, 500000), "name": f"Plain {index}"},
        )
        return time.perf_counter() - started, None

    plain_seconds, plain_latencies, _ = run_parallel(
        args.clients, [(lambda i=i: plain_create(i)) for i in range(args.plain)]
    )

    # The suite, one event per request.
    single_jobs = [
        (lambda i=i: post(args.url, args.api_key, "/events", envelope(i, 0, run + "s")))
        for i in range(args.single)
    ]
    single_seconds, single_latencies, _ = run_parallel(args.clients, single_jobs)

    # The suite, batches.
    batches = [
        [
            envelope(i, 100000, run + "b")
            for i in range(start, min(start + args.batch_size, args.events))
        ]
        for start in range(0, args.events, args.batch_size)
    ]
    batch_jobs = [
        (lambda batch=batch: post(args.url, args.api_key, "/events/batch", {"events": batch}))
        for batch in batches
    ]
    accepted_started = time.perf_counter()
    batch_seconds, batch_latencies, results = run_parallel(args.clients, batch_jobs)
    accepted = sum(result["summary"]["accepted"] for result in results)
    if accepted != args.events:
        raise SystemExit(f"only {accepted} of {args.events} batch events were accepted")

    # Applied: the queue_job runner works the queue down.
    total = args.events + args.single
    keys_like = f"{run}%"
    applied_seconds, done = wait_applied(rpc, keys_like, accepted_started, args.apply_timeout)

    plain_rate = args.plain / plain_seconds
    rows = [
        (
            "plain: XML-RPC create, 1 record per call",
            args.plain,
            plain_seconds,
            plain_rate,
            p95(plain_latencies),
        ),
        (
            "suite: POST /events, 1 event per request",
            args.single,
            single_seconds,
            args.single / single_seconds,
            p95(single_latencies),
        ),
        (
            f"suite: POST /events/batch, {args.batch_size} per request",
            args.events,
            batch_seconds,
            args.events / batch_seconds,
            p95(batch_latencies),
        ),
        (
            "suite: events applied by queue_job (all)",
            done,
            applied_seconds,
            done / applied_seconds,
            None,
        ),
    ]
    print(f"\nEvents into Odoo, {args.clients} clients, database {args.db}")
    print(f"{'way':<48} {'records':>8} {'seconds':>8} {'per s':>8} {'p95 ms':>8} {'vs plain':>9}")
    for name, count, seconds, rate, latency in rows:
        latency_text = f"{latency * 1000:8.0f}" if latency is not None else f"{'-':>8}"
        ratio = rate / plain_rate
        print(f"{name:<48} {count:>8} {seconds:>8.1f} {rate:>8.1f} {latency_text} {ratio:>8.1f}x")
        target = "≥ 300/s and ≥ 10x" if "/events/batch" in name else ""
        record("cost code events", name, rate_figure(rate, latency), ratio, target)
    if done != total:
        raise SystemExit(f"{total - done} events were not applied within {args.apply_timeout} s")


if __name__ == "__main__":
    main()
