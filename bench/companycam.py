"""CompanyCam into Odoo: signed webhooks and a 2,000-photo backfill against the plain way.

Two tables, both measured in the same run against a running server:

* signed ``photo.created`` webhooks accepted per second, one delivery per
  request, from ``--clients`` threads (verified, deduped, kept as an exchange
  and an inbox event with its job), beside one XML-RPC ``create`` per record
  (a ``construction.site``: what a middleware would write for each CompanyCam
  object, with no signature, dedupe or trail);
* a backfill of ``--photos`` CompanyCam photos (``--kilobytes`` each, unique
  bytes) served by a CompanyCam double on 127.0.0.1 started by this script:
  Backfill since… on the system, then the job runner pulls the pages, fetches
  tags, downloads each original and stores it with its previews; photos per
  second from the start to the last photo stored. Beside it, a script does the
  same with Odoo's generic way: it reads the same pages and, from
  ``--clients`` threads, downloads each original and stores it by JSON-RPC
  ``ir.attachment`` ``create`` (base64).

    python3 bench/companycam.py --url http://127.0.0.1:8480 --db ct_conn_bench \
        --photos 2000 --kilobytes 200 --webhooks 2000 --plain 400 --clients 4
"""

import argparse
import base64
import hashlib
import hmac
import io
import json
import random
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from photo_upload import json_rpc_caller, unique
from PIL import Image, ImageFilter
from summary import rate_figure, record
from sync_events import p95, run_parallel, xmlrpc_caller

API_TOKEN = "bench-companycam-token"
WEBHOOK_TOKEN = "bench-companycam-webhook-token"
CAPTURED = 1793628300
PROJECT = "777001"


