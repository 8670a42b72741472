import base64
import io
import json

import openpyxl

from odoo import Command, fields
from odoo.addons.construction_sync.tests.common import ConstructionCase
from odoo.tests.common import new_test_user

HEADER = ["line_id", "parent_id", "description", "cost_code", "quantity", "unit", "unit_cost"]
HEADER += ["vendor", "product", "alternate", "included", "bid_package"]


def row(line_id, code, quantity, unit, unit_cost, name="", **extra):
    """One line of an estimate file in the order of :data:`HEADER`."""
    values = dict(
        line_id=line_id,
        description=name or line_id,
        cost_code=code,
        quantity=quantity,
        unit=unit,
        unit_cost=unit_cost,
        **extra,
    )
    return [values.get(column, "") for column in HEADER]


# The estimate every test starts from: 9,000 paving + 1,000 striping + 600 traffic control.
BASE_ROWS = [
    row("A1", "", "", "", "", "Paving assembly", bid_package="Paving"),
    row(
        "L1",
        "321216",
        100,
        "t",
        90,
        "Asphalt overlay",
        parent_id="A1",
        vendor="Summit Test Asphalt",
        product="TST-HMA",
        bid_package="Paving",
    ),
    row(
        "L2",
        "32-17-23",
        2000,
        "ft",
        0.5,
        "Striping",
        vendor="Test Striping Co",
        product="TST-STRIPE",
        bid_package="Striping",
    ),
    row("L3", "01 55 26", 10, "Hours", 60, "Traffic control"),
    row(
        "L4", "32 01 13.62", 1000, "ft²", 0.3, "Alternate seal coat", alternate="yes", included="no"
    ),
]


def to_csv(rows, header=None):
    lines = [",".join(header or HEADER)]
    lines += [",".join(str(value) for value in values) for values in rows]
    return ("\n".join(lines) + "\n").encode()


