"""From the estimate to the retainage: a worked example computed by hand.

Contract (markups: material 10 %, subcontract 5 %, labor 20 %; traffic
control has its own 25 %): item 1 traffic control 600 → 750, item 2 paving
9,000 → 9,900, item 3 striping 1,000 → 1,050; 11,700. Retainage 10 % on work
and 5 % on stored materials, 5 % on work once 50 % complete.

Period 1 (to 2026-03-31): the field reports paving 40 % (3,960); the PM
traffic control 50 % (375) and 300 of striping materials stored; a PM's
extra 10 % of paving is rejected, 100 of striping stays unapproved.
G = 375 + 3,960 + 300 = 4,635 (39.62 % complete: 10 %); retainage 37.50 +
396.00 on work, 15.00 on stored = 448.50; earned 4,186.50, due 4,186.50,
balance 11,700 - 4,186.50 = 7,513.50.

Owner change order: paving +1,000 cost (+1,100), seal coat +400 (+480,
item 4): contract sum 13,280.

Period 2 (to 2026-04-30): the field reports paving 70 % of 11,000 = 7,700
(3,740 this period); traffic control 50 % (375); striping 1,000 of 2,000 ft
installed (525) with its stored 300 installed, plus the 100 approved late
(625); seal coat 25 % (120). G = 750 + 7,700 + 625 + 120 = 9,195 (69.24 %:
5 %); retainage 37.50 + 385 + 31.25 + 6 = 459.75; earned 8,735.25, previous
4,186.50, due 4,548.75, balance 13,280 - 8,735.25 = 4,544.75.

Final (to 2026-05-31): paving 30 % (3,300), striping 425, seal coat 75 %
(360): G = 13,280 (100 %: 5 %); retainage 37.50 + 550 + 52.50 + 24 = 664;
earned 12,616, previous 8,735.25, due 3,880.75, balance 664, which the
release invoices.
"""

import re

from odoo import fields
from odoo.addons.construction_sync.tests.common import FieldActualsCase
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import BillingCase

SUMMARY_1 = [
    ("1. Original Contract Sum", "11,700.00"),
    ("2. Net Change by Change Orders", "0.00"),
    ("3. Contract Sum to Date", "11,700.00"),
    ("4. Total Completed and Stored to Date", "4,635.00"),
    ("a. 10% of Completed Work", "433.50"),
    ("b. 5% of Stored Material", "15.00"),
    ("Total Retainage", "448.50"),
    ("6. Total Earned Less Retainage", "4,186.50"),
    ("7. Less Previous Certificates for Payment", "0.00"),
    ("8. Current Payment Due", "4,186.50"),
    ("9. Balance to Finish, Including Retainage", "7,513.50"),
]
SHEET_1 = [
    # C, D, E, F, G, G / C, H, I
    ("1", "750.00 0.00 375.00 0.00 375.00 50.00% 375.00 37.50"),
    ("2", "9,900.00 0.00 3,960.00 0.00 3,960.00 40.00% 5,940.00 396.00"),
    ("3", "1,050.00 0.00 0.00 300.00 300.00 28.57% 750.00 15.00"),
    ("Grand Total", "11,700.00 0.00 4,335.00 300.00 4,635.00 39.62% 7,065.00 448.50"),
]
SUMMARY_2 = [
    ("1. Original Contract Sum", "11,700.00"),
    ("2. Net Change by Change Orders", "1,580.00"),
    ("3. Contract Sum to Date", "13,280.00"),
    ("4. Total Completed and Stored to Date", "9,195.00"),
    ("a. 5% of Completed Work", "459.75"),
    ("b. 5% of Stored Material", "0.00"),
    ("Total Retainage", "459.75"),
    ("6. Total Earned Less Retainage", "8,735.25"),
    ("7. Less Previous Certificates for Payment", "4,186.50"),
    ("8. Current Payment Due", "4,548.75"),
    ("9. Balance to Finish, Including Retainage", "4,544.75"),
]
SHEET_2 = [
    ("1", "750.00 375.00 375.00 0.00 750.00 100.00% 0.00 37.50"),
    ("2", "11,000.00 3,960.00 3,740.00 0.00 7,700.00 70.00% 3,300.00 385.00"),
    ("3", "1,050.00 0.00 625.00 0.00 625.00 59.52% 425.00 31.25"),
    ("4", "480.00 0.00 120.00 0.00 120.00 25.00% 360.00 6.00"),
    ("Grand Total", "13,280.00 4,335.00 4,860.00 0.00 9,195.00 69.24% 4,085.00 459.75"),
]
SUMMARY_3 = [
    ("1. Original Contract Sum", "11,700.00"),
    ("2. Net Change by Change Orders", "1,580.00"),
    ("3. Contract Sum to Date", "13,280.00"),
    ("4. Total Completed and Stored to Date", "13,280.00"),
    ("a. 5% of Completed Work", "664.00"),
    ("b. 5% of Stored Material", "0.00"),
    ("Total Retainage", "664.00"),
    ("6. Total Earned Less Retainage", "12,616.00"),
    ("7. Less Previous Certificates for Payment", "8,735.25"),
    ("8. Current Payment Due", "3,880.75"),
    ("9. Balance to Finish, Including Retainage", "664.00"),
]
SHEET_3 = [
    ("1", "750.00 750.00 0.00 0.00 750.00 100.00% 0.00 37.50"),
    ("2", "11,000.00 7,700.00 3,300.00 0.00 11,000.00 100.00% 0.00 550.00"),
    ("3", "1,050.00 625.00 425.00 0.00 1,050.00 100.00% 0.00 52.50"),
    ("4", "480.00 120.00 360.00 0.00 480.00 100.00% 0.00 24.00"),
    ("Grand Total", "13,280.00 9,195.00 4,085.00 0.00 13,280.00 100.00% 0.00 664.00"),
]


