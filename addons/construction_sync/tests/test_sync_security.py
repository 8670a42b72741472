from odoo.exceptions import AccessError

from .common import SyncCase


class TestSyncSecurity(SyncCase):
    def test_secrets_are_readable_only_by_system_administrators(self):
        self.system.sudo().write({"webhook_secret": "in-secret", "outbound_secret": "out-secret"})
        manager_view = self.system.with_user(self.users["sync_manager"])
        with self.assertRaises(AccessError):
            manager_view.read(["webhook_secret"])
        with self.assertRaises(AccessError):
            manager_view.read(["outbound_secret"])
        self.assertNotIn("webhook_secret", manager_view.fields_get())
        self.assertEqual(self.system.sudo().webhook_secret, "in-secret")
