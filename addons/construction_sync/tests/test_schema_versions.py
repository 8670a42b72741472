import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..controllers.events import openapi_document
from .common import SyncCase

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestSchemaVersions(HttpCase, SyncCase):
    """A changed payload schema is a new version: proposed by a Sync
    Manager, applied only once another person approves it; the version it
    replaces answers with Deprecation and Sunset until its sunset, then is
    refused with a clear error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second_manager = new_test_user(
            cls.env,
            login="schema_second_manager",
            groups="construction_sync.group_construction_sync_manager",
        )
        schema = json.loads(cls.upsert_type.payload_schema)
        # version 2 requires the cost type
        schema["required"] = [*schema["required"], "cost_type"]
        cls.v2_schema = json.dumps(schema)

    def post(self, envelope):
        return self.opener.post(
            self.base_url() + API + "/events",
            data=json.dumps(envelope).encode(),
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
            timeout=30,
        )

    def propose(self):
        return (
            self.env["construction.sync.schema.version"]
            .with_user(self.owner)
            .create(
                {
                    "event_type_id": self.upsert_type.id,
                    "payload_schema": self.v2_schema,
                    "reason": "Estimating now always sends the cost type.",
                }
            )
        )

    def test_a_schema_change_applies_only_after_a_second_person_approves_it(self):
        with self.assertRaisesRegex(UserError, "new version"):
            self.upsert_type.with_user(self.owner).payload_schema = self.v2_schema
        version = self.propose()
        self.assertEqual((version.version, version.state), (2, "proposed"))
        # not applied yet: an event without the cost type passes
        self.assertEqual(self.post(self.envelope("sv-1")).status_code, 202)
        with self.assertRaisesRegex(UserError, "another person must approve"):
            version.action_approve()
        self.assertEqual(self.upsert_type.schema_version, 1)
        version.with_user(self.second_manager).action_approve()
        self.assertEqual(
            (version.state, version.approved_by_id, self.upsert_type.schema_version),
            ("current", self.second_manager, 2),
        )
        self.assertEqual(self.upsert_type.payload_schema, self.v2_schema)
        current = self.post(self.envelope("sv-2"))
        self.assertEqual(current.status_code, 422, current.text)
        self.assertEqual(current.json()["code"], "schema_violation")
        self.assertNotIn("Sunset", current.headers)

        # the system still declaring version 1 is heard, and warned
        v1 = self.upsert_type.schema_version_ids.filtered(lambda record: record.version == 1)
        self.assertEqual(v1.state, "deprecated")
        old = self.post(dict(self.envelope("sv-3"), schema_version=1))
        self.assertEqual(old.status_code, 202, old.text)
        self.assertTrue(old.headers["Deprecation"].startswith("@"))
        self.assertEqual(
            old.headers["Sunset"],
            v1.sunset_at.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        )
        self.assertGreater(v1.sunset_at, fields.Datetime.now() + timedelta(days=89))
        # the OpenAPI document shows both versions, the old one deprecated
        schemas = openapi_document(self.env)["components"]["schemas"]
        self.assertTrue(schemas["EventPayload_cost_code_upserted_v1"]["deprecated"])
        self.assertIn("cost_type", schemas["EventPayload_cost_code_upserted_v2"]["required"])
        self.assertNotIn("deprecated", schemas["EventPayload_cost_code_upserted_v2"])

        # past its sunset: a clear error
        v1.sudo().write({"sunset_at": fields.Datetime.now() - timedelta(minutes=1)})
        self.env["construction.sync.schema.version"]._cron_retire()
        self.assertEqual(v1.state, "retired")
        retired = self.post(dict(self.envelope("sv-4"), schema_version=1))
        self.assertEqual(retired.status_code, 410, retired.text)
        self.assertEqual(retired.json()["code"], "schema_version_retired")
        self.assertIn("send version 2", retired.json()["detail"])
        unknown = self.post(dict(self.envelope("sv-5"), schema_version=7))
        self.assertEqual(unknown.json()["code"], "unknown_schema_version")

    def test_an_approved_version_never_changes_and_a_rejected_one_never_applies(self):
        version = self.propose()
        version.with_user(self.second_manager).action_reject()
        self.assertEqual(version.state, "rejected")
        with self.assertRaises(UserError):
            version.with_user(self.second_manager).action_approve()
        self.assertEqual(self.upsert_type.schema_version, 1)
        applied = self.propose()
        applied.with_user(self.second_manager).action_approve()
        with self.assertRaisesRegex(UserError, "never changes"):
            applied.with_user(self.owner).payload_schema = '{"type": "object"}'

    def test_a_system_sends_the_version_declared_for_it_and_no_other(self):
        version = self.propose()
        version.with_user(self.second_manager).action_approve()
        # the administrator declares that BidMaster still sends version 1
        declared = self.env["construction.sync.system.mode"].create(
            {"system_id": self.system.id, "event_type_id": self.upsert_type.id, "schema_version": 1}
        )
        # an envelope naming no version is read in version 1 (no cost type
        # needed), and warned that version 1 is deprecated
        silent = self.post(self.envelope("dv-1"))
        self.assertEqual(silent.status_code, 202, silent.text)
        self.assertIn("Sunset", silent.headers)
        event = self.Event.search([("idempotency_key", "=", "dv-1")])
        self.assertEqual(event.schema_version, 1)
        # an envelope naming another version is refused, nothing stored
        other = self.post(dict(self.envelope("dv-2"), schema_version=2))
        self.assertEqual(other.status_code, 422, other.text)
        self.assertEqual(other.json()["code"], "schema_version_mismatch")
        self.assertIn("declared to send version 1", other.json()["detail"])
        self.assertFalse(self.Event.search([("idempotency_key", "=", "dv-2")]))
        # naming the declared one is fine
        named = self.post(dict(self.envelope("dv-3"), schema_version=1))
        self.assertEqual(named.status_code, 202, named.text)

        # declared version 2: an envelope without a version must carry the cost type
        declared.schema_version = 2
        strict = self.post(self.envelope("dv-4"))
        self.assertEqual(strict.status_code, 422, strict.text)
        self.assertEqual(strict.json()["code"], "schema_violation")
        self.assertNotIn("Sunset", strict.headers)
        # only an approved version in use may be declared
        with self.assertRaisesRegex(ValidationError, "has no approved schema version 7"):
            declared.schema_version = 7
