"""Load the demo story (addon construction_demo) into a database where the
suite is installed with its demo data, with a progress bar; one transaction:
a failure leaves the database as it was. Prints the time taken and, last, one
client share link per line (bin/run opens them once the server answers, as
the client did).

Usage (from the repository's root; Odoo's log goes to var/log/<database>-demo.log):
demo.py <config> <addons-path> <database> [small|full]
"""

import sys
import time

import odoo
from odoo import SUPERUSER_ID, api

config, addons_path, db = sys.argv[1:4]
size = sys.argv[4] if len(sys.argv) > 4 else "full"
# Odoo's log goes to its file, leaving the terminal to the progress bar.
odoo.tools.config.parse_config(
    ["-c", config, f"--addons-path={addons_path}", "-d", db, f"--logfile=var/log/{db}-demo.log"]
)
started = time.monotonic()
WIDTH = 30


def progress(label, done, total):
    filled = WIDTH * done // total
    elapsed = time.monotonic() - started
    bar = "#" * filled + "-" * (WIDTH - filled)
    sys.stderr.write(f"\r[{bar}] {done:>2}/{total} {elapsed:5.0f} s  {label[:60]:<60}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    summary = env["construction.demo.story"]._load(size=size, progress=progress)
sys.stderr.write(f"Demo story ({size}) loaded in {time.monotonic() - started:.0f} s\n")
for url in summary["share_urls"]:
    print(url)
