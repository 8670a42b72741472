"""Give the demo BidMaster system a service user with an API key, for the
benchmarks and proofs that call a running server: prints the key and the id
of the demo site Maple Plaza.

Usage: service_key.py <config> <addons-path> <database> <login>
"""

import sys

import odoo
from odoo import SUPERUSER_ID, api

config, addons_path, db, login = sys.argv[1:5]
odoo.tools.config.parse_config(["-c", config, f"--addons-path={addons_path}", "-d", db])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["construction.sync.ownership"].search([]).unlink()
    field_api = env.ref("construction_sync.group_construction_sync_field_api")
    user = env["res.users"].search([("login", "=", login)]) or env["res.users"].create(
        {"name": f"Service {login}", "login": login, "groups_id": [(6, 0, field_api.ids)]}
    )
    system = env.ref("construction_sync.sync_system_bidmaster")
    # The photo benchmark and the image proofs upload as this estimating
    # system: an administrator grants it the field uploads on top of its
    # kind's types (labor is granted by the scripts that post it).
    uploads = env["construction.sync.event.type"].search(
        [("code", "in", ("photo.captured", "defect.detected"))]
    )
    system.write(
        {
            "service_user_id": user.id,
            "rate_limit": 0,
            "outbound_event_type_ids": [(5,)],
            "inbound_event_type_ids": [(4, type_id) for type_id in uploads.ids],
        }
    )
    key = env["res.users.apikeys"].with_user(user).sudo()._generate(None, login, None)
    print(key, env.ref("construction_field_evidence.site_maple_plaza").id)
