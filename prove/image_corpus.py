"""Post a corpus of hostile and broken images to the field API and watch
the server's memory.

Every file is made here with Pillow (or by hand, byte by byte): nothing is
downloaded. Each goes to ``POST /construction/api/v1/field/photos`` as a
multipart upload (``image`` + ``metadata``) and must get the answer listed
for it: valid photos 201 (200 when sent again), everything the API refuses
a 4xx ``application/problem+json`` with the documented code, never a 5xx.
Meanwhile the RSS of the server and its workers (found by the port it
listens on, or ``--server-pid``) is sampled; no worker may pass
``--memory-bound-mb`` (Odoo's ``limit_memory_soft`` in odoo.conf) and no
worker may die.

    python3 prove/image_corpus.py --url http://127.0.0.1:8369 --db construction_fuzz \
        --api-key KEY --site-id 1
"""

import argparse
import io
import json
import os
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zipfile
import zlib

import psutil
import requests
from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [
    os.path.join(REPO, "bench"),
    os.path.join(REPO, "addons", "construction_field_evidence"),
]
# The test images of the field evidence module and the benchmark's camera
# photo, importable once their folders are on the path (hence E402).
from lib.tests.images import (  # noqa: E402
    corrupt_png,
    huge_png_header,
    make_exif,
    make_image,
    png_chunk,
)
from photo_upload import base_jpeg, unique  # noqa: E402

API = "/construction/api/v1"
DEFAULT_MAX_UPLOAD_MB = 40  # construction_field_evidence.max_upload_bytes unless configured
PROBLEM = "application/problem+json"

# EXIF (TIFF) field types
ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 2, 3, 4, 5, 7


# ----------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------


def exif_entry(tag, kind, value, count=None):
    """One raw IFD entry ``(tag, type, count, value bytes)``; ``count`` may
    lie about the value's size."""
    if kind == ASCII:
        raw = value.encode() + b"\0"
        number = len(raw)
    elif kind == SHORT:
        raw, number = struct.pack(f"<{len(value)}H", *value), len(value)
    elif kind == LONG:
        raw, number = struct.pack(f"<{len(value)}I", *value), len(value)
    elif kind == RATIONAL:
        flat = [part for pair in value for part in pair]
        raw, number = struct.pack(f"<{len(flat)}I", *flat), len(value)
    else:
        raw, number = value, len(value)
    return tag, kind, number if count is None else count, raw


def exif_blob(ifd0=(), exif=(), gps=()):
    """An APP1 EXIF payload (``Exif\\0\\0`` + little-endian TIFF) written by
    hand, so that its types and counts can be anything a broken camera or
    an attacker writes, which Pillow's writer refuses."""
    sub_ifds = [(tag, list(entries)) for tag, entries in ((0x8769, exif), (0x8825, gps)) if entries]
    position = 8 + 2 + 12 * (len(ifd0) + len(sub_ifds)) + 4
    offsets = {}
    for tag, entries in sub_ifds:
        offsets[tag] = position
        position += 2 + 12 * len(entries) + 4
    data_start, data = position, bytearray()

    def pack(entries):
        out = struct.pack("<H", len(entries))
        for tag, kind, count, raw in sorted(entries, key=lambda entry: entry[0]):
            if len(raw) <= 4:
                value = raw.ljust(4, b"\0")
            else:
                value = struct.pack("<I", data_start + len(data))
                data.extend(raw + b"\0" * (len(raw) % 2))
            out += struct.pack("<HHI", tag, kind, count) + value
        return out + b"\0\0\0\0"

    pointers = [(tag, LONG, 1, struct.pack("<I", offset)) for tag, offset in offsets.items()]
    body = pack(list(ifd0) + pointers) + b"".join(pack(entries) for _, entries in sub_ifds)
    return b"Exif\0\0II*\0" + struct.pack("<I", 8) + body + bytes(data)


def jpeg_with_exif(blob, size=(320, 240)):
    output = io.BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(output, "JPEG", quality=90, exif=blob)
    return output.getvalue()


