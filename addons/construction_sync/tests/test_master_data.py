import json

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SyncCase


@tagged("post_install", "-at_install")
class TestMasterData(SyncCase):
    """Customers, vendors, projects, employees and equipment come in as
    ``<kind>.upserted`` under system-of-record ownership, matched by binding
    then natural key, and go out to the subscribed systems."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ledger, _key = cls.new_platform("ledger_test", "accounting")
        cls.portal, _key = cls.new_platform("buyportal_test", "procurement")
        cls.crews, _key = cls.new_platform("crews_test", "timekeeping")
        codes = (
            "customer.upserted",
            "vendor.upserted",
            "project.upserted",
            "employee.upserted",
            "equipment.upserted",
        )
        for system in (cls.ledger, cls.portal, cls.crews):
            cls.grant(system, *codes)
        # the ledger is the system of record of partners
        cls.env["construction.sync.ownership"].create(
            {
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "system_id": cls.ledger.id,
                "note": "accounting owns customers and vendors",
            }
        )
        # the field app and the ledger itself hear of vendors changed in Odoo
        vendor_out = cls.env.ref("construction_sync.event_type_vendor_upserted_out")
        cls.field_app = cls.System.create(
            {
                "name": "Field app",
                "code": "field_app_master_test",
                "kind": "field_evidence",
                "outbound_url": "http://127.0.0.1:9/hooks",
                "outbound_event_type_ids": [(6, 0, vendor_out.ids)],
            }
        )
        cls.ledger.write(
            {
                "outbound_url": "http://127.0.0.1:9/ledger",
                "outbound_event_type_ids": [(6, 0, vendor_out.ids)],
            }
        )
        cls.Partner = cls.env["res.partner"]
        cls.summit = cls.Partner.create(
            {
                "name": "Summit Asphalt",
                "vat": "US 12-345",
                "is_company": True,
                "company_id": cls.company.id,
            }
        )

    def send(self, system, code, key, **payload):
        with trap_jobs() as trap:
            event, _created = self.Event.sudo()._receive(
                system, {"event_type": code, "idempotency_key": key, "payload": payload}
            )
            trap.perform_enqueued_jobs()
        return event

    def deliveries(self, code):
        return self.env["construction.sync.delivery"].search(
            [("event_type_id.code", "=", code), ("event_type_id.direction", "=", "outbound")]
        )

    def test_the_owner_s_vendor_matches_by_vat_then_by_binding_and_goes_out(self):
        partners = self.Partner.search_count([])
        event = self.send(
            self.ledger,
            "vendor.upserted",
            "v-1",
            external_id="V-100",
            name="Summit Asphalt Inc.",
            vat="us12345",
            email="ap@summit.example",
        )
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(event.link_ids.res_id, self.summit.id)
        self.assertEqual(
            (self.summit.name, self.summit.email, self.summit.supplier_rank),
            ("Summit Asphalt Inc.", "ap@summit.example", 1),
        )
        # then by its binding, whatever the VAT number says
        again = self.send(
            self.ledger, "vendor.upserted", "v-2", external_id="V-100", name="Summit Paving"
        )
        self.assertEqual(again.state, "done", again.error_message)
        self.assertEqual(self.summit.name, "Summit Paving")
        self.assertEqual(self.Partner.search_count([]), partners, "nothing created")
        # the field app hears of it, the ledger (where it came from) does not
        sent = self.deliveries("vendor.upserted")
        self.assertEqual(sent.system_id, self.field_app)
        self.assertEqual(json.loads(sent[0].payload)["name"], "Summit Paving")
        # a change made in Odoo goes to both
        self.summit.phone = "+1 555 0100"
        self.assertEqual(self.deliveries("vendor.upserted").system_id, self.field_app | self.ledger)

    def test_a_vendor_upserted_from_a_non_owner_goes_to_review(self):
        event = self.send(
            self.portal,
            "vendor.upserted",
            "p-1",
            external_id="SUP-9",
            name="Summit (portal)",
            vat="US12345",
        )
        self.assertEqual((event.state, event.error_code), ("needs_review", "ownership_review"))
        self.assertIn("owned by ledger_test", event.error_message)
        self.assertEqual(self.summit.name, "Summit Asphalt")
        self.assertFalse(self.Partner.search([("name", "=", "Summit (portal)")]))

    def test_a_sync_manager_accepts_a_non_owner_s_write_in_one_click(self):
        event = self.send(
            self.portal,
            "vendor.upserted",
            "p-2",
            external_id="SUP-10",
            name="Summit (portal)",
            vat="US12345",
        )
        self.assertEqual(event.error_code, "ownership_review")
        for role in ("controller", "reviewer"):
            with self.assertRaises(AccessError, msg=role):
                event.with_user(self.users[role]).action_accept_foreign_write()
        self.assertEqual(self.summit.name, "Summit Asphalt")

        manager = self.users["sync_manager"]
        with trap_jobs() as trap:
            event.with_user(manager).action_accept_foreign_write()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(
            (event.review_decision, event.reviewed_by_id), ("accepted", manager), "who accepted"
        )
        # applied by the same handler: matched by VAT, bound, linked
        self.assertEqual(self.summit.name, "Summit (portal)")
        self.assertEqual(event.link_ids.res_id, self.summit.id)
        # the next write of the portal goes to review again
        again = self.send(self.portal, "vendor.upserted", "p-3", external_id="SUP-10", name="X")
        self.assertEqual((again.state, again.error_code), ("needs_review", "ownership_review"))
        with self.assertRaises(UserError):
            event.with_user(manager).action_accept_foreign_write()

    def test_a_rejected_non_owner_write_changes_nothing_and_says_who_refused_it(self):
        event = self.send(
            self.portal,
            "vendor.upserted",
            "p-4",
            external_id="SUP-11",
            name="Summit (portal)",
            vat="US12345",
        )
        with self.assertRaises(AccessError):
            event.with_user(self.users["controller"]).action_reject_foreign_write()
        manager = self.users["sync_manager"]
        event.with_user(manager).action_reject_foreign_write()
        self.assertEqual(
            (event.state, event.error_code, event.review_decision, event.reviewed_by_id),
            ("done", "ownership_rejected", "rejected", manager),
        )
        self.assertIn(manager.name, event.error_message)
        self.assertEqual(self.summit.name, "Summit Asphalt")
        self.assertFalse(self.Partner.search([("name", "=", "Summit (portal)")]))
        self.assertFalse(event.link_ids)

    def test_duplicates_are_proposed_for_merge_rather_than_created(self):
        twins = self.Partner.create(
            [
                {"name": "Kerb & Co", "email": "office@kerb.example", "is_company": True},
                {"name": "Kerb and Co", "email": "Office@Kerb.example", "is_company": True},
            ]
        )
        event = self.send(
            self.ledger,
            "customer.upserted",
            "c-1",
            external_id="C-7",
            name="Kerb & Co",
            email="office@kerb.example",
        )
        self.assertEqual((event.state, event.error_code), ("needs_review", "duplicate"))
        for twin in twins:
            self.assertIn(f"#{twin.id}", event.error_message)
        self.assertIn("Merge them", event.error_message)
        self.assertEqual(self.Partner.search_count([("email", "=ilike", "office@kerb.example")]), 2)

    def test_employees_match_on_badge_and_equipment_on_serial_else_are_created(self):
        worker = self.env["hr.employee"].create({"name": "M. Lopez", "barcode": "B0042"})
        roller = self.env["maintenance.equipment"].create(
            {"name": "Roller", "serial_no": "SN-77", "company_id": self.company.id}
        )
        first = self.send(
            self.crews,
            "employee.upserted",
            "e-1",
            external_id="EMP-42",
            name="Maria Lopez",
            badge="B0042",
            job_title="Foreman",
        )
        self.assertEqual(first.state, "done", first.error_message)
        self.assertEqual((worker.name, worker.job_title), ("Maria Lopez", "Foreman"))
        machine = self.send(
            self.crews,
            "equipment.upserted",
            "q-1",
            external_id="EQ-1",
            name="Roller CB2.7",
            serial="SN-77",
        )
        self.assertEqual(machine.state, "done", machine.error_message)
        self.assertEqual(roller.name, "Roller CB2.7")
        new = self.send(
            self.crews,
            "equipment.upserted",
            "q-2",
            external_id="EQ-2",
            name="Paver",
            serial="SN-78",
        )
        paver = self.env["maintenance.equipment"].browse(new.link_ids.res_id)
        self.assertEqual(
            (paver.name, paver.serial_no, paver.company_id), ("Paver", "SN-78", self.company)
        )

    def test_a_project_takes_its_customer_by_the_system_s_reference(self):
        self.send(
            self.ledger,
            "customer.upserted",
            "c-2",
            external_id="C-8",
            name="Mall Owner LLC",
            vat="US99",
        )
        event = self.send(
            self.ledger,
            "project.upserted",
            "j-1",
            external_id="J-2026-1",
            name="Mall lot",
            customer="C-8",
        )
        self.assertEqual(event.state, "done", event.error_message)
        project = self.env["project.project"].browse(event.link_ids.res_id)
        self.assertEqual((project.name, project.partner_id.vat), ("Mall lot", "US99"))
        self.assertEqual(project.partner_id.customer_rank, 1)
