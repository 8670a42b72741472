from odoo.exceptions import ValidationError

from .common import ConstructionCase


class TestSyncSystem(ConstructionCase):
    def test_code_and_url_are_checked(self):
        System = self.env["construction.sync.system"]
        system = System.create(
            {"name": "HeavyJob", "code": "hcss_heavyjob", "base_url": "https://api.example.com"}
        )
        self.assertEqual(system.owner_id, self.env.user)
        with self.assertRaisesRegex(ValidationError, "lowercase letters"):
            System.create({"name": "Bad", "code": "Heavy Job"})
        with self.assertRaisesRegex(ValidationError, "not an http:// or https:// URL"):
            system.base_url = "ftp://files.example.com"
