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

    def test_roles_on_engine_models(self):
        self.assertAccessMatrix(
            EXPECTED,
            {model: self.sample(model) for model in EXPECTED},
            {
                "construction.sync.event": {"error_message": "seen"},
                "construction.sync.delivery": {"last_error": "seen"},
                "construction.sync.value.map": {"internal_value": "closed"},
                "construction.sync.binding": {"external_id": "DIV-32B"},
                "construction.sync.ownership": {"note": "seen"},
                "construction.sync.event.type": {"name": "Pong"},
            },
            {
                "construction.sync.event": {},
                "construction.sync.delivery": {},
                "construction.sync.value.map": {
                    "system_id": self.system.id,
                    "kind": "status",
                    "external_value": "KO",
                    "internal_value": "failed",
                },
                "construction.sync.binding": {
                    "system_id": self.system.id,
                    "res_model": "construction.cost.code",
                    "res_id": self.division_32.id,
                    "external_id": "DIV-32C",
                },
                "construction.sync.ownership": {
                    "model_id": self.env.ref("construction_sync.model_construction_sync_system").id,
                    "system_id": self.system.id,
                },
                "construction.sync.event.type": {
                    "code": "test.pong",
                    "name": "Pong",
                    "direction": "outbound",
                },
            },
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
