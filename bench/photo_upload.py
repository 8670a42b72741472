"""12-megapixel photos into Odoo: the field API against the plain way.

The plain way stores the JPEG as an ``ir.attachment`` and in an image field
(``image_1920`` of a contact, which Odoo resizes into its smaller images),
both by JSON-RPC ``create`` with base64 bodies. The suite's way is one
multipart POST to ``/construction/api/v1/field/photos``. Same photos, same
number of client threads, same run. The same picture encoded as a phone's
HEIC (pillow-heif) is then posted the suite's way too, HEIC beside JPEG;
its ratio is against the plain way's JPEG rate. With ``--object-storage``
the suite's JPEG uploads run a second time with photos routed to the
S3-compatible bucket of ``construction_object_storage`` (the server must have
its ``CONSTRUCTION_S3_*`` environment; ``bin/bench`` starts one on
127.0.0.1), filestore beside bucket in the same run.

Every suite figure counts until each photo's renditions exist (its thumbnail
attachment is stored), not only until the upload is answered.

    python3 bench/photo_upload.py --url http://127.0.0.1:8169 --db construction_bench \
        --api-key KEY --site-id 1 --photos 60 --plain 30 --heic 30 --clients 4 \
        --object-storage
"""

import argparse
import base64
import io
import json
import random
import statistics
import struct
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pillow_heif
from PIL import Image, ImageFilter
from summary import rate_figure, record

pillow_heif.register_heif_opener()


def base_picture(width=4000, height=3000):
    """A 12-megapixel picture with photo-like texture (noise, blurred)."""
    rng = random.Random(7)
    small = Image.new("RGB", (width // 8, height // 8))
    small.putdata(
        [
            (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
            for _ in range(small.width * small.height)
        ]
    )
    return small.resize((width, height), Image.BILINEAR).filter(ImageFilter.GaussianBlur(2))


def encoded(picture, image_format, quality, **options):
    out = io.BytesIO()
    picture.save(out, image_format, quality=quality, **options)
    return out.getvalue()


def base_jpeg():
    """The 12-megapixel picture as a camera's JPEG (quality 90)."""
    return encoded(base_picture(), "JPEG", 90)


def unique(jpeg, serial):
    """The same picture with a comment segment: different bytes, so no
    de-duplication hides the work."""
    text = f"bench {serial} {uuid.uuid4()}".encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


def unique_heic(heic, serial):
    """The same HEIC with a ``free`` box at its end (ISO/IEC 14496-12
    8.1.2: readers skip it): different bytes, the same picture."""
    text = f"bench {serial} {uuid.uuid4()}".encode()
    return heic + struct.pack(">I", len(text) + 8) + b"free" + text


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    for name, (filename, data, mimetype) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def json_rpc_caller(url):
    """``json_rpc(service, method, *args)`` against Odoo's /jsonrpc."""
    session = {"id": 0}

    def json_rpc(service, method, *call_args):
        session["id"] += 1
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "id": session["id"],
                "params": {"service": service, "method": method, "args": list(call_args)},
            }
        ).encode()
        request = urllib.request.Request(
            url + "/jsonrpc", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    return json_rpc


def timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def run(clients, jobs):
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(timed, jobs))
    return time.perf_counter() - started, latencies


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def wait_for_renditions(json_rpc, args, uid, photo_ids, timeout=600):
    """Wait until every photo of ``photo_ids`` has its thumbnail stored."""
    deadline = time.monotonic() + timeout
    while True:
        done = json_rpc(
            "object",
            "execute_kw",
            args.db,
            uid,
            args.password,
            "ir.attachment",
            "search_count",
            [
                [
                    ("res_model", "=", "construction.photo"),
                    ("res_field", "=", "image_thumbnail"),
                    ("res_id", "in", photo_ids),
                ]
            ],
        )
        if done >= len(photo_ids):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(photo_ids) - done} photos have no renditions")
        time.sleep(0.1)


