from odoo.exceptions import AccessError

from .common import SyncCase

# (model, role) -> operations allowed; the rest must be refused.
EXPECTED = {
    "construction.sync.event": {
        "field_api": "",
        "reviewer": "",
        "controller": "r",
        "sync_manager": "rwu",
    },
    "construction.sync.delivery": {"field_api": "", "controller": "r", "sync_manager": "rwu"},
    "construction.sync.value.map": {"field_api": "", "controller": "r", "sync_manager": "rwcu"},
    "construction.sync.binding": {"field_api": "", "controller": "r", "sync_manager": "rwcu"},
    "construction.sync.ownership": {"reviewer": "r", "controller": "r", "sync_manager": "rwcu"},
    "construction.sync.event.type": {"reviewer": "r", "sync_manager": "rwcu"},
}


class TestSyncSecurity(SyncCase):
    def sample(self, model):
        if model == "construction.sync.event":
            return self.receive("sec-1")
        if model == "construction.sync.delivery":
            return self.env[model].create(
                {
                    "system_id": self.system.id,
                    "event_type_id": self.env.ref(
                        "construction_sync.event_type_cost_code_changed"
                    ).id,
                    "payload": "{}",
                }
            )
        values = {
            "construction.sync.value.map": {
                "system_id": self.system.id,
                "kind": "status",
                "external_value": "OK",
                "internal_value": "done",
            },
            "construction.sync.binding": {
                "system_id": self.system.id,
                "res_model": "construction.cost.code",
                "res_id": self.division_32.id,
                "external_id": "DIV-32",
            },
            "construction.sync.ownership": {
                "model_id": self.env.ref("construction_sync.model_construction_cost_code").id,
                "system_id": self.system.id,
            },
            "construction.sync.event.type": {
                "code": "test.ping",
                "name": "Ping",
                "direction": "outbound",
            },
        }[model]
        return self.env[model].create(values)

    def allowed(self, record, role, operation):
        as_user = record.with_user(self.users[role])
        try:
            with self.env.cr.savepoint():
                if operation == "r":
                    as_user.read(["display_name"])
                elif operation == "w":
                    as_user.check_access("write")
                elif operation == "c":
                    as_user.check_access("create")
                else:
                    as_user.check_access("unlink")
        except AccessError:
            return False
        return True

    def test_roles_on_engine_models(self):
        for model, roles in EXPECTED.items():
            record = self.sample(model)
            for role, allowed in roles.items():
                for operation in "rwcu":
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            self.allowed(record, role, operation), operation in allowed
                        )

    def test_secrets_are_readable_only_by_system_administrators(self):
        self.system.sudo().write({"webhook_secret": "in-secret", "outbound_secret": "out-secret"})
        manager_view = self.system.with_user(self.users["sync_manager"])
        with self.assertRaises(AccessError):
            manager_view.read(["webhook_secret"])
        with self.assertRaises(AccessError):
            manager_view.read(["outbound_secret"])
        self.assertNotIn("webhook_secret", manager_view.fields_get())
        self.assertEqual(self.system.sudo().webhook_secret, "in-secret")
