"""Where the time of one 12-megapixel photo upload goes: ``POST
/construction/api/v1/field/photos`` (multipart, the JPEG of
``photo_upload.py`` with unique bytes each time) served in-process through
Odoo's own WSGI application, answered only once the photo's renditions are
stored.

First ``--photos`` uploads are timed without a profiler: the median wall
and CPU time of this process per photo, and the mean CPU time of the
PostgreSQL backends serving it (read from ``/proc``: PostgreSQL runs on
this machine): what one photo costs the machine's cores. Then as many
again run under ``cProfile``: the table gives the time per photo of each
stage, the cumulative time of the function that does it, and the functions
that cost most of their own.

    python3 bench/photo_profile.py --db construction_bench --addons-path ADDONS \\
        --api-key KEY --site-id 1 --photos 30
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time

from photo_upload import base_jpeg, multipart, unique
from request_profile import add_server_arguments, load_server, stage_times
from werkzeug.test import Client

import odoo

# (stage, file fragment, function): the cumulative time of that function.
STAGES = [
    ("Odoo: registry, cursor, environment", "odoo/http.py", "_serve_db"),
    ("Odoo: bearer API key check", "res_users.py", "_check_credentials"),
    ("suite: the route", "controllers/field_api.py", "upload_photo"),
    ("suite: read the body", "controllers/api.py", "raw_body"),
    ("werkzeug: parse the multipart form", "werkzeug/wrappers/request.py", "_load_form_data"),
    ("suite: read and hash the image", "lib/image.py", "read_hashed"),
    ("suite: admit the event", "construction_sync_event.py", "_admit"),
    ("suite: create the photo", "construction_photo.py", "_create_from_upload"),
    ("suite: inspect (headers, EXIF)", "lib/image.py", "inspect"),
    ("suite: renditions (decode, resize, encode)", "lib/image.py", "make_derivatives"),
    ("suite: decode", "PIL/ImageFile.py", "load"),
    ("suite: resize", "PIL/Image.py", "resize"),
    ("suite: encode", "PIL/Image.py", "save"),
    ("Odoo: insert the photo (ORM create)", "odoo/models.py", "_create"),
    ("suite: store the images (attachments)", "construction_photo.py", "_store_images"),
    ("Odoo: write the files", "ir_attachment.py", "_file_write"),
    ("Odoo: SHA-1 of the files", "ir_attachment.py", "_compute_checksum"),
    ("suite: record the applied event", "construction_sync_event.py", "_record_applied"),
    ("Odoo: flush", "odoo/models.py", "flush_model"),
    ("Odoo: commit", "sql_db.py", "commit"),
]


def backend_cpu(cr):
    """``{pid: CPU seconds so far}`` of the PostgreSQL backends of this
    process's connections (Odoo names them ``odoo-<pid>``), ``cr``'s own
    left out."""
    cr.execute("SELECT pg_stat_clear_snapshot()")  # else one view per transaction
    cr.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
        [f"odoo-{os.getpid()}"],
    )
    seconds = {}
    for (pid,) in cr.fetchall():
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_arguments(parser)
    parser.add_argument("--site-id", type=int, required=True)
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--top", type=int, default=25, help="functions listed by own time")
    parser.add_argument("--dump", help="also write the profile to this file (pstats)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="profile this process's CPU time instead of the wall time (waits for "
        "PostgreSQL and the disk left out)",
    )
    args = parser.parse_args()
    registry = load_server(args)
    client = Client(odoo.http.root)
    jpeg = base_jpeg()
    run = f"profile-{int(time.time())}"

    def upload(serial):
        body, content_type = multipart(
            {"metadata": json.dumps({"client_uuid": f"{run}-{serial}", "site_id": args.site_id})},
            {"image": (f"{run}-{serial}.jpg", unique(jpeg, serial), "image/jpeg")},
        )
        response = client.post(
            "/construction/api/v1/field/photos",
            data=body,
            headers={"Content-Type": content_type, "Authorization": f"Bearer {args.api_key}"},
        )
        assert response.status_code == 201, response.get_data()

    walls, cpus = [], []
    with registry.cursor() as monitor:  # its own connection, before the requests take theirs
        for serial in range(3):  # warm the caches
            upload(serial)
        before = backend_cpu(monitor)
        for serial in range(args.photos):
            wall, cpu = time.perf_counter(), time.process_time()
            upload(1000 + serial)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        after = backend_cpu(monitor)
    database = sum(after[pid] - before.get(pid, 0.0) for pid in after) / args.photos
    cpu = statistics.median(cpus)
    print(
        f"\n12 MP JPEG ({len(jpeg) / 1e6:.1f} MB) upload with its renditions, in-process, "
        f"{args.photos} photos, per photo: median {statistics.median(walls) * 1000:.1f} ms "
        f"wall, {cpu * 1000:.1f} ms CPU (median) + {database * 1000:.1f} ms of PostgreSQL "
        f"(mean): at most {2 / (cpu + database):.0f} photos/s on 2 idle cores"
    )

    clock = time.process_time if args.cpu else time.perf_counter
    profiler = cProfile.Profile(clock)
    started = clock()
    profiler.enable()
    for serial in range(args.photos):
        upload(2000 + serial)
    profiler.disable()
    total = (clock() - started) / args.photos
    stats = pstats.Stats(profiler)
    if args.dump:
        stats.dump_stats(args.dump)
    stages = stage_times(stats, args.photos, STAGES)
    print(f"\nUnder cProfile: {total * 1000:.1f} ms {'CPU' if args.cpu else 'wall'} per photo")
    print(f"{'stage':<44} {'function':<22} {'ms':>7} {'share':>6}")
    for (stage, function), seconds in sorted(stages.items(), key=lambda item: -item[1]):
        print(f"{stage:<44} {function:<22} {seconds * 1000:>7.2f} {seconds / total:>6.0%}")
    print(f"\nFunctions by their own time (ms per photo), the first {args.top}:")
    own = sorted(stats.stats.items(), key=lambda item: -item[1][2])[: args.top]
    for (filename, line, function), (_cc, calls, own_time, _cumulative, _callers) in own:
        where = "/".join(filename.rsplit("/", 2)[-2:]) + f":{line}" if line else filename
        print(
            f"{own_time / args.photos * 1000:>8.2f}  {calls / args.photos:>7.1f}x  "
            f"{function} {where}"
        )


if __name__ == "__main__":
    main()