def jpeg_declaring(width, height):
    """A small JPEG whose frame header (SOF0) declares another size."""
    data = bytearray(make_image((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def real_png_bomb(width, height):
    """A real, complete PNG of ``width`` x ``height`` black pixels (1 bit
    each): a few kilobytes that decode to gigabytes in RGB."""
    row = b"\0" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def jpeg_zip_polyglot():
    """A complete JPEG followed by a ZIP archive: a valid image and a valid
    archive at once (``unzip`` reads it from the end)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("payload/run.sh", "#!/bin/sh\necho owned\n")
    return make_image((200, 150), colour=(10, 20, 30)) + archive.getvalue()


def gif_js_polyglot():
    """``GIF89a`` header that is also a JavaScript assignment, then an
    HTML script: a browser runs it, an image viewer shows a GIF."""
    return (
        b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain)//"
        + b"<html><script>alert(1)</script></html>"
        + b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b"
    )


def huge_exif():
    """An EXIF segment just under the 64 KB an APP1 segment may hold: 2,500
    tags, absurd counts (one claims 4 billion values), a 26 KB
    description, negative and maximal numbers."""
    ifd0 = [exif_entry(0x010E, ASCII, "X" * 26_000)]  # ImageDescription
    ifd0.append(exif_entry(0x010F, ASCII, "cam", count=0xFFFFFFFF))  # Make, count lies
    ifd0.append(exif_entry(0x0112, SHORT, [0xFFFF]))  # Orientation
    ifd0 += [exif_entry(0xC000 + index, LONG, [0xFFFFFFFF]) for index in range(1500)]
    exif = [exif_entry(0x9003, ASCII, "9999:99:99 99:99:99")]
    exif += [exif_entry(0xA000 + index, RATIONAL, [(0xFFFFFFFF, 0)]) for index in range(900)]
    gps = [
        exif_entry(1, ASCII, "N"),
        exif_entry(2, RATIONAL, [(0xFFFFFFFF, 1)] * 3),
        exif_entry(3, ASCII, "E"),
        exif_entry(4, RATIONAL, [(0xFFFFFFFF, 1)] * 3),
    ]
    blob = exif_blob(ifd0, exif, gps)
    assert 60_000 < len(blob) <= 65_533, len(blob)
    return jpeg_with_exif(blob)


def gps_entries(latitude, longitude, lat_ref="N", lon_ref="E"):
    return [
        exif_entry(1, ASCII, lat_ref),
        latitude,
        exif_entry(3, ASCII, lon_ref),
        longitude,
    ]


# ----------------------------------------------------------------------
# The corpus: (name, bytes, declared type, metadata, expected statuses, code)
# ----------------------------------------------------------------------


def fresh(data, run):
    """The same image with bytes of this run's own (a JPEG comment, a PNG
    text chunk), so that a corpus run again is not answered from the photos
    the last run stored (the same bytes are stored once)."""
    if data[:3] == b"\xff\xd8\xff":
        return unique(data, run)
    ihdr_end = 8 + 25
    return data[:ihdr_end] + png_chunk(b"tEXt", b"run\0" + run.encode()) + data[ihdr_end:]


def corpus(site_id, max_upload_bytes):
    def meta(**extra):
        return dict({"client_uuid": f"corpus-{uuid.uuid4()}", "site_id": site_id}, **extra)

    run = uuid.uuid4().hex
    photo_12mp = base_jpeg()
    control_jpeg = fresh(make_image((640, 480), colour=(30, 160, 90)), run)
    same_meta = meta(stage="before")
    zero_denominator = [(1, 0), (2, 0), (3, 0)]
    cases = [
        # Controls: real photos must be stored.
        ("control: 640x480 JPEG", control_jpeg, "image/jpeg", same_meta, {201}, None),
        ("control: same upload again", control_jpeg, "image/jpeg", same_meta, {200}, None),
        ("control: 12 MP camera JPEG", photo_12mp, "image/jpeg", meta(), {201}, None),
        (
            "control: PNG with alpha",
            _png_rgba(),
            "image/png",
            meta(stage="during"),
            {201},
            None,
        ),
        (
            "control: JPEG, EXIF orientation 6 + GPS",
            make_image(
                (400, 300),
                colour=(1, 2, 3),
                exif=make_exif(
                    orientation=6,
                    taken="2026:11:20 09:15:00",
                    offset="-06:00",
                    latitude=41.88,
                    longitude=-87.63,
                ),
            ),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "control: 49 MP PNG, just under the limit",
            real_png_bomb(7000, 7000),
            "image/png",
            meta(),
            {201},
            None,
        ),
        ("control: octet-stream type", make_image((50, 50), (7, 7, 7)), "", meta(), {201}, None),
        # Empty and truncated
        ("zero-byte file", b"", "image/jpeg", meta(), {415}, "not_an_image"),
        (
            "truncated JPEG (half)",
            _half(photo_12mp),
            "image/jpeg",
            meta(),
            {422},
            "truncated_image",
        ),
        (
            "truncated JPEG (in its headers)",
            control_jpeg[:180],
            "image/jpeg",
            meta(),
            {422},
            "truncated_image",
        ),
        (
            "truncated PNG (half)",
            _half(_png_rgba()),
            "image/png",
            meta(),
            {422},
            "truncated_image",
        ),
        (
            "PNG, corrupt compressed pixels",
            corrupt_png(),
            "image/png",
            meta(),
            {422},
            "truncated_image",
        ),
        # Decompression bombs
        (
            "bomb: PNG header 30000x30000",
            huge_png_header(30000, 30000),
            "image/png",
            meta(),
            {413},
            "too_many_pixels",
        ),
        (
            "bomb: PNG header 65535x65535",
            huge_png_header(65535, 65535),
            "image/png",
            meta(),
            {413},
            "too_many_pixels",
        ),
        (
            "bomb: JPEG SOF 30000x30000",
            jpeg_declaring(30000, 30000),
            "image/jpeg",
            meta(),
            {413},
            "too_many_pixels",
        ),
        (
            "bomb: real 1-bit PNG 20000x20000",
            real_png_bomb(20000, 20000),
            "image/png",
            meta(),
            {413},
            "too_many_pixels",
        ),
        # Polyglots
        (
            "polyglot: GIF + JavaScript/HTML",
            gif_js_polyglot(),
            "image/gif",
            meta(),
            {415},
            "not_an_image",
        ),
        (
            "polyglot: GIF/JS sent as image/jpeg",
            gif_js_polyglot(),
            "image/jpeg",
            meta(),
            {415},
            "not_an_image",
        ),
        # A complete JPEG with bytes after its end is accepted on purpose:
        # phones append data there (Samsung's trailer, motion photos). The
        # original is evidence, never shared; clients get re-encoded previews.
        ("polyglot: JPEG + ZIP archive", jpeg_zip_polyglot(), "image/jpeg", meta(), {201}, None),
        # Wrong types
        (
            "PDF sent as image/jpeg",
            b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
            "image/jpeg",
            meta(),
            {415},
            "not_an_image",
        ),
        (
            "text sent as image/jpeg",
            b"hello, field\n" * 20,
            "image/jpeg",
            meta(),
            {415},
            "not_an_image",
        ),
        (
            "SVG with script as image/jpeg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/jpeg",
            meta(),
            {415},
            "not_an_image",
        ),
        (
            "PNG declared image/jpeg",
            make_image((40, 40), image_format="PNG"),
            "image/jpeg",
            meta(),
            {415},
            "type_mismatch",
        ),
        # EXIF
        (
            "huge EXIF (64 KB, 2,400 tags, absurd values)",
            huge_exif(),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF orientation 65535",
            jpeg_with_exif(exif_blob([exif_entry(0x0112, SHORT, [65535])])),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF orientation as text",
            jpeg_with_exif(exif_blob([exif_entry(0x0112, ASCII, "rotate 90")])),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF capture time as a number",
            jpeg_with_exif(exif_blob(exif=[exif_entry(0x9003, LONG, [20261120])])),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF time offset as a number",
            jpeg_with_exif(
                exif_blob(
                    exif=[
                        exif_entry(0x9003, ASCII, "2026:11:20 09:15:00"),
                        exif_entry(0x9011, SHORT, [5]),
                    ]
                )
            ),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF GPS latitude 95 N",
            jpeg_with_exif(
                exif_blob(
                    gps=gps_entries(
                        exif_entry(2, RATIONAL, [(95, 1), (0, 1), (0, 1)]),
                        exif_entry(4, RATIONAL, [(10, 1), (0, 1), (0, 1)]),
                    )
                )
            ),
            "image/jpeg",
            meta(),
            {422},
            "gps_out_of_range",
        ),
        (
            "EXIF GPS rationals over zero",
            jpeg_with_exif(
                exif_blob(
                    gps=gps_entries(
                        exif_entry(2, RATIONAL, zero_denominator),
                        exif_entry(4, RATIONAL, zero_denominator),
                    )
                )
            ),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF GPS as text",
            jpeg_with_exif(
                exif_blob(
                    gps=[
                        *gps_entries(exif_entry(2, ASCII, "abc"), exif_entry(4, ASCII, "xyz")),
                        exif_entry(6, ASCII, "high"),
                        exif_entry(31, ASCII, "far"),
                    ]
                )
            ),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF GPS refs as numbers",
            jpeg_with_exif(
                exif_blob(
                    gps=[
                        exif_entry(1, LONG, [7]),
                        exif_entry(2, RATIONAL, [(41, 1), (52, 1), (0, 1)]),
                        exif_entry(3, SHORT, [9]),
                        exif_entry(4, RATIONAL, [(87, 1), (38, 1), (0, 1)]),
                        exif_entry(5, ASCII, "up"),
                        exif_entry(6, RATIONAL, [(1, 0)]),
                    ]
                )
            ),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        (
            "EXIF GPS IFD pointing past the end",
            jpeg_with_exif(exif_blob([exif_entry(0x8825, LONG, [0x7FFFFFF0])])),
            "image/jpeg",
            meta(),
            {201},
            None,
        ),
        # Size limit
        (
            f"oversize request ({max_upload_bytes // 2**20} MiB + 1 KiB)",
            _oversize(control_jpeg, max_upload_bytes),
            "image/jpeg",
            meta(),
            {413},
            "payload_too_large",
        ),
    ]
    # Every other photo to be stored gets bytes of this run's own too.
    prepared = []
    for name, data, mimetype, metadata, statuses, code in cases:
        if statuses == {201} and data is not control_jpeg:
            data = fresh(data, run)
        prepared.append((name, data, mimetype, metadata, statuses, code))
    return prepared


def _half(data):
    return data[: len(data) // 2]


def _png_rgba():
    output = io.BytesIO()
    image = Image.new("RGBA", (300, 200), (200, 30, 30, 128))
    image.save(output, "PNG")
    return output.getvalue()


def _oversize(jpeg, limit):
    """A real JPEG padded with a comment segments to just over the limit."""
    segment = b"\xff\xfe" + struct.pack(">H", 65535) + b"\0" * 65533
    count = (limit + 1024 - len(jpeg)) // len(segment) + 1
    return jpeg[:2] + segment * count + jpeg[2:]


# ----------------------------------------------------------------------
# Server memory
# ----------------------------------------------------------------------


def server_process(url, pid):
    if pid:
        return psutil.Process(pid)
    port = urllib.parse.urlsplit(url).port or 80
    for connection in psutil.net_connections("tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
            process = psutil.Process(connection.pid)
            # a worker listens on the inherited socket too: climb to the master
            while process.parent() and _listens(process.parent(), port):
                process = process.parent()
            return process
    raise SystemExit(f"no local process listens on port {port}: pass --server-pid")


def _listens(process, port):
    try:
        # psutil 6 renamed connections() to net_connections()
        connections = getattr(process, "net_connections", None) or process.connections
        return any(
            c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections("tcp")
        )
    except psutil.Error:
        return False


class MemoryWatch:
    """Samples the RSS of the server and each of its child processes."""

    def __init__(self, master, interval=0.02):
        self.master = master
        self.interval = interval
        self.peak_total = 0
        self.peak_process = {}  # pid -> peak RSS
        self.seen = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def processes(self):
        return [self.master, *self.master.children(recursive=True)]

    def snapshot(self):
        rss = {}
        for process in self.processes():
            try:
                rss[process.pid] = process.memory_info().rss
            except psutil.Error:
                continue
        return rss

    def _run(self):
        while not self._stop.is_set():
            rss = self.snapshot()
            self.seen |= set(rss)
            self.peak_total = max(self.peak_total, sum(rss.values()))
            for pid, value in rss.items():
                self.peak_process[pid] = max(self.peak_process.get(pid, 0), value)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ----------------------------------------------------------------------


def post(args, session, data, mimetype, metadata):
    files = {"image": ("upload.bin", data, mimetype or "application/octet-stream")}
    started = time.perf_counter()
    try:
        response = session.post(
            args.url.rstrip("/") + API + "/field/photos",
            files=files,
            data={"metadata": json.dumps(metadata)},
            headers={"Authorization": f"Bearer {args.api_key}"},
            timeout=300,
        )
    except requests.ConnectionError as error:
        return None, None, f"no answer: {error.__class__.__name__}", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    code = None
    if content_type == PROBLEM:
        code = response.json().get("code")
    return response.status_code, content_type, code, elapsed


def mb(value):
    return value / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:8369")
    parser.add_argument("--db", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--site-id", type=int, required=True)
    parser.add_argument("--server-pid", type=int, help="default: the process on --url's port")
    parser.add_argument("--max-upload-mb", type=int, default=DEFAULT_MAX_UPLOAD_MB)
    parser.add_argument(
        "--memory-bound-mb",
        type=int,
        default=2048,
        help="peak RSS no server process may reach (odoo.conf limit_memory_soft)",
    )
    args = parser.parse_args()

    master = server_process(args.url, args.server_pid)
    cases = corpus(args.site_id, args.max_upload_mb * 2**20)
    session = requests.Session()
    watch = MemoryWatch(master)
    before = watch.snapshot()
    failures, rows = [], []
    with watch:
        for name, data, mimetype, metadata, statuses, code in cases:
            status, content_type, answer_code, seconds = post(
                args, session, data, mimetype, metadata
            )
            ok = status in statuses and answer_code == code
            if status is not None and 400 <= status < 500 and content_type != PROBLEM:
                ok = False
            rows.append((name, len(data), status, answer_code, seconds, statuses, code, ok))
            if not ok:
                failures.append(name)
        time.sleep(0.5)
    after = watch.snapshot()
    alive = master.is_running()

    print(f"\nImage corpus: POST {API}/field/photos on {args.url} (database {args.db})")
    print(f"{'case':<46} {'bytes':>10} {'status':>6} {'code':<18} {'ms':>7}  expected")
    for name, size, status, code, seconds, statuses, expected_code, ok in rows:
        expected = "/".join(map(str, sorted(statuses))) + (
            f" {expected_code}" if expected_code else ""
        )
        print(
            f"{name:<46} {size:>10} {status or '-':>6} {code or '-':<18} {seconds * 1000:>7.0f}  "
            f"{expected}{'' if ok else '   <-- FAIL'}"
        )
    workers_gone = sorted(set(before) - set(after))
    peak_pid = max(watch.peak_process, key=watch.peak_process.get)
    peak = watch.peak_process[peak_pid]
    print(
        f"\nServer memory (pid {master.pid} and {len(before) - 1} children): "
        f"RSS before {mb(sum(before.values())):.0f} MiB, peak {mb(watch.peak_total):.0f} MiB, "
        f"after {mb(sum(after.values())):.0f} MiB"
    )
    print(
        f"Largest process peak: {mb(peak):.0f} MiB (pid {peak_pid}; "
        f"bound {args.memory_bound_mb} MiB); "
        f"processes gone during the run: {len(workers_gone)}; server alive: {alive}"
    )
    problems = []
    if failures:
        problems.append(f"{len(failures)} cases answered otherwise than expected")
    if mb(peak) >= args.memory_bound_mb:
        problems.append(f"a server process reached {mb(peak):.0f} MiB")
    if workers_gone or not alive:
        problems.append(f"server processes died or were recycled: {workers_gone}")
    if problems:
        print("\nFAILED: " + "; ".join(problems))
        return 1
    print(f"\nOK: {len(rows)} cases as expected, memory bounded, no worker lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