def route_photos_to_bucket(json_rpc, args, uid, on):
    """Route photos to the bucket of construction_object_storage, or back."""

    def call(model, method, *call_args):
        return json_rpc(
            "object", "execute_kw", args.db, uid, args.password, model, method, list(call_args)
        )

    storage = call("fs.storage", "search", [("code", "=", "construction_s3")])
    if not storage:
        raise RuntimeError("construction_object_storage is not installed")
    model = call("ir.model", "search", [("model", "=", "construction.photo")])
    call("fs.storage", "write", storage, {"model_ids": [(6, 0, model if on else [])]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--site-id", type=int, required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--plain", type=int, default=30)
    parser.add_argument("--heic", type=int, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--object-storage",
        action="store_true",
        help="also upload the suite's JPEGs to the S3-compatible bucket",
    )
    args = parser.parse_args()
    picture = base_picture()
    jpeg = encoded(picture, "JPEG", 90)
    # x265's fastest preset: minutes less to make, the same work to decode
    heic = encoded(picture, "HEIF", 80, enc_params={"preset": "ultrafast"})

    json_rpc = json_rpc_caller(args.url)
    uid = json_rpc("common", "login", args.db, args.login, args.password)

    def plain(serial):
        data = base64.b64encode(unique(jpeg, serial)).decode()
        json_rpc(
            "object",
            "execute_kw",
            args.db,
            uid,
            args.password,
            "ir.attachment",
            "create",
            [{"name": f"plain-{serial}.jpg", "datas": data, "mimetype": "image/jpeg"}],
        )
        json_rpc(
            "object",
            "execute_kw",
            args.db,
            uid,
            args.password,
            "res.partner",
            "create",
            [{"name": f"Photo holder {serial}", "image_1920": data}],
        )

    created = []

    def suite(serial, data=None, mimetype="image/jpeg"):
        data = data or unique(jpeg, serial)
        body, content_type = multipart(
            {
                "metadata": json.dumps(
                    {
                        "client_uuid": f"bench-{uuid.uuid4()}",
                        "site_id": args.site_id,
                        "stage": "before",
                    }
                )
            },
            {"image": (f"suite-{serial}", data, mimetype)},
        )
        request = urllib.request.Request(
            args.url + "/construction/api/v1/field/photos",
            data=body,
            headers={"Content-Type": content_type, "Authorization": f"Bearer {args.api_key}"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            if response.status != 201:
                raise RuntimeError(response.read())
            created.append(json.loads(response.read())["id"])

    def suite_run(jobs):
        """Upload, then wait for every photo's renditions: the time of both."""
        created.clear()
        started = time.perf_counter()
        _seconds, latencies = run(args.clients, jobs)
        wait_for_renditions(json_rpc, args, uid, list(created))
        return time.perf_counter() - started, latencies

    plain_seconds, plain_latencies = run(
        args.clients, [lambda i=i: plain(i) for i in range(args.plain)]
    )
    suite_seconds, suite_latencies = suite_run(
        [lambda i=i: suite(100000 + i) for i in range(args.photos)]
    )
    heic_seconds, heic_latencies = suite_run(
        [
            lambda i=i: suite(200000 + i, unique_heic(heic, 200000 + i), "image/heic")
            for i in range(args.heic)
        ],
    )
    ways = []
    if args.object_storage:
        route_photos_to_bucket(json_rpc, args, uid, True)
        try:
            s3_seconds, s3_latencies = suite_run(
                [lambda i=i: suite(300000 + i) for i in range(args.photos)]
            )
        finally:
            route_photos_to_bucket(json_rpc, args, uid, False)
        ways.append(
            (
                "suite: POST /field/photos, on the S3 bucket",
                args.photos,
                s3_seconds,
                args.photos / s3_seconds,
                s3_latencies,
            )
        )
    plain_rate = args.plain / plain_seconds
    suite_rate = args.photos / suite_seconds
    heic_rate = args.heic / heic_seconds
    size = f"JPEG {len(jpeg) / 1e6:.1f} MB, HEIC {len(heic) / 1e6:.1f} MB"
    print(f"\n12-megapixel uploads ({size} each), {args.clients} clients, database {args.db}")
    print(f"{'way':<56} {'photos':>7} {'seconds':>8} {'per s':>7} {'p95 ms':>8} {'vs plain':>9}")
    for name, count, seconds, rate, latencies in (
        (
            "plain: JSON-RPC create of ir.attachment + image field",
            args.plain,
            plain_seconds,
            plain_rate,
            plain_latencies,
        ),
        (
            "suite: POST /field/photos (multipart)",
            args.photos,
            suite_seconds,
            suite_rate,
            suite_latencies,
        ),
        (
            "suite: POST /field/photos, HEIC (multipart)",
            args.heic,
            heic_seconds,
            heic_rate,
            heic_latencies,
        ),
        *ways,
    ):
        latency, ratio = p95(latencies), rate / plain_rate
        print(
            f"{name:<56} {count:>7} {seconds:>8.1f} {rate:>7.2f} {latency * 1000:>8.0f} "
            f"{ratio:>8.1f}x"
        )
        target = "≥ 35/s and ≥ 3x" if name.startswith("suite: POST /field/photos (") else ""
        record("12 MP photo uploads", name, rate_figure(rate, latency), ratio, target)
    print(f"HEIC uploads per second / JPEG uploads per second: {heic_rate / suite_rate:.2f}")


if __name__ == "__main__":
    main()