@tagged("post_install", "-at_install")
class TestPayApplicationEndToEnd(HttpCase, FieldActualsCase, BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.task_2 = cls.env["project.task"].create(
            {"name": "Overlay east half", "project_id": cls.project.id}
        )
        cls.bind(cls.task_2, "JOB-100-T2")
        cls.subscriber = cls.env["construction.sync.system"].create(
            {
                "name": "Owner's ERP",
                "code": "owner_erp",
                "kind": "accounting",
                "outbound_url": "http://127.0.0.1:9/events",
                "outbound_event_type_ids": [
                    (
                        6,
                        0,
                        [
                            cls.env.ref(
                                "construction_billing.event_type_pay_application_approved"
                            ).id,
                            cls.env.ref("construction_billing.event_type_invoice_posted").id,
                        ],
                    )
                ],
            }
        )

    # ------------------------------------------------------------------
    # What the people do
    # ------------------------------------------------------------------

    def field_reports(self, task, key, completed_at, percent):
        self.receive_event(
            "field.task.completed",
            key,
            completed_at,
            {"task": task, "completed_at": completed_at, "progress_percent": percent},
        )
        self.apply()

    def approve(self, progress):
        progress.with_user(self.controller).action_approve()

    def client_decides(self, application, decision, reason=""):
        self.authenticate("billing_client", "billing_client")
        page = self.url_open(f"/my/pay_applications/{application.id}")
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/my/pay_applications/{application.id}/decide",
            data={"csrf_token": token, "decision": decision, "reason": reason},
        )

    def assert_pdf(self, application, summary, sheet):
        first, second = self.pdf_pages(application)[:2]
        for label, amount in summary:
            lines = [line for line in first.splitlines() if label in line]
            self.assertEqual(len(lines), 1, f"{label} once on the first page:\n{first}")
            self.assertEqual(lines[0].split()[-1], amount, label)
        for item, figures in sheet:
            rows = [
                line
                for line in second.splitlines()
                if line.split()[:1] == [item] or (item == "Grand Total" and item in line)
            ]
            self.assertEqual(len(rows), 1, f"row {item} once on the second page:\n{second}")
            self.assertEqual(" ".join(rows[0].split()[-8:]), figures, f"row {item}")

    def invoice_lines(self, invoice):
        return [(line.name, line.price_subtotal) for line in invoice.invoice_line_ids]

    # ------------------------------------------------------------------

    def test_estimate_to_retainage_with_every_figure_on_both_pages(self):
        contract = self.make_contract()
        traffic, paving, striping = contract.order_line
        self.task.write({"project_id": self.project.id, "billing_line_id": paving.id})
        self.task_2.billing_line_id = paving

        # Period 1
        self.field_reports("JOB-100-T1", "p1-paving", "2026-03-12T15:45:00-05:00", 40)
        (field_paving,) = paving.construction_progress_ids
        traffic_1 = self.progress(traffic, "2026-03-20", basis="percent", percent=50)
        stored_1 = self.progress(
            striping, "2026-03-25", basis="amount", amount=0, stored_amount=300
        )
        extra = self.progress(paving, "2026-03-28", basis="percent", percent=10)
        late = self.progress(striping, "2026-03-30", basis="amount", amount=100)
        for item in field_paving | traffic_1 | stored_1:
            self.approve(item)
        extra.with_user(self.controller).action_reject()

        Application = self.env["construction.pay.application"].with_user(self.pm)
        first = Application.create({"contract_id": contract.id, "period_to": "2026-03-31"})
        self.assertEqual((first.number, first.state), (1, "draft"))
        with self.assertRaises(ValidationError):
            Application.create({"contract_id": contract.id, "period_to": "2026-04-30"})
        self.assertEqual(first.progress_ids, field_paving | traffic_1 | stored_1)
        self.assertEqual(late.state, "proposed")
        with self.assertRaisesRegex(UserError, "Only a project controller"):
            first.action_certify()
        first.with_user(self.controller).action_certify()

        # The client sees its own application only, and approves it.
        self.authenticate("billing_other_client", "billing_other_client")
        self.assertEqual(self.url_open(f"/my/pay_applications/{first.id}").status_code, 404)
        self.assertNotIn(first.name, self.url_open("/my/pay_applications").text)
        self.assertEqual(first.state, "certified")
        self.client_decides(first, "approve")
        self.assertEqual((first.state, first.client_decision_by), ("approved", self.client.name))
        self.assert_pdf(first, SUMMARY_1, SHEET_1)

        invoice = first.invoice_id
        retention = self.company.construction_retention_account_id
        self.assertEqual(
            self.invoice_lines(invoice),
            [
                (traffic.name, 375.0),
                (paving.name, 3960.0),
                (striping.name, 300.0),
                (f"Retainage held ({first.name})", -448.5),
            ],
        )
        self.assertEqual(invoice.invoice_line_ids[-1].account_id, retention)
        self.assertEqual((invoice.state, invoice.amount_total), ("draft", 4186.5))
        approved = self.env["construction.sync.delivery"].search(
            [("system_id", "=", self.subscriber.id)]
        )
        self.assertEqual(approved.event_type_id.code, "pay_application.approved")
        self.assertIn('"current_payment_due": 4186.5', approved.payload)

        # The accountant posts it; the client pays it.
        invoice.with_user(self.accountant).write({"invoice_date": "2026-04-02"})
        invoice.with_user(self.accountant).action_post()
        posted = (
            self.env["construction.sync.delivery"].search([("system_id", "=", self.subscriber.id)])
            - approved
        )
        self.assertEqual(posted.event_type_id.code, "invoice.posted")
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": "2026-04-15"})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

        # The owner's change order.
        budget_estimate = contract.construction_estimate_id
        budget_estimate.action_create_budget()
        order = self.env["construction.change.order"].create(
            {
                "title": "Extra overlay and seal coat",
                "budget_id": budget_estimate.budget_id.id,
                "source": "client",
                "reason": "Owner asked",
                "contract_id": contract.id,
                "line_ids": [
                    (0, 0, {"cost_code_id": self.code_paving.id, "amount_delta": 1000}),
                    (0, 0, {"cost_code_id": self.code_seal.id, "amount_delta": 400}),
                ],
            }
        )
        order.with_user(self.controller).action_approve()
        seal = contract.order_line - (traffic | paving | striping)

        # Period 2
        self.field_reports("JOB-100-T2", "p2-paving", "2026-04-20T15:45:00-05:00", 70)
        field_paving_2 = paving.construction_progress_ids.filtered(lambda p: p.state == "proposed")
        self.assertEqual(field_paving_2.amount, 3740.0)
        period_2 = (
            field_paving_2
            | self.progress(traffic, "2026-04-10", basis="percent", percent=50)
            | self.progress(
                striping, "2026-04-12", basis="quantity", quantity=1000, stored_amount=-300
            )
            | self.progress(seal, "2026-04-25", basis="percent", percent=25)
            | late
        )
        for item in period_2:
            self.approve(item)
        second = Application.create({"contract_id": contract.id, "period_to": "2026-04-30"})
        self.assertEqual((second.number, second.previous_id), (2, first))
        second.with_user(self.controller).action_certify()
        self.client_decides(second, "approve")
        self.assertEqual(second.state, "approved")
        self.assert_pdf(second, SUMMARY_2, SHEET_2)
        self.assertEqual(
            self.invoice_lines(second.invoice_id),
            [
                (traffic.name, 375.0),
                (paving.name, 3740.0),
                (striping.name, 325.0),
                (seal.name, 120.0),
                (f"Retainage held ({second.name})", -11.25),
            ],
        )
        self.assertEqual(second.invoice_id.amount_total, 4548.75)

        # Final application, then the retainage released with its own approval.
        final = (
            self.progress(paving, "2026-05-20", basis="percent", percent=30)
            | self.progress(striping, "2026-05-21", basis="amount", amount=425)
            | self.progress(seal, "2026-05-22", basis="percent", percent=75)
        )
        for item in final:
            self.approve(item)
        third = Application.create({"contract_id": contract.id, "period_to": "2026-05-31"})
        release = (
            self.env["construction.retainage.release"]
            .with_user(self.pm)
            .create({"contract_id": contract.id})
        )
        with self.assertRaisesRegex(UserError, "open pay application"):
            release.with_user(self.controller).action_approve()
        third.with_user(self.controller).action_certify()
        self.client_decides(third, "approve")
        self.assert_pdf(third, SUMMARY_3, SHEET_3)
        self.assertEqual(
            self.invoice_lines(third.invoice_id),
            [
                (paving.name, 3300.0),
                (striping.name, 425.0),
                (seal.name, 360.0),
                (f"Retainage held ({third.name})", -204.25),
            ],
        )
        self.assertEqual(third.invoice_id.amount_total, 3880.75)
        with self.assertRaisesRegex(UserError, "Only a project controller"):
            release.with_user(self.pm).action_approve()
        release.with_user(self.controller).action_approve()
        self.assertEqual((release.state, release.amount), ("approved", 664.0))
        self.assertEqual(
            [
                (line.account_id, line.price_subtotal)
                for line in release.invoice_id.invoice_line_ids
            ],
            [(retention, 664.0)],
        )
        self.assertEqual(fields.Date.to_string(third.period_to), "2026-05-31")

    def test_client_rejects_with_a_reason_and_the_pm_redoes_it(self):
        contract = self.make_contract()
        item = self.progress(contract.order_line[0], "2026-03-20", basis="percent", percent=50)
        self.approve(item)
        application = (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": contract.id, "period_to": "2026-03-31"})
        )
        application.with_user(self.controller).action_certify()
        self.assertIn("Say why", self.client_decides(application, "reject").text)
        self.client_decides(application, "reject", reason="Traffic control was 40 %")
        self.assertEqual(
            (application.state, application.client_reject_reason, application.invoice_id),
            ("rejected", "Traffic control was 40 %", self.env["account.move"]),
        )
        application.with_user(self.pm).action_reset_to_draft()
        self.assertEqual(application.state, "draft")
