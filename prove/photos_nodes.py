"""Photos across nodes: uploaded to one node, found again and served by the
other, stored once, in the S3-compatible bucket.

Run by ``bin/prove`` against two Odoo nodes on one database (``--url`` lists
them, comma-separated) whose servers have the ``CONSTRUCTION_S3_*``
environment of ``construction_object_storage`` (``bin/prove`` starts an
S3-compatible server on 127.0.0.1). It routes photos to the bucket, then
posts ``--photos`` 12-megapixel JPEGs (unique bytes each) to
``POST /construction/api/v1/field/photos``, taking turns over the nodes from
``--clients`` threads, and sends each again to the other node. It checks:
every first upload answered ``201`` and every resend ``200`` with the same
photo; each photo's original, preview and thumbnail are objects of the
bucket, none in the filestore or the database, and each object's SHA-1 is
its attachment's checksum (the original's bytes are what was sent); the
node that did not take the upload serves the original byte for byte.

    PYTHONPATH=bench python3 prove/photos_nodes.py \\
        --url http://127.0.0.1:8622,http://127.0.0.1:8624 --db construction_prove \\
        --api-key KEY --site-id 1 --photos 24
"""

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import s3fs
from photo_upload import base_jpeg, json_rpc_caller, route_photos_to_bucket, unique
from proof import Verdict, connect, proof_parser, query

API = "/construction/api/v1"
STORAGE = "construction_s3"
BUCKET = "construction-photos"
IMAGE_FIELDS = ("image", "image_preview", "image_thumbnail")


def options():
    parser = proof_parser(__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=24)
    args = parser.parse_args()
    args.nodes = args.url.split(",")
    if len(args.nodes) < 2:
        parser.error("--url lists two nodes at least")
    args.url = args.nodes[0]
    return args


def upload(args, node, data, client_uuid):
    response = requests.post(
        node + API + "/field/photos",
        files={"image": ("photo.jpg", data, "image/jpeg")},
        data={
            "metadata": json.dumps(
                {"client_uuid": client_uuid, "site_id": args.site_id, "stage": "before"}
            )
        },
        headers={"Authorization": f"Bearer {args.api_key}"},
        timeout=300,
    )
    body = response.json()
    return response.status_code, body.get("id")


def session(args, node):
    """A browser session of ``args.login`` on ``node``."""
    client = requests.Session()
    response = client.post(
        node + "/web/session/authenticate",
        json={"params": {"db": args.db, "login": args.login, "password": args.password}},
        timeout=60,
    )
    response.raise_for_status()
    return client


def main():
    args = options()
    json_rpc = json_rpc_caller(args.url)
    uid = json_rpc("common", "login", args.db, args.login, args.password)
    route_photos_to_bucket(json_rpc, args, uid, True)
    try:
        return prove(args)
    finally:
        route_photos_to_bucket(json_rpc, args, uid, False)


def prove(args):
    nodes = args.nodes
    run = f"nodes{int(time.time())}"
    jpeg = base_jpeg()
    photos = [
        (f"{run}-{i}", unique(jpeg, f"{run}-{i}"), nodes[i % len(nodes)])
        for i in range(args.photos)
    ]
    print(
        f"\nPhotos across nodes, database {args.db}, run {run}: {args.photos} 12 MP JPEGs "
        f"over {len(nodes)} nodes, {args.clients} client threads"
    )
    started = time.monotonic()
    with ThreadPoolExecutor(args.clients) as pool:
        first = list(pool.map(lambda photo: upload(args, photo[2], photo[1], photo[0]), photos))

    def other(node):
        return nodes[(nodes.index(node) + 1) % len(nodes)]

    with ThreadPoolExecutor(args.clients) as pool:
        again = list(
            pool.map(lambda photo: upload(args, other(photo[2]), photo[1], photo[0]), photos)
        )
    seconds = time.monotonic() - started
    verdict = Verdict(f"Photos across nodes ({args.photos} photos, run {run})")
    created = [status for status, _id in first]
    verdict.check(
        "every upload stored, on either node",
        created == [201] * len(photos),
        f"{created.count(201)} of {len(photos)} answered 201 in {seconds:.1f} s",
    )
    same = [
        status == 200 and photo_id == first_id
        for (status, photo_id), (_status, first_id) in zip(again, first, strict=True)
    ]
    verdict.check(
        "a resend to the other node finds the same photo",
        all(same),
        f"{sum(same)} of {len(photos)} answered 200 with the first photo's id",
    )

    ids = [photo_id for _status, photo_id in first if photo_id]
    db = connect(args.db)
    rows = query(
        db,
        "SELECT res_id, res_field, store_fname, db_datas IS NOT NULL, checksum FROM ir_attachment"
        " WHERE res_model = 'construction.photo' AND res_id = ANY(%s) AND res_field = ANY(%s)",
        [ids, list(IMAGE_FIELDS)],
    )
    in_bucket = [row for row in rows if (row[2] or "").startswith(f"{STORAGE}://") and not row[3]]
    verdict.check(
        "original and renditions in the bucket only",
        len(rows) == len(ids) * len(IMAGE_FIELDS) and len(in_bucket) == len(rows),
        f"{len(rows)} attachments of {len(ids)} photos, {len(in_bucket)} in the bucket, "
        f"{len(rows) - len(in_bucket)} elsewhere",
    )

    bucket = s3fs.S3FileSystem(
        endpoint_url=os.environ["CONSTRUCTION_S3_ENDPOINT_URL"],
        key=os.environ["CONSTRUCTION_S3_KEY"],
        secret=os.environ["CONSTRUCTION_S3_SECRET"],
        skip_instance_cache=True,
    )
    sent = {
        photo_id: data
        for (_status, photo_id), (_uuid, data, _node) in zip(first, photos, strict=True)
    }
    wrong = []
    for res_id, field, store_fname, _in_db, checksum in in_bucket:
        content = bucket.cat(f"{BUCKET}/{store_fname.split('://', 1)[1]}")
        if hashlib.sha1(content).hexdigest() != checksum or (
            field == "image" and content != sent.get(res_id)
        ):
            wrong.append((res_id, field))
    verdict.check(
        "each object is its attachment's bytes",
        in_bucket and not wrong,
        f"{len(in_bucket)} objects read from the bucket, {len(wrong)} differ",
    )

    sessions = {node: session(args, node) for node in nodes}
    served = 0
    for (status, photo_id), (_uuid, data, node) in zip(first, photos, strict=True):
        if status != 201:
            continue
        response = sessions[other(node)].get(
            f"{other(node)}/web/image/construction.photo/{photo_id}/image", timeout=120
        )
        served += response.status_code == 200 and response.content == data
    verdict.check(
        "the other node serves the original",
        served == len(photos),
        f"{served} of {len(photos)} originals served byte for byte by the node that did "
        "not take them",
    )
    return verdict.print()


if __name__ == "__main__":
    raise SystemExit(main())
