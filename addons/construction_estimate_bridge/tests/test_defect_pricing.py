import base64
import json

from odoo import Command
from odoo.addons.construction_field_evidence.lib.tests.images import make_image
from odoo.exceptions import UserError

from .common import BASE_ROWS, EstimateBridgeCase, to_csv


class TestDefectPricing(EstimateBridgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.square_foot = cls.env.ref("uom.uom_square_foot")
        cls.square_meter = cls.env.ref("uom.uom_square_meter")
        cls.patch = cls.env["product.product"].create(
            {
                "name": "Pothole patch",
                "default_code": "TST-PATCH",
                "type": "service",
                "uom_id": cls.square_meter.id,
                "uom_po_id": cls.square_meter.id,
                "standard_price": 40.0,
            }
        )
        cls.category = cls.env.ref("construction_field_evidence.defect_category_pothole")
        cls.category.write({"product_id": cls.patch.id, "cost_code_id": cls.code_seal.id})
        cls.site_north, cls.site_south = cls.env["construction.site"].create(
            [
                {"name": "North lot", "project_id": cls.project.id},
                {"name": "South lot", "project_id": cls.project.id},
            ]
        )
        cls.photo = cls.env["construction.photo"].create(
            {
                "name": "Pothole 1",
                "site_id": cls.site_north.id,
                "image": base64.b64encode(make_image()),
            }
        )
        cls.estimate = cls.import_estimate(to_csv(BASE_ROWS))

    def defect(self, site, quantity, uom, confirm=True, **values):
        defect = self.env["construction.defect"].create(
            dict(
                {
                    "site_id": site.id,
                    "category_id": self.category.id,
                    "quantity": quantity,
                    "uom_id": uom.id,
                },
                **values,
            )
        )
        if confirm:
            defect.action_confirm()
        return defect

    def wizard(self, defects=None, **context):
        Wizard = self.env["construction.defect.pricing.wizard"].with_context(**context)
        values = {"estimate_id": self.estimate.id}
        if defects is not None:
            values["defect_ids"] = [Command.set(defects.ids)]
        return Wizard.create(values)

    def defect_lines(self):
        return self.estimate.line_ids.filtered("defect_ids")

    def test_confirmed_defects_become_priced_lines_per_site_and_category(self):
        north_1 = self.defect(self.site_north, 10, self.square_foot)
        north_1.photo_ids = self.photo
        north_2 = self.defect(self.site_north, 2, self.square_meter)
        south = self.defect(self.site_south, 50, self.square_foot)
        before = self.estimate.amount_total
        self.wizard(north_1 | north_2 | south).action_price()
        lines = self.defect_lines()
        self.assertEqual(len(lines), 2)
        north = lines.filtered(lambda line: line.defect_ids == north_1 | north_2)
        self.assertEqual(
            (north.product_id, north.uom_id, north.cost_code_id, north.unit_cost),
            (self.patch, self.square_meter, self.code_seal, 40.0),
        )
        # 10 ft² is 0.93 m², plus 2 m²
        self.assertAlmostEqual(north.quantity, 2.93, places=2)
        self.assertEqual(north.photo_ids, self.photo)
        self.assertIn("North lot", north.name)
        south_line = lines - north
        self.assertAlmostEqual(south_line.quantity, 4.65, places=2)
        self.assertEqual(set((north_1 | north_2 | south).mapped("state")), {"estimated"})
        self.assertAlmostEqual(
            self.estimate.amount_total, before + north.amount + south_line.amount
        )

    def test_a_priced_line_names_the_field_requests_behind_it(self):
        system = self.env["construction.sync.system"].create(
            {"name": "FieldCam pricing", "code": "fieldcam_pricing", "kind": "field_evidence"}
        )
        Event = self.env["construction.sync.event"].sudo()
        reported, unreported = (
            self.defect(self.site_north, 1, self.square_meter),
            self.defect(self.site_south, 1, self.square_meter),
        )
        reported.photo_ids = self.photo
        Event._record_applied(system, "photo.captured", "photo:1", {}, self.photo, "walk-1")
        Event._record_applied(system, "defect.detected", "obs:1", {}, reported, "walk-1")
        Event._record_applied(system, "defect.detected", "obs:2", {}, unreported, "walk-2")
        self.wizard(reported | unreported).action_price()
        north = self.defect_lines().filtered(lambda line: line.defect_ids == reported)
        self.assertEqual(north.field_correlation, "walk-1")
        self.assertEqual(reported.estimate_line_ids, north)
        Line = self.env["construction.estimate.line"].with_user(self.users["estimator"])
        self.assertEqual(Line.search([("field_correlation", "=", "walk-1")]), north)
        self.assertEqual(Line.search([("field_correlation", "ilike", "walk")]), self.defect_lines())
        with self.assertRaisesRegex(UserError, "Search the field correlation"):
            Line.search([("field_correlation", "!=", "walk-1")])

    def test_the_priced_line_carries_its_boxes_as_text_for_tools_without_markup(self):
        first = self.defect(self.site_north, 1, self.square_meter, confidence=0.91)
        second = self.defect(self.site_north, 2, self.square_meter)
        Annotation = self.env["construction.defect.annotation"]
        Annotation.create(
            [
                {
                    "defect_id": first.id,
                    "photo_id": self.photo.id,
                    "x": 0.12,
                    "y": 0.3,
                    "width": 0.25,
                    "height": 0.2,
                },
                {
                    "defect_id": second.id,
                    "photo_id": self.photo.id,
                    "x": 0.5,
                    "y": 0.5,
                    "width": 0.4,
                    "height": 0.45,
                    "confidence": 0.77,
                },
            ]
        )
        self.wizard(first | second).action_price()
        line = self.defect_lines()
        self.assertEqual(
            line.notes.splitlines(),
            [
                f"Pothole 0.91, photo #{self.photo.id}, box 0.120,0.300,0.250,0.200",
                f"Pothole 0.77, photo #{self.photo.id}, box 0.500,0.500,0.400,0.450",
            ],
        )

    def test_later_defects_update_the_same_line(self):
        first = self.defect(self.site_north, 1, self.square_meter)
        self.wizard(first).action_price()
        second = self.defect(self.site_north, 3, self.square_meter)
        self.wizard(second).action_price()
        line = self.defect_lines()
        self.assertEqual(len(line), 1)
        self.assertEqual(line.defect_ids, first | second)
        self.assertAlmostEqual(line.quantity, 4)
        self.assertAlmostEqual(line.amount, 160)

    def test_unconfirmed_defects_are_refused_with_the_reason(self):
        confirmed = self.defect(self.site_north, 1, self.square_meter)
        waiting = self.defect(self.site_north, 1, self.square_meter, confirm=False)
        wizard = self.wizard(confirmed | waiting)
        self.assertIn(f"{waiting.name}: it is New", wizard.refused_reasons)
        with self.assertRaisesRegex(UserError, "only confirmed defects are priced"):
            wizard.action_price()
        self.assertFalse(self.defect_lines())
        self.assertEqual(confirmed.state, "confirmed")

        rejected = self.defect(self.site_north, 1, self.square_meter)
        rejected.action_reject("duplicate photo")
        with self.assertRaisesRegex(UserError, "it is Rejected"):
            self.wizard(rejected).action_price()

    def test_a_category_without_product_is_refused(self):
        defect = self.defect(self.site_north, 1, self.square_meter)
        self.category.product_id = False
        with self.assertRaisesRegex(UserError, "has no pricing product"):
            self.wizard(defect).action_price()

    def test_price_a_whole_site(self):
        north = self.defect(self.site_north, 1, self.square_meter)
        self.defect(self.site_north, 5, self.square_meter, confirm=False)
        self.defect(self.site_south, 1, self.square_meter)
        wizard = self.wizard(active_model="construction.site", active_id=self.site_north.id)
        self.assertEqual(wizard.site_id, self.site_north)
        self.assertEqual(wizard.defect_ids, north)
        wizard.action_price()
        self.assertEqual(self.defect_lines().defect_ids, north)

    def test_an_estimator_prices_defects(self):
        defect = self.defect(self.site_north, 2, self.square_meter)
        estimator = self.users["estimator"]
        wizard = (
            self.env["construction.defect.pricing.wizard"]
            .with_user(estimator)
            .with_context(active_model="construction.defect", active_ids=defect.ids)
            .create({"estimate_id": self.estimate.id})
        )
        self.assertEqual(wizard.defect_ids, defect)
        wizard.action_price()
        self.assertEqual(defect.state, "estimated")
        self.assertAlmostEqual(self.defect_lines().amount, 80)

    def test_pricing_from_a_site_proposes_its_estimate_and_the_products_vendor(self):
        self.patch.seller_ids = [Command.create({"partner_id": self.vendor_asphalt.id})]
        defect = self.defect(self.site_north, 10, self.square_meter)
        Wizard = self.env["construction.defect.pricing.wizard"].with_user(self.users["estimator"])
        from_site = Wizard.with_context(
            active_model="construction.site", active_id=self.site_north.id
        )
        # the project's one draft estimate is proposed
        self.assertEqual(from_site.default_get(["estimate_id"])["estimate_id"], self.estimate.id)
        # a second draft of the project: the person chooses
        self.import_estimate(to_csv(BASE_ROWS), external_ref="EST-2")
        self.assertFalse(from_site.default_get(["estimate_id"]).get("estimate_id"))
        self.wizard(defect).action_price()
        self.assertEqual(self.defect_lines().vendor_id, self.vendor_asphalt)

    def test_priced_lines_group_and_order_by_area(self):
        Area = self.env["construction.site.area"]

        def square(west, name, sequence):
            ring = [
                [west, 41.88],
                [west + 0.0005, 41.88],
                [west + 0.0005, 41.8805],
                [west, 41.8805],
            ]
            return Area.create(
                {
                    "name": name,
                    "sequence": sequence,
                    "site_id": self.site_north.id,
                    "outline_geojson": json.dumps(
                        {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
                    ),
                }
            )

        # drawn in this order, but the office puts the entrance first
        dock, entrance = square(-87.631, "Loading Dock", 20), square(-87.630, "Entrance", 10)
        in_dock = {"latitude": 41.8802, "longitude": -87.6308}
        in_entrance = {"latitude": 41.8802, "longitude": -87.6298}
        dock_1 = self.defect(self.site_north, 10, self.square_meter, **in_dock)
        dock_2 = self.defect(self.site_north, 5, self.square_meter, **in_dock)
        entrance_1 = self.defect(self.site_north, 3, self.square_meter, **in_entrance)
        nowhere = self.defect(self.site_north, 1, self.square_meter)
        self.assertEqual(
            (dock_1.area_id, entrance_1.area_id, nowhere.area_id.id), (dock, entrance, False)
        )
        self.wizard(dock_1 | dock_2 | entrance_1 | nowhere).action_price()
        lines = self.defect_lines().sorted("sequence")
        self.assertEqual(
            [(line.area_id, line.defect_ids, line.quantity) for line in lines],
            [
                (entrance, entrance_1, 3.0),
                (dock, dock_1 | dock_2, 15.0),
                (Area, nowhere, 1.0),
            ],
        )
        self.assertIn("North lot, Entrance", lines[0].name)
        # the estimator's view groups them by area
        groups = self.env["construction.estimate.line"]._read_group(
            [("id", "in", lines.ids)], ["area_id"], ["quantity:sum"]
        )
        self.assertEqual(dict(groups), {entrance: 3.0, dock: 15.0, Area: 1.0})
