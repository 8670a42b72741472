"""Upgrading a database from the release before webhook paths existed."""

import importlib.util
from pathlib import Path

from .common import ConstructionCase

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _migration(version, name):
    path = MIGRATIONS / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"construction_sync_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestWebhookPathMigration(ConstructionCase):
    def test_systems_of_an_older_release_get_a_webhook_path_each(self):
        systems = self.env["construction.sync.system"].create(
            [
                {"name": f"Platform {n}", "code": f"platform_{n}", "kind": "field_evidence"}
                for n in range(3)
            ]
        )
        cr = self.env.cr
        # As an older release left them: the table without the column's values.
        cr.execute("ALTER TABLE construction_sync_system ALTER COLUMN webhook_uuid DROP NOT NULL")
        cr.execute("UPDATE construction_sync_system SET webhook_uuid = NULL")

        _migration("18.0.1.1.0", "pre-webhook-paths").migrate(cr, "18.0.1.0.0")

        systems.invalidate_recordset(["webhook_uuid"])
        paths = systems.mapped("webhook_uuid")
        self.assertEqual(len(set(paths)), 3, "each system has a path of its own")
        cr.execute("SELECT count(*) FROM construction_sync_system WHERE webhook_uuid IS NULL")
        self.assertEqual(cr.fetchone()[0], 0, "no system is left without a path")


class TestRetentionCronMigration(ConstructionCase):
    def test_the_old_event_purge_gives_way_to_the_retention_policy(self):
        # As the release before kept it (noupdate): a daily action calling
        # a method that no longer exists.
        old = self.env["ir.cron"].create(
            {
                "name": "Construction Sync: purge applied events past retention",
                "model_id": self.env["ir.model"]._get_id("construction.sync.event"),
                "state": "code",
                "code": "model._cron_purge_done()",
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": "construction_sync",
                "name": "ir_cron_purge_done_events",
                "model": "ir.cron",
                "res_id": old.id,
                "noupdate": True,
            }
        )

        _migration("18.0.1.2.0", "post-migration").migrate(self.env.cr, "18.0.1.1.0")

        self.assertFalse(old.exists())
        retention = self.env.ref("construction_sync.ir_cron_retention_purge")
        self.assertEqual(retention.code, "model._cron_purge()")
        self.assertEqual(retention.model_id.model, "construction.sync.purge")
