import json

from odoo.addons.construction_sync.controllers.events import openapi_document
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSamsaraEventType(TransactionCase):
    def test_the_anomaly_payload_is_documented_like_the_data(self):
        event_type = self.env.ref("construction_samsara.event_type_equipment_usage_anomaly")
        data = json.loads(event_type.payload_schema)
        documented = openapi_document(self.env)["components"]["schemas"]["EquipmentUsageAnomaly"]
        self.assertEqual(documented["properties"], data["properties"])
        self.assertEqual(documented["required"], data["required"])
        self.assertIn(event_type.code, documented["description"])
        self.assertEqual(
            (event_type.direction, event_type._handler().model),
            ("inbound", "construction.samsara.asset"),
        )
