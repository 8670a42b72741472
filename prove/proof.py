"""What the proofs share: their options, a client that resends what the
server did not answer, the database, and the verdict table.

The options and the XML-RPC caller are the benchmarks' (``bench/sync_events.py``);
``bin/prove`` puts ``bench/`` on ``PYTHONPATH``.
"""

import http.client
import importlib.util
import itertools
import threading
import time
import urllib.error
from collections import Counter
from pathlib import Path

import psycopg2
from sync_events import post, server_parser

# Answers after which a client sends the same request again: the server did
# not say anything about the events (a worker died, a restart, overload).
RESEND_STATUSES = {429, 500, 502, 503, 504}
SIGNATURE_LIB = Path(__file__).resolve().parent.parent / "addons/construction_sync/lib/signature.py"
# The system parameter listing the hosts inside the network that outbound
# calls may reach (an administrator's).
ALLOWED_HOSTS = "construction_sync.outbound_allowed_hosts"
# Requests answered by each node when a proof spreads them over several.
ANSWERED_BY = Counter()
_turn = itertools.count()
_answered_lock = threading.Lock()


def signature_lib():
    """The suite's own signature module (plain Python, no Odoo)."""
    spec = importlib.util.spec_from_file_location("construction_signature", SIGNATURE_LIB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def proof_parser(description, events=None, apply_timeout=1800):
    """The options every step of ``bin/prove`` takes (``--url``, ``--db``,
    ``--api-key``, ``--site-id``) and those of the benchmarks."""
    parser = server_parser(description, events, None, apply_timeout)
    parser.add_argument("--site-id", type=int, default=0, help="a field site of the database")
    return parser


def post_resending(url, api_key, path, body, attempts=30, pause=1.0):
    """``post`` the body until the server answers it: ``(payload, resends)``.

    A lost answer (worker killed, connection reset, 5xx) says nothing about
    whether the events were stored, so the same body goes again, with the same
    idempotency keys, as a real client does. ``url`` may list several nodes
    (comma-separated): requests take turns, and a resend goes to the next
    node, as a proxy in front of them does."""
    urls = url.split(",")
    start = next(_turn)
    for resend in range(attempts):
        node = urls[(start + resend) % len(urls)]
        try:
            _latency, payload = post(node, api_key, path, body)
            with _answered_lock:
                ANSWERED_BY[node] += 1
            return payload, resend
        except urllib.error.HTTPError as error:
            if error.code not in RESEND_STATUSES:
                raise RuntimeError(
                    f"{path} answered {error.code}: {error.read()[:500]!r}"
                ) from error
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, ConnectionError):
            pass
        time.sleep(pause)
    raise RuntimeError(f"{path} did not answer after {attempts} attempts")


def connect(db):
    """A psycopg2 connection to the database (local socket, autocommit)."""
    connection = psycopg2.connect(dbname=db)
    connection.autocommit = True
    return connection


def query(connection, sql, params=()):
    with connection.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


def wait_until(done, timeout, interval=2.0):
    """Call ``done()`` until it is true or ``timeout`` seconds passed;
    returns the seconds waited, or None on timeout."""
    started = time.monotonic()
    while True:
        if done():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            return None
        time.sleep(interval)


class Verdict:
    """Named checks with the figure behind each; prints a PASS/FAIL table."""

    def __init__(self, title):
        self.title = title
        self.rows = []

    def check(self, name, ok, figure):
        self.rows.append((name, bool(ok), str(figure)))

    def print(self):
        width = max(len(name) for name, _ok, _figure in self.rows)
        print(f"\n{self.title}")
        print(f"{'check':<{width}}  {'result':<6}  figure")
        for name, ok, figure in self.rows:
            print(f"{name:<{width}}  {'PASS' if ok else 'FAIL':<6}  {figure}")
        failed = [name for name, ok, _figure in self.rows if not ok]
        print(f"verdict: {'FAIL: ' + ', '.join(failed) if failed else 'PASS'}")
        return 1 if failed else 0
