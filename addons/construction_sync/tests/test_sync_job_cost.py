from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldActualsCase

T1 = "2026-03-10T17:00:00+00:00"
T2 = "2026-03-11T17:00:00+00:00"


@tagged("post_install", "-at_install")
class TestSyncJobCost(FieldActualsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.excavator = cls.env["maintenance.equipment"].create(
            {
                "name": "Excavator CAT 320",
                "serial_no": "CAT0320-77",
                "construction_meter_hours": 1200.0,
                "construction_rate_ids": [
                    (0, 0, {"date_from": "2026-01-01", "hourly_rate": 80.0}),
                    (0, 0, {"date_from": "2026-07-01", "hourly_rate": 95.0}),
                ],
            }
        )
        cls.bind(cls.excavator, "EQ-320")
        cls.asphalt = cls.env["product.product"].create(
            {
                "name": "Hot-mix asphalt",
                "default_code": "HMA-12",
                "type": "consu",
                "uom_id": cls.ton.id,
                "uom_po_id": cls.ton.id,
                "standard_price": 90.0,
            }
        )
        cls.Equipment = cls.env["maintenance.equipment"]

    def usage(self, key, occurred_at=T1, **payload):
        payload = dict(
            {
                "source_entry_id": f"U-{key}",
                "equipment": "EQ-320",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "date": "2026-03-10",
            },
            **payload,
        )
        if "meter_reading" not in payload:
            payload.setdefault("hours", 5)
        return self.receive_event("equipment.usage.recorded", key, occurred_at, payload)

    def consumed(self, key, occurred_at=T1, **payload):
        payload = dict(
            {
                "source_entry_id": f"M-{key}",
                "product": "HMA-12",
                "quantity": 2000,
                "unit": "kg",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "date": "2026-03-10",
            },
            **payload,
        )
        return self.receive_event("material.consumed", key, occurred_at, payload)

    def cost_by_code(self):
        return dict(
            self.Line._read_group(
                [(self.column, "=", self.cost_code.analytic_account_id.id)],
                [self.column],
                ["amount:sum"],
            )
        ).get(self.cost_code.analytic_account_id, 0.0)

    # Equipment ----------------------------------------------------------

    def test_usage_costs_the_rate_in_force_on_the_day(self):
        march = self.usage("eq-1")
        july = self.usage("eq-2", date="2026-07-02", hours=2)
        self.apply()
        self.assertEqual((march.state, july.state), ("done", "done"))
        march_line = self.entry_lines("U-eq-1")
        self.assertEqual(
            (march_line.unit_amount, march_line.amount, march_line.construction_equipment_id),
            (5.0, -400.0, self.excavator),
        )
        self.assertEqual(march_line.account_id, self.project.account_id)
        self.assertEqual(march_line[self.column], self.cost_code.analytic_account_id)
        self.assertFalse(march_line.project_id, "a job cost line, not a timesheet")
        self.assertEqual(self.entry_lines("U-eq-2").amount, -190.0)
        self.assertEqual(self.cost_by_code(), -590.0)
        self.assertEqual(march.link_ids.correlation_id, "corr-eq-1")

    def test_meter_readings_move_forward_and_a_lower_one_is_refused(self):
        first = self.usage("eq-3", meter_reading=1207.5)
        self.apply()
        self.assertEqual(first.state, "done")
        self.assertEqual(self.entry_lines("U-eq-3").unit_amount, 7.5)
        self.assertEqual(self.entry_lines("U-eq-3").construction_meter_reading, 1207.5)
        self.assertEqual(self.excavator.construction_meter_hours, 1207.5)
        lower = self.usage("eq-4", occurred_at=T2, meter_reading=1190)
        self.apply()
        self.assertEqual((lower.state, lower.error_code), ("needs_review", "business_rule"))
        self.assertIn("lower than the last recorded 1207.5 h", lower.error_message)
        self.assertFalse(self.entry_lines("U-eq-4"))
        self.assertEqual(self.excavator.construction_meter_hours, 1207.5)

    def test_usage_resend_books_once_and_other_figures_are_refused(self):
        self.usage("eq-5")
        self.apply()
        resend = self.receive_event(
            "equipment.usage.recorded",
            "eq-5-again",
            T1,
            {
                "source_entry_id": "U-eq-5",
                "equipment": "EQ-320",
                "project": "JOB-100",
                "cost_code": "31 23 16.26",
                "date": "2026-03-10",
                "hours": 5,
            },
        )
        changed = self.usage("eq-5-changed", occurred_at=T2, source_entry_id="U-eq-5", hours=9)
        self.apply()
        self.assertEqual(resend.state, "done")
        self.assertEqual(resend.link_ids.res_id, self.entry_lines("U-eq-5").id)
        self.assertEqual(changed.error_code, "business_rule")
        self.assertIn("already booked", changed.error_message)
        self.assertEqual(len(self.entry_lines("U-eq-5")), 1)

    def test_unknown_equipment_serial_number_and_missing_rate(self):
        unknown = self.usage("eq-6", equipment="EQ-999")
        by_serial = self.usage("eq-7", equipment="CAT0320-77")
        before_rates = self.usage("eq-8", date="2025-12-31")
        self.apply()
        self.assertEqual(unknown.error_code, "unknown_reference")
        self.assertIn("'EQ-999'", unknown.error_message)
        self.assertEqual(by_serial.state, "done")
        self.assertEqual(before_rates.error_code, "business_rule")
        self.assertIn("no hourly rate in force on 2025-12-31", before_rates.error_message)

    def test_usage_in_a_locked_period_is_not_posted(self):
        self.company.fiscalyear_lock_date = "2025-06-30"
        event = self.usage("eq-9", meter_reading=1210, date="2025-06-10")
        self.apply()
        self.assertEqual(event.error_code, "business_rule")
        self.assertIn("locked accounting period", event.error_message)
        self.assertFalse(self.entry_lines("U-eq-9"))
        self.assertEqual(self.excavator.construction_meter_hours, 1200.0, "meter untouched")

    def test_rates_follow_the_roles(self):
        rate = self.excavator.construction_rate_ids[:1]
        # A platform's key reads no rate: its service user is no employee.
        with self.assertRaises(AccessError):
            rate.with_user(self.service_user).read(["hourly_rate"])
        self.assertTrue(rate.with_user(self.users["user"]).read(["hourly_rate"]))
        with self.assertRaises(AccessError):
            rate.with_user(self.users["user"]).write({"hourly_rate": 1.0})
        rate.with_user(self.users["controller"]).write({"hourly_rate": 82.0})
        self.assertEqual(rate.hourly_rate, 82.0)

    # Material ---------------------------------------------------------

    def test_material_costs_the_product_cost_in_the_field_unit(self):
        event = self.consumed("m-1")
        self.apply()
        self.assertEqual(event.state, "done")
        line = self.entry_lines("M-m-1")
        self.assertEqual((line.unit_amount, line.product_uom_id.name), (2000.0, "kg"))
        self.assertAlmostEqual(line.amount, -180.0, msg="2 t at 90 a ton")
        self.assertEqual(
            (line.product_id, line.account_id), (self.asphalt, self.project.account_id)
        )
        self.assertEqual(self.cost_by_code(), -180.0)

    def test_stocked_material_leaves_the_warehouse(self):
        self.asphalt.is_storable = True
        stock = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        quants = self.env["stock.quant"]
        before = quants._get_available_quantity(
            self.asphalt, stock.lot_stock_id, allow_negative=True
        )
        event = self.consumed("m-9")
        self.apply()
        self.assertEqual(event.state, "done")
        move = self.env["stock.move"].search([("origin", "=", event.display_name)])
        self.assertEqual((move.state, move.product_uom_qty), ("done", 2000.0))
        after = quants._get_available_quantity(
            self.asphalt, stock.lot_stock_id, allow_negative=True
        )
        self.assertAlmostEqual(before - after, 2.0, msg="2,000 kg of a product stocked in tons")
        self.assertEqual(move.location_dest_id.usage, "production")
        self.assertIn(
            move,
            self.env["stock.move"].browse(
                event.link_ids.filtered(lambda link: link.res_model == "stock.move").mapped(
                    "res_id"
                )
            ),
        )
        self.assertAlmostEqual(self.entry_lines("M-m-9").amount, -180.0, msg="cost line too")

    def test_material_units_and_products_are_mapped(self):
        self.env["construction.sync.value.map"].create(
            [
                {
                    "system_id": self.system.id,
                    "kind": "uom",
                    "external_value": "TNS",
                    "internal_reference": f"uom.uom,{self.ton.id}",
                },
                {
                    "system_id": self.system.id,
                    "kind": "product",
                    "external_value": "ASPHALT-SURFACE",
                    "internal_reference": f"product.product,{self.asphalt.id}",
                },
            ]
        )
        mapped = self.consumed("m-2", product="ASPHALT-SURFACE", quantity=3, unit="TNS")
        unknown_product = self.consumed("m-3", product="GRAVEL-57")
        wrong_unit = self.consumed("m-4", unit="Hours")
        self.apply()
        self.assertEqual(mapped.state, "done")
        self.assertAlmostEqual(self.entry_lines("M-m-2").amount, -270.0)
        self.assertEqual(unknown_product.error_code, "unknown_reference")
        self.assertIn("/payload/product", unknown_product.error_message)
        self.assertEqual(wrong_unit.error_code, "business_rule")
        self.assertIn("cannot be converted", wrong_unit.error_message)

    def test_material_resend_and_locked_period(self):
        first = self.consumed("m-5")
        self.apply()
        resend = self.consumed("m-5-again", source_entry_id="M-m-5")
        self.assertEqual(resend.payload_hash, first.payload_hash)
        self.company.fiscalyear_lock_date = "2025-06-30"
        locked = self.consumed("m-6", date="2025-06-10")
        self.apply()
        self.assertEqual(resend.state, "done", "a resend answers with the booked line")
        self.assertEqual(resend.link_ids.res_id, self.entry_lines("M-m-5").id)
        self.assertEqual(len(self.entry_lines("M-m-5")), 1)
        self.assertEqual(locked.error_code, "business_rule")
        self.assertIn("locked accounting period", locked.error_message)

    def test_an_older_usage_or_consumption_arriving_late_is_skipped(self):
        self.usage("eq-10", occurred_at=T2, source_entry_id="U-10", hours=4)
        self.consumed("m-10", occurred_at=T2, source_entry_id="M-10", quantity=1000)
        self.apply()
        late_usage = self.usage("eq-10-old", occurred_at=T1, source_entry_id="U-10", hours=9)
        late_material = self.consumed("m-10-old", occurred_at=T1, source_entry_id="M-10")
        self.apply()
        for event in (late_usage, late_material):
            self.assertEqual((event.state, event.error_code), ("done", "out_of_order"))
        self.assertEqual(self.entry_lines("U-10").unit_amount, 4.0)
        self.assertEqual(self.entry_lines("M-10").unit_amount, 1000.0)

    def test_service_user_cannot_book_job_cost_directly(self):
        with self.assertRaises(AccessError):
            self.Line.with_user(self.service_user).create(
                {"name": "direct", "account_id": self.project.account_id.id, "amount": -10}
            )
        with self.assertRaises(AccessError):
            self.excavator.with_user(self.service_user).write({"construction_meter_hours": 0})
