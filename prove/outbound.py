"""Outbound delivery under failure: every delivery arrives once per
idempotency key, signed, after the receiver was down and then throttling,
with its Retry-After honoured, and every outbox row ends sent.

Run by ``bin/prove`` against a running server. The script starts a receiver
on 127.0.0.1 (a free port), registers an external system whose webhook URL
it is, subscribed to ``cost_code.changed`` with an outbound secret, and
creates ``--events`` cost codes in Odoo, each a delivery. The receiver's
port stays closed for ``--down-seconds``; it then answers ``429`` with
``Retry-After: --retry-after`` for ``--throttle-seconds``, then ``200``.

    PYTHONPATH=bench python3 prove/outbound.py --url http://127.0.0.1:8269 \\
        --db construction_prove --api-key KEY --events 200
"""

import json
import socket
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise

from proof import ALLOWED_HOSTS, Verdict, proof_parser, signature_lib, wait_until
from sync_events import code_number, xmlrpc_caller

SECRET = "prove-outbound-secret"


class Receiver:
    """A webhook receiver that is down, then throttles, then accepts;
    it notes every request it gets."""

    def __init__(self, port, throttle_seconds, retry_after):
        self.port = port
        self.throttle_seconds = throttle_seconds
        self.retry_after = retry_after
        self.requests = []  # (time, key, status, signed, body key)
        self.lock = threading.Lock()
        self.signature = signature_lib()
        self.opened_at = None
        self.server = None

    def open(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.answer(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.opened_at = time.monotonic()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, handler, body):
        now = time.monotonic()
        try:
            self.signature.verify(
                SECRET,
                handler.headers.get(self.signature.TIMESTAMP_HEADER),
                handler.headers.get(self.signature.SIGNATURE_HEADER),
                self.signature.SignedRequest.from_url(
                    "POST", handler.path, body, handler.headers.get("Idempotency-Key", "")
                ),
                time.time(),
            )
            signed = True
        except self.signature.SignatureError:
            signed = False
        try:
            body_key = json.loads(body)["idempotency_key"]
        except (ValueError, KeyError):
            body_key = None
        throttling = now - self.opened_at < self.throttle_seconds
        status = 429 if throttling else 200
        with self.lock:
            self.requests.append(
                (now, handler.headers.get("Idempotency-Key"), status, signed, body_key)
            )
        handler.send_response(status)
        if throttling:
            handler.send_header("Retry-After", str(self.retry_after))
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")

    def close(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = proof_parser(__doc__.splitlines()[0], events=200, apply_timeout=900)
    parser.add_argument("--down-seconds", type=float, default=15)
    parser.add_argument("--throttle-seconds", type=float, default=15)
    parser.add_argument("--retry-after", type=int, default=5)
    parser.add_argument(
        "--max-attempts", type=int, default=12, help="attempts of the receiving system"
    )
    args = parser.parse_args()
    run = f"out{int(time.time())}"
    rpc = xmlrpc_caller(args)
    port = free_port()
    receiver = Receiver(port, args.throttle_seconds, args.retry_after)
    # Outbound calls reach no address inside the network unless an
    # administrator lists it: the receiver runs on this machine.
    allowed = rpc("ir.config_parameter", "get_param", ALLOWED_HOSTS) or ""
    if "127.0.0.1" not in allowed.replace(",", " ").split():
        rpc("ir.config_parameter", "set_param", ALLOWED_HOSTS, f"{allowed} 127.0.0.1".strip())
    changed_type = rpc(
        "construction.sync.event.type",
        "search",
        [("code", "=", "cost_code.changed"), ("direction", "=", "outbound")],
    )
    system_id = rpc(
        "construction.sync.system",
        "create",
        {
            "name": f"Proof receiver {run}",
            "code": run,
            "outbound_url": f"http://127.0.0.1:{port}/hooks/odoo",
            "outbound_secret": SECRET,
            "outbound_event_type_ids": [(6, 0, changed_type)],
            "max_attempts": args.max_attempts,
            "timeout": 5,
        },
    )
    try:
        return prove(args, run, rpc, receiver, system_id)
    finally:
        # Later changes must not queue deliveries to a receiver that is gone.
        rpc("construction.sync.system", "write", [system_id], {"active": False})
        receiver.close()


def prove(args, run, rpc, receiver, system_id):
    print(
        f"\nOutbound delivery under failure, database {args.db}: {args.events} cost code "
        f"changes to 127.0.0.1:{receiver.port}, down {args.down_seconds:.0f} s, then 429 "
        f"(Retry-After {args.retry_after}) for {args.throttle_seconds:.0f} s, then 200"
    )
    offset = 400000 + int(time.time()) % 100 * 1000
    started = time.monotonic()
    rpc(
        "construction.cost.code",
        "create",
        [
            {"code": code_number(index, offset), "name": f"Outbound proof {run} {index}"}
            for index in range(args.events)
        ],
    )
    time.sleep(max(0.0, args.down_seconds - (time.monotonic() - started)))
    receiver.open()

    def deliveries():
        return rpc(
            "construction.sync.delivery",
            "search_read",
            [("system_id", "=", system_id)],
            ["idempotency_key", "state", "attempts", "last_status"],
        )

    settled = wait_until(
        lambda: all(row["state"] != "pending" for row in deliveries()), args.apply_timeout
    )
    print(f"outbox settled {time.monotonic() - started:.1f} s after the changes")
    rows = deliveries()

    verdict = Verdict(f"Outbound delivery under failure ({args.events} deliveries, run {run})")
    states = Counter(row["state"] for row in rows)
    verdict.check(
        "one delivery queued per change",
        len(rows) == args.events,
        f"{len(rows)} outbox rows for {args.events} changes",
    )
    verdict.check(
        "every outbox row sent",
        settled is not None and states["sent"] == len(rows) == args.events,
        f"{dict(states)}; last status {dict(Counter(row['last_status'] for row in rows))}",
    )

    with receiver.lock:
        received = list(receiver.requests)
    by_key = defaultdict(list)
    for when, key, status, _signed, _body_key in received:
        by_key[key].append((when, status))
    accepted = Counter(key for _when, key, status, *_rest in received if status == 200)
    outbox_keys = {row["idempotency_key"] for row in rows}
    twice = [key for key, count in accepted.items() if count > 1]
    verdict.check(
        "each delivery arrives once per idempotency key",
        set(accepted) == outbox_keys and not twice,
        f"{len(received)} requests received ({sum(accepted.values())} answered 200, "
        f"{sum(1 for r in received if r[2] == 429)} answered 429); {len(accepted)} distinct keys "
        f"accepted of {len(outbox_keys)}; keys accepted twice: {len(twice)}",
    )
    refused = sum(row["attempts"] for row in rows) - len(received)
    verdict.check(
        "a closed port is retried",
        refused > 0,
        f"{refused} attempts met the closed port (attempts Odoo counted minus requests received)",
    )
    gaps = [
        later[0] - earlier[0]
        for requests in by_key.values()
        for earlier, later in pairwise(requests)
        if earlier[1] == 429
    ]
    # queue_job keeps a job's eta to the second: up to a second early.
    early = [gap for gap in gaps if gap < args.retry_after - 1]
    verdict.check(
        "Retry-After honoured",
        gaps and not early,
        f"{len(gaps)} retries after a 429: shortest wait {min(gaps, default=0):.1f} s "
        f"(Retry-After {args.retry_after} s), {len(early)} too early",
    )
    unsigned = sum(1 for r in received if not r[3])
    mismatched = sum(1 for r in received if r[1] != r[4])
    verdict.check(
        "every request signed, its key in header and body",
        not unsigned and not mismatched,
        f"{unsigned} with a bad signature, {mismatched} with differing keys",
    )
    return verdict.print()


if __name__ == "__main__":
    raise SystemExit(main())