def to_xlsx(rows, header=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(rows, header=None):
    return json.dumps(
        {"lines": [dict(zip(header or HEADER, values, strict=True)) for values in rows]}
    )


def payload_lines(rows):
    """The rows of :data:`HEADER` as the lines of an ``estimate.approved`` payload."""
    lines = []
    for values in rows:
        line = {}
        for column, value in zip(HEADER, values, strict=True):
            if value == "":
                continue
            if column in ("alternate", "included"):
                line[column] = value == "yes"
            elif column in ("quantity", "unit_cost"):
                line[column] = value
            else:
                line[column] = str(value)
        lines.append(line)
    return lines


def estimate_payload(rows=None, external_ref="EST-1", project="Test Mall Parking Lot", **extra):
    return dict(
        {
            "project": project,
            "external_ref": external_ref,
            "name": "Parking lot",
            "lines": payload_lines(BASE_ROWS if rows is None else rows),
        },
        **extra,
    )


class EstimateBridgeCase(ConstructionCase):
    """The suite's users per role, plus a purchase user, a project with its
    analytic account, cost codes, vendors, products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.construction_budget_check = "block"
        cls.currency = cls.company.currency_id
        cls.users["purchase"] = new_test_user(
            cls.env,
            login="bridge_purchase",
            groups="purchase.group_purchase_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.buyer_controller = new_test_user(
            cls.env,
            login="bridge_buyer_controller",
            groups="construction_sync.group_construction_sync_controller,"
            "purchase.group_purchase_user",
        )
        cls.column = cls.plan._column_name()
        cls.code_paving = cls.env.ref("construction_sync.cost_code_32_12_16")
        cls.code_striping = cls.env.ref("construction_sync.cost_code_32_17_23")
        cls.code_traffic = cls.env.ref("construction_sync.cost_code_01_55_26")
        cls.code_seal = cls.env.ref("construction_sync.cost_code_32_01_13_62")
        cls.uom_ton = cls.env.ref("uom.product_uom_ton")
        cls.uom_foot = cls.env.ref("uom.product_uom_foot")
        cls.customer = cls.env["res.partner"].create({"name": "Test Mall Owner"})
        cls.vendor_asphalt, cls.vendor_striping = cls.env["res.partner"].create(
            [{"name": "Summit Test Asphalt"}, {"name": "Test Striping Co"}]
        )
        cls.product_asphalt, cls.product_striping = cls.env["product.product"].create(
            [
                {
                    "name": "Test asphalt",
                    "default_code": "TST-HMA",
                    "type": "consu",
                    "uom_id": cls.uom_ton.id,
                    "uom_po_id": cls.uom_ton.id,
                    "supplier_taxes_id": [Command.clear()],
                    "purchase_method": "purchase",
                },
                {
                    "name": "Test striping",
                    "default_code": "TST-STRIPE",
                    "type": "service",
                    "uom_id": cls.uom_foot.id,
                    "uom_po_id": cls.uom_foot.id,
                    "supplier_taxes_id": [Command.clear()],
                    "purchase_method": "purchase",
                },
            ]
        )
        cls.project = cls.env["project.project"].create(
            {"name": "Test Mall Parking Lot", "partner_id": cls.customer.id}
        )
        cls.project_account = cls.project.account_id
        cls.profile = cls.env["construction.estimate.import.profile"].create(
            {"name": "Test platform", "unit_synonyms": "TN = t\nHR = Hours"}
        )
        cls.Estimate = cls.env["construction.estimate"]
        cls.Wizard = cls.env["construction.estimate.import.wizard"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def make_wizard(cls, content, filename="estimate.csv", external_ref="EST-1", **values):
        if isinstance(content, str):
            content = content.encode()
        return cls.Wizard.create(
            dict(
                {
                    "file": base64.b64encode(content),
                    "filename": filename,
                    "profile_id": cls.profile.id,
                    "project_id": cls.project.id,
                    "partner_id": cls.customer.id,
                    "name": "Parking lot",
                    "external_ref": external_ref,
                },
                **values,
            )
        )

    @classmethod
    def import_estimate(cls, content, filename="estimate.csv", external_ref="EST-1"):
        action = cls.make_wizard(content, filename, external_ref).action_import()
        return cls.Estimate.browse(action["res_id"])

    @classmethod
    def budgeted_estimate(cls, rows=None):
        estimate = cls.import_estimate(to_csv(rows or BASE_ROWS))
        estimate.action_approve()
        estimate.action_create_budget()
        return estimate

    def open_rfq_wizard(self, budget_lines):
        """The Requests for Quotation wizard a buyer opens on ``budget_lines``."""
        return (
            self.env["construction.budget.rfq.wizard"]
            .with_user(self.buyer_controller)
            .with_context(active_model="construction.budget.line", active_ids=budget_lines.ids)
            .create({})
        )

    def distribution(self, cost_code):
        return {f"{self.project_account.id},{cost_code.analytic_account_id.id}": 100}

    def make_po(self, vendor, product, quantity, price, cost_code):
        return self.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": quantity,
                            "price_unit": price,
                            "analytic_distribution": self.distribution(cost_code),
                        }
                    )
                ],
            }
        )

    def bill(self, order, quantity):
        """Post a vendor bill for ``quantity`` of the order's single line."""
        action = order.action_create_invoice()
        bill = self.env["account.move"].browse(action["res_id"])
        bill.write(
            {
                "invoice_date": fields.Date.context_today(bill),
                "invoice_line_ids": [
                    Command.update(bill.invoice_line_ids.id, {"quantity": quantity})
                ],
            }
        )
        bill.action_post()
        return bill

    def budget_line(self, budget, cost_code):
        return budget.line_ids.filtered(lambda line: line.cost_code_id == cost_code)


class EstimateSyncCase(EstimateBridgeCase):
    """An estimating platform with a service user and its API key; the test
    profile is the platform's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service_user = new_test_user(
            cls.env,
            login="bridge_platform_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.system = cls.env["construction.sync.system"].create(
            {
                "name": "Test BidPlatform",
                "code": "bidplatform_test",
                "kind": "estimating",
                "service_user_id": cls.service_user.id,
                "max_attempts": 3,
            }
        )
        cls.profile.system_id = cls.system
        cls.api_key = cls.new_api_key(cls.service_user, "BidPlatform integration")
        cls.env["construction.sync.ownership"].search([]).unlink()
        cls.Event = cls.env["construction.sync.event"]

    def receive(self, event_type, payload, key):
        event, _created = self.Event.sudo()._receive(
            self.system, {"event_type": event_type, "idempotency_key": key, "payload": payload}
        )
        return event
