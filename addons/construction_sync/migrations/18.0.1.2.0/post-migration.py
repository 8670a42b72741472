"""The nightly purge of applied events became the retention policy of every
kind of record (``construction.sync.purge``, its own scheduled action): the
old scheduled action, kept by ``noupdate``, would call a method that no
longer exists, so it goes."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = env.ref("construction_sync.ir_cron_purge_done_events", raise_if_not_found=False)
    if old:
        old.unlink()
