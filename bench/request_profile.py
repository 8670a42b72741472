"""Where the time of one API request goes: ``POST /events`` with a bearer
API key (one ``cost_code.upserted`` event) and a signed CompanyCam webhook,
served in-process through Odoo's own WSGI application under ``cProfile``.

Odoo's bare ``GET /web/health`` is served the same way first, the floor
of any request. Each request is sent ten times to warm the caches, then
``--requests`` times timed (wall and this process's CPU per request), then
as many under ``cProfile``: the table gives, per request, the share of
the profiled time spent in each stage, measured as the cumulative time of
the functions that do it.

    python3 bench/request_profile.py --db construction_bench --addons-path ADDONS \\
        --api-key KEY --requests 200
"""

import argparse
import cProfile
import json
import pstats
import time

from companycam import WEBHOOK_TOKEN, signed_delivery
from in_process import add_database_arguments, configure
from request_path import OUTBOUND_HOSTS
from sync_events import envelope
from werkzeug.test import Client

import odoo
from odoo import SUPERUSER_ID, api

# (stage, file fragment, function): the cumulative time of that function.
STAGES = [
    ("Odoo: registry, cursor, environment", "odoo/http.py", "_serve_db"),
    ("Odoo: bearer API key check", "res_users.py", "_check_credentials"),
    ("Odoo: routing and pre-dispatch", "ir_http.py", "_pre_dispatch"),
    ("suite: the route", "controllers/events.py", "post_event"),
    ("suite: the route", "controllers/webhooks.py", "vendor_webhook"),
    ("suite: system and signature", "controllers/api.py", "current_system"),
    ("suite: validate and admit", "construction_sync_event.py", "_admit"),
    ("suite: systems of record", "construction_sync_ownership.py", "_violations"),
    ("suite: insert the event", "construction_sync_event.py", "_claim"),
    ("suite: queue its job", "construction_sync_event.py", "_enqueue"),
    ("suite: verify the signature", "adapter_companycam.py", "_webhook_verify"),
    ("suite: map and receive its events", "construction_sync_exchange.py", "_map_body"),
    ("suite: answer (event as JSON)", "controllers/events.py", "event_json"),
    ("Odoo: commit", "sql_db.py", "commit"),
]


def stage_times(stats, requests, stages=STAGES):
    """``{(stage, function): seconds per request}`` from ``stats``, for
    ``stages`` given as ``(stage, file fragment, function)``. Where several
    functions match (the overrides of one method, each calling the next),
    the outermost one's time counts: their times are nested, not added."""
    found = {}
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        for stage, fragment, name in stages:
            if function == name and filename.endswith(fragment):
                key = (stage, name)
                found[key] = max(found.get(key, 0.0), cumulative / requests)
    return found


def add_server_arguments(parser):
    """The options of an in-process profile: database, addons, config, key."""
    add_database_arguments(parser)
    parser.add_argument("--api-key", required=True)


def load_server(args):
    """Odoo configured as bin/bench's server (the database by name, no
    filter: see start_server), with the registry of ``args.db`` loaded."""
    configure(args)
    odoo.tools.config["db_name"] = args.db
    odoo.tools.config["dbfilter"] = ""
    odoo.service.server.load_server_wide_modules()
    return odoo.modules.registry.Registry(args.db)