def jpeg_of_about(kilobytes):
    """A photo-like JPEG (blurred noise) of roughly ``kilobytes`` KB."""
    rng = random.Random(11)
    side = 200
    while True:
        small = Image.new("RGB", (side // 4, side * 3 // 16))
        small.putdata(
            [
                (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
                for _ in range(small.width * small.height)
            ]
        )
        image = small.resize((side, side * 3 // 4), Image.BILINEAR).filter(
            ImageFilter.GaussianBlur(1)
        )
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        if len(out.getvalue()) >= kilobytes * 1024 or side > 8000:
            return out.getvalue()
        side = int(side * 1.2)


class CompanyCam:
    """CompanyCam's Core API v2 shapes (docs.companycam.com/reference):
    bare arrays paged by page/per_page, photos newest captured first."""

    def __init__(self, photos, kilobytes):
        base = jpeg_of_about(kilobytes)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.images = {}
        self.photos = []
        for serial in range(photos):
            photo_id = str(9_000_000 + serial)
            image = unique(base, serial)
            self.images[f"/static/{photo_id}.jpg"] = image
            self.photos.append(self.photo(photo_id, image, CAPTURED + photos - serial))
        self.image_size = len(base)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def photo(self, photo_id, image, captured_at):
        url = f"{self.url}/static/{photo_id}.jpg"
        return {
            "id": photo_id,
            "project_id": PROJECT,
            "status": "active",
            "processing_status": "processed",
            "coordinates": {"lat": 40.81545, "lon": -96.70960},
            "uris": [{"type": "original", "uri": url, "url": url}],
            "hash": hashlib.md5(image, usedforsecurity=False).hexdigest(),
            "description": "Bench photo",
            "captured_at": captured_at,
            "created_at": captured_at + 30,
            "updated_at": captured_at + 30,
        }

    def handler(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(url.query).items()}
                if url.path in double.images:
                    return self.answer(200, double.images[url.path], "image/jpeg")
                if url.path == f"/v2/projects/{PROJECT}":
                    return self.json(
                        {
                            "id": PROJECT,
                            "name": "Bench Plaza",
                            "status": "active",
                            "coordinates": {"lat": 40.815462, "lon": -96.70965},
                            "updated_at": CAPTURED,
                        }
                    )
                if url.path == "/v2/photos":
                    per_page, page = int(query.get("per_page", 50)), int(query.get("page", 1))
                    since = int(query.get("start_date") or 0)
                    items = [photo for photo in double.photos if photo["captured_at"] >= since]
                    return self.json(items[(page - 1) * per_page : page * per_page])
                if url.path.endswith("/tags"):
                    return self.json([{"id": "1", "display_value": "Bench", "value": "bench"}])
                return self.answer(404, b'{"errors":["Record not found"]}', "application/json")

            def json(self, document):
                self.answer(200, json.dumps(document).encode(), "application/json")

            def answer(self, status, body, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return

        return Handler


def signed_delivery(photo, webhook_id=4200):
    body = json.dumps(
        {
            "event_type": "photo.created",
            "created_at": int(time.time()),
            "payload": {"photo": photo},
            "webhook_id": webhook_id,
        }
    ).encode()
    digest = hmac.new(WEBHOOK_TOKEN.encode(), body, hashlib.sha1).digest()
    return body, base64.b64encode(digest).decode()


def post_webhook(url, body, signature):
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "X-CompanyCam-Signature": signature},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(response.status)
    return time.perf_counter() - started, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--plain", type=int, default=400)
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--kilobytes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--timeout", type=int, default=3600)
    args = parser.parse_args()
    rpc = xmlrpc_caller(args)
    run = int(time.time())

    # The double serves the backfill's photos; the webhooks name photos of
    # another project that it does not serve (only acceptance is measured;
    # their jobs run meanwhile, as they would in production).
    double = CompanyCam(args.photos, args.kilobytes)
    system_id = rpc(
        "construction.sync.system",
        "create",
        {
            "name": f"CompanyCam bench {run}",
            "code": f"companycam_bench_{run}",
            "kind": "field_evidence",
            "platform": "companycam",
            "base_url": double.url + "/v2",
            "timeout": 60,
        },
    )
    rpc(
        "construction.sync.system",
        "write",
        [system_id],
        {"api_token": API_TOKEN, "webhook_secret": WEBHOOK_TOKEN},
    )
    # The bench server runs no scheduled actions: pulls start when the bench says so.
    pulls = rpc(
        "construction.sync.pull",
        "search",
        [("system_id", "=", system_id), ("resource", "=", "photos")],
    )
    [webhook_uuid] = [
        row["webhook_uuid"]
        for row in rpc("construction.sync.system", "read", [system_id], ["webhook_uuid"])
    ]
    hook_url = f"{args.url}/construction/api/v1/webhooks/{webhook_uuid}"

    # 1. Webhooks (--webhooks 0 skips them): the plain way first, then signed deliveries.
    if args.webhooks:

        def plain_create(index):
            started = time.perf_counter()
            rpc("construction.site", "create", {"name": f"Plain CompanyCam project {run}-{index}"})
            return time.perf_counter() - started, None

        plain_seconds, plain_latencies, _ = run_parallel(
            args.clients, [lambda i=i: plain_create(i) for i in range(args.plain)]
        )
        deliveries = []
        for index in range(args.webhooks):
            photo = double.photo(str(8_000_000 + index), b"x", CAPTURED + index)
            photo["project_id"] = "unserved"
            photo["uris"][0]["uri"] = photo["uris"][0]["url"] = f"{double.url}/none/{index}.jpg"
            deliveries.append(signed_delivery(photo))
        hook_seconds, hook_latencies, _ = run_parallel(
            args.clients,
            [lambda d=d: post_webhook(hook_url, *d) for d in deliveries],
        )
        plain_rate, hook_rate = args.plain / plain_seconds, args.webhooks / hook_seconds
        accepted = rpc(
            "construction.sync.event",
            "search_count",
            [("system_id", "=", system_id), ("event_type_id.code", "=", "photo.published")],
        )
        if accepted != args.webhooks:
            raise RuntimeError(f"{accepted} events for {args.webhooks} webhooks")
        print(f"\nCompanyCam webhooks, one per request, {args.clients} clients, database {args.db}")
        print(
            f"{'way':<58} {'records':>8} {'seconds':>8} {'per s':>8} {'p95 ms':>7} {'vs plain':>9}"
        )
        for name, count, seconds, rate, latencies in (
            (
                "plain: XML-RPC create of one record",
                args.plain,
                plain_seconds,
                plain_rate,
                plain_latencies,
            ),
            (
                "suite: signed photo.created webhook",
                args.webhooks,
                hook_seconds,
                hook_rate,
                hook_latencies,
            ),
        ):
            ratio = rate / plain_rate
            print(
                f"{name:<58} {count:>8} {seconds:>8.1f} {rate:>8.1f} {p95(latencies) * 1000:>7.0f} "
                f"{ratio:>8.1f}x"
            )
            record("CompanyCam webhooks", name, rate_figure(rate, p95(latencies)), ratio)
        # Their jobs find no such project at the double and wait for review:
        # let them settle so that they do not compete with the backfill.
        started = time.perf_counter()
        while time.perf_counter() - started < args.timeout and rpc(
            "construction.sync.event",
            "search_count",
            [("system_id", "=", system_id), ("state", "in", ["received", "queued"])],
        ):
            time.sleep(2)

    # 2. Backfill: the plain script first, then Backfill since… in Odoo.
    json_rpc = json_rpc_caller(args.url)
    uid = json_rpc("common", "login", args.db, args.login, args.password)

    def plain_photo(photo):
        started = time.perf_counter()
        with urllib.request.urlopen(photo["uris"][0]["url"], timeout=60) as response:
            data = response.read()
        json_rpc(
            "object",
            "execute_kw",
            args.db,
            uid,
            args.password,
            "ir.attachment",
            "create",
            [
                {
                    "name": f"companycam-{photo['id']}.jpg",
                    "datas": base64.b64encode(data).decode(),
                    "mimetype": "image/jpeg",
                }
            ],
        )
        return time.perf_counter() - started, None

    def plain_backfill():
        page, photos = 1, []
        while True:
            url = f"{double.url}/v2/photos?page={page}&per_page=100&start_date={CAPTURED}"
            with urllib.request.urlopen(url, timeout=60) as response:
                items = json.loads(response.read())
            photos += items
            if len(items) < 100:
                return photos
            page += 1

    started = time.perf_counter()
    photos = plain_backfill()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(plain_photo, photos))
    plain_backfill_seconds = time.perf_counter() - started

    wizard = rpc(
        "construction.sync.backfill",
        "create",
        {"system_id": system_id, "since": "2026-11-01 00:00:00", "pull_ids": [(6, 0, pulls)]},
    )
    started = time.perf_counter()
    rpc("construction.sync.backfill", "action_start", [wizard])
    stored = 0
    while time.perf_counter() - started < args.timeout:
        stored = rpc("construction.photo", "search_count", [("source_system_id", "=", system_id)])
        if stored >= args.photos:
            break
        time.sleep(1)
    suite_seconds = time.perf_counter() - started
    review = rpc(
        "construction.sync.event",
        "search_count",
        [
            ("system_id", "=", system_id),
            ("event_type_id.code", "=", "photo.published"),
            ("state", "in", ["needs_review", "dead"]),
        ],
    )
    if stored != args.photos:
        raise RuntimeError(f"{stored} of {args.photos} photos stored ({review} to review)")
    plain_rate = len(photos) / plain_backfill_seconds
    suite_rate = stored / suite_seconds
    size = f"{double.image_size / 1024:.0f} KB"
    print(f"\nCompanyCam backfill of {args.photos} photos ({size} each), database {args.db}")
    print(f"{'way':<70} {'photos':>7} {'seconds':>8} {'per s':>7} {'vs plain':>9}")
    for name, count, seconds, rate in (
        (
            "plain: pages read, originals by JSON-RPC ir.attachment create "
            f"({args.clients} clients)",
            len(photos),
            plain_backfill_seconds,
            plain_rate,
        ),
        (
            "suite: Backfill since…, pulled, downloaded and stored by the job runner",
            stored,
            suite_seconds,
            suite_rate,
        ),
    ):
        ratio = rate / plain_rate
        print(f"{name:<70} {count:>7} {seconds:>8.1f} {rate:>7.1f} {ratio:>8.1f}x")
        record("CompanyCam backfill (2,000 photos)", name.split(" (")[0], rate_figure(rate), ratio)


if __name__ == "__main__":
    main()
