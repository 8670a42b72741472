import json
import re
import threading

from odoo.addons.construction_sync.controllers.api import API_PREFIX
from odoo.addons.construction_sync.controllers.events import openapi_document
from odoo.addons.construction_sync.lib.openapi import operations
from odoo.addons.construction_sync.lib.problem import ERROR_CODES, EVENT_ERROR_CODES
from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open


@tagged("post_install", "-at_install")
class TestOpenApi(TransactionCase):
    """The served OpenAPI document tells the truth about the API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document = openapi_document(cls.env)

    def routed_operations(self):
        # The routing map is built per database, as the HTTP layer does for
        # the thread serving a request.
        thread = threading.current_thread()
        thread.dbname = self.env.cr.dbname
        try:
            rules = list(self.env["ir.http"].routing_map().iter_rules())
        finally:
            del thread.dbname
        found = set()
        for rule in rules:
            if not rule.rule.startswith(API_PREFIX + "/"):
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(API_PREFIX) :])
            found |= {
                (path, method) for method in rule.methods or () if method not in ("HEAD", "OPTIONS")
            }
        return found

    def test_every_route_is_documented_and_every_documented_route_exists(self):
        routed = self.routed_operations()
        self.assertIn(("/events", "POST"), routed)
        self.assertEqual(routed, operations(self.document))

    def test_error_codes_match_the_code(self):
        schemas = self.document["components"]["schemas"]
        self.assertEqual(set(schemas["Problem"]["properties"]["code"]["enum"]), set(ERROR_CODES))
        event_error = schemas["Event"]["properties"]["error"]["properties"]["code"]["enum"]
        self.assertEqual(set(event_error), set(EVENT_ERROR_CODES))

    def test_references_resolve_and_security_is_declared(self):
        text = json.dumps(self.document)
        components = self.document["components"]
        for section, name in set(re.findall(r'"#/components/(\w+)/(\w+)"', text)):
            with self.subTest(ref=f"{section}/{name}"):
                self.assertIn(name, components[section])
        self.assertIn("bearerAuth", components["securitySchemes"])

    def test_event_type_payload_documented_like_the_data(self):
        with file_open("construction_sync/openapi/openapi.json") as handle:
            documented = json.load(handle)["components"]["schemas"]["CostCodeUpserted"]
        event_type = self.env.ref("construction_sync.event_type_cost_code_upserted")
        self.assertEqual(
            set(documented["properties"]), set(json.loads(event_type.payload_schema)["properties"])
        )

    def test_field_event_payloads_documented_like_the_data(self):
        with file_open("construction_sync/openapi/openapi.json") as handle:
            schemas = json.load(handle)["components"]["schemas"]
        for name, xmlid in (
            ("LaborApproved", "event_type_labor_approved"),
            ("LaborCorrected", "event_type_labor_corrected"),
            ("EquipmentUsageRecorded", "event_type_equipment_usage_recorded"),
            ("MaterialConsumed", "event_type_material_consumed"),
            ("FieldTaskCompleted", "event_type_field_task_completed"),
            ("SubcontractWorkConfirmed", "event_type_subcontract_work_confirmed"),
        ):
            with self.subTest(schema=name):
                data = json.loads(self.env.ref(f"construction_sync.{xmlid}").payload_schema)
                documented = schemas[name]
                self.assertEqual(documented["properties"], data["properties"])
                self.assertEqual(documented["required"], data["required"])
                self.assertIn(
                    self.env.ref(f"construction_sync.{xmlid}").code, documented["description"]
                )