def profile(requests, make):
    """``(wall, CPU, wall under cProfile, stages)`` per request: ``requests``
    timed, then as many profiled, after ten that warm the caches."""
    for index in range(10):
        make(index - 10)
    started, cpu = time.perf_counter(), time.process_time()
    for index in range(requests):
        make(index + requests)
    plain = ((time.perf_counter() - started) / requests, (time.process_time() - cpu) / requests)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for index in range(requests):
        make(index)
    profiler.disable()
    wall = (time.perf_counter() - started) / requests
    return (*plain, wall, stage_times(pstats.Stats(profiler), requests))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_arguments(parser)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    registry = load_server(args)
    run = f"prof{int(time.time())}"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # The double's address, as request_path.py allows it.
        allowed = env["ir.config_parameter"].get_param(OUTBOUND_HOSTS) or ""
        if "127.0.0.1" not in allowed.split():
            env["ir.config_parameter"].set_param(OUTBOUND_HOSTS, f"{allowed} 127.0.0.1".strip())
        system = env["construction.sync.system"].create(
            {
                "name": f"CompanyCam profile {run}",
                "code": f"companycam_profile_{run}",
                "kind": "field_evidence",
                "platform": "companycam",
                "base_url": "http://127.0.0.1:9/v2",
                "rate_limit": 0,
            }
        )
        system.webhook_secret = WEBHOOK_TOKEN
        hook = f"/construction/api/v1/webhooks/{system.webhook_uuid}"
        # The same platform again, acknowledging first (webhook_intake).
        first = system.copy({"code": f"{system.code}_first", "webhook_intake": "job"})
        first.webhook_secret = WEBHOOK_TOKEN
        hook_first = f"/construction/api/v1/webhooks/{first.webhook_uuid}"
    client = Client(odoo.http.root)

    def bearer_event(index):
        response = client.post(
            "/construction/api/v1/events",
            data=json.dumps(envelope(index + 10, 800000, run)),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {args.api_key}",
            },
        )
        assert response.status_code == 202, response.get_data()

    def webhook(index, path=hook):
        photo = {
            "id": f"{run}-{index}",
            "project_id": "unserved",
            "status": "active",
            "processing_status": "processed",
            "uris": [{"type": "original", "uri": "http://127.0.0.1:9/x.jpg"}],
            "captured_at": 1793628300 + index,
            "created_at": 1793628300 + index,
        }
        body, signature = signed_delivery(photo)
        response = client.post(
            path,
            data=body,
            headers={"Content-Type": "application/json", "X-CompanyCam-Signature": signature},
        )
        assert response.status_code == 200, response.get_data()

    def bearer_mode(mode):
        """The mode of the key's system for its cost code events (none:
        the type's default, real-time)."""
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user_id = env["res.users.apikeys"]._check_credentials(scope="rpc", key=args.api_key)
            system = env["construction.sync.system"]._for_user(env["res.users"].browse(user_id))
            cost_code = env["construction.sync.event.type"]._inbound("cost_code.upserted")
            values = {"system_id": system.id, "event_type_id": cost_code.id}
            modes = env["construction.sync.system.mode"]
            modes.search([(name, "=", value) for name, value in values.items()]).unlink()
            if mode:
                modes.create(dict(values, mode=mode))

    def health(_index):
        response = client.get("/web/health")
        assert response.status_code == 200, response.get_data()

    for title, make, mode in (
        ("Odoo's GET /web/health (no authentication)", health, None),
        ("POST /events, bearer API key, real-time", bearer_event, None),
        (
            "POST /events, bearer API key, grouped",
            lambda index: bearer_event(index + 100000),
            "grouped",
        ),
        ("CompanyCam webhook, signature only, mapped in the request", webhook, None),
        (
            "CompanyCam webhook, signature only, acknowledged first",
            lambda index: webhook(index, hook_first),
            None,
        ),
    ):
        bearer_mode(mode)
        plain_wall, cpu, wall, stages = profile(args.requests, make)
        print(
            f"\n{title}: {plain_wall * 1000:.2f} ms per request in-process, "
            f"{cpu * 1000:.2f} ms of it this process's CPU (the rest: PostgreSQL "
            f"and the wait for it); {wall * 1000:.2f} ms under cProfile"
        )
        print(f"{'stage':<42} {'function':<22} {'ms':>7} {'share':>6}")
        for (stage, function), seconds in sorted(stages.items(), key=lambda item: -item[1]):
            print(f"{stage:<42} {function:<22} {seconds * 1000:>7.2f} {seconds / wall:>6.0%}")


if __name__ == "__main__":
    main()
