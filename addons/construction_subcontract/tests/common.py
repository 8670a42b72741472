import base64
import json
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.addons.construction_estimate_bridge.tests.common import EstimateBridgeCase
from odoo.tests.common import new_test_user

PDF = base64.b64encode(b"%PDF-1.4 test certificate")


class SubcontractCase(EstimateBridgeCase):
    """A budgeted estimate (paving 9,000, striping 1,000, traffic control
    600), a subcontractor company with a portal user, the accounts of
    retainage and back charges, and helpers to walk a subcontract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.estimate = cls.budgeted_estimate()
        cls.budget = cls.estimate.budget_id
        cls.budget.action_approve()
        lines = cls.budget.line_ids
        cls.paving = lines.filtered(lambda line: line.cost_code_id == cls.code_paving)
        cls.traffic = lines.filtered(lambda line: line.cost_code_id == cls.code_traffic)
        Account = cls.env["account.account"]
        cls.retainage_account = Account.create(
            {"name": "Retainage payable", "code": "219001", "account_type": "liability_current"}
        )
        cls.back_charge_account = Account.create(
            {"name": "Back charges recovered", "code": "519001", "account_type": "expense"}
        )
        cls.company.write(
            {
                "construction_retainage_payable_account_id": cls.retainage_account.id,
                "construction_back_charge_account_id": cls.back_charge_account.id,
                "construction_subcontract_retainage_percent": 10.0,
            }
        )
        cls.subcontractor = cls.env["res.partner"].create(
            {"name": "Test Paving Subs Inc", "is_company": True}
        )
        cls.other_subcontractor = cls.env["res.partner"].create(
            {"name": "Other Test Subs LLC", "is_company": True}
        )
        cls.sub_user = new_test_user(
            cls.env, login="subk_portal", groups="base.group_portal", name="Sam Sub"
        )
        cls.sub_user.partner_id.parent_id = cls.subcontractor
        cls.other_sub_user = new_test_user(
            cls.env, login="subk_portal_other", groups="base.group_portal", name="Olga Other"
        )
        cls.other_sub_user.partner_id.parent_id = cls.other_subcontractor
        cls.buyer_controller.company_ids = [Command.link(cls.company.id)]
        # A field platform that confirms subcontract work and hears of
        # commitments and approvals.
        cls.field_service = new_test_user(
            cls.env,
            login="subk_field_service",
            groups="construction_sync.group_construction_sync_field_api",
        )
        cls.field_system = cls.env["construction.sync.system"].create(
            {
                "name": "Test FieldPlatform",
                "code": "fieldplatform_test",
                "kind": "procurement",
                "service_user_id": cls.field_service.id,
                "outbound_url": "https://hooks.fieldplatform.example/odoo",
            }
        )
        EventType = cls.env["construction.sync.event.type"]
        cls.field_system.inbound_event_type_ids = EventType.search(
            [("code", "=", "subcontract.work.confirmed")]
        )
        cls.field_system.outbound_event_type_ids = EventType.search(
            [("code", "in", ("commitment.changed", "subcontract.pay_application.approved"))]
        )
        cls.Event = cls.env["construction.sync.event"]
        cls.Delivery = cls.env["construction.sync.delivery"]
        cls.PayApp = cls.env["construction.subcontract.pay.application"]
        cls.Document = cls.env["construction.subcontract.document"]
        cls.BackCharge = cls.env["construction.subcontract.back.charge"]
        # Everyone on the job in the office's time zone, as in a contractor's
        # database, so that the dates people enter and the ones the suite
        # derives agree at any hour (a user without a zone reads UTC's date).
        cls.env["res.users"].union(
            cls.buyer_controller,
            cls.sub_user,
            cls.other_sub_user,
            cls.field_service,
            *cls.users.values(),
        ).tz = cls.env.user.tz
        cls.today = fields.Date.context_today(cls.env.user)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @contextmanager
    def refused(self, exception, text):
        """``exception`` saying ``text`` is raised, and what the block did is
        rolled back (``assertRaises`` runs it in a savepoint)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    @classmethod
    def subcontract_from_budget(cls, amount, partner=None, budget_lines=None):
        """A confirmed subcontract made with the wizard from the paving budget line."""
        wizard = (
            cls.env["construction.subcontract.wizard"]
            .with_user(cls.buyer_controller)
            .with_context(
                active_model="construction.budget.line",
                active_ids=(budget_lines or cls.paving).ids,
            )
            .create({"partner_id": (partner or cls.subcontractor).id})
        )
        wizard.line_ids.amount = amount
        action = wizard.action_create()
        order = cls.env["purchase.order"].browse(action["res_id"])
        order.button_confirm()
        return order

    def confirm_work(self, key, occurred_at, **payload):
        """The field platform confirms work done to date; the job applies it."""
        event, _created = self.Event.sudo()._receive(
            self.field_system,
            {
                "event_type": "subcontract.work.confirmed",
                "idempotency_key": key,
                "occurred_at": occurred_at,
                "payload": payload,
            },
        )
        event._job_apply()
        return event

    def deliveries(self, code):
        """Payloads of ``code`` queued for the field platform, oldest first."""
        return [
            json.loads(delivery.payload)
            for delivery in self.Delivery.search(
                [("system_id", "=", self.field_system.id), ("event_type_id.code", "=", code)],
                order="id",
            )
        ]

    @classmethod
    def daily_log(cls, day):
        return cls.env["construction.daily.log"].create(
            {"project_id": cls.project.id, "date": day, "weather": "Clear"}
        )

    def insurance(self, partner=None, expiry=None, start=None):
        return self.Document.create(
            {
                "name": "COI general liability",
                "kind": "insurance",
                "partner_id": (partner or self.subcontractor).id,
                "date_start": start or self.today - timedelta(days=200),
                "date_expiry": expiry or self.today + timedelta(days=200),
                "attachment": PDF,
                "attachment_name": "coi.pdf",
            }
        )

    def waiver(self, order, condition="unconditional", scope="progress", application=None):
        return self.Document.create(
            {
                "name": f"{condition} {scope} waiver",
                "kind": "lien_waiver",
                "partner_id": order.partner_id.id,
                "order_id": order.id,
                "waiver_condition": condition,
                "waiver_scope": scope,
                "pay_application_id": application.id if application else False,
                "attachment": PDF,
                "attachment_name": "waiver.pdf",
            }
        )

    def post(self, bill):
        """Accounting posts ``bill``."""
        bill = self.env["account.move"].browse(bill.id)
        bill.action_post()
        return bill

    def pay(self, bills, on_date=None):
        """Register the payment of ``bills`` the way the Pay button does."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create({"payment_date": on_date or self.today})
        )
        return wizard.action_create_payments()

    def assert_figures(self, line, committed, actual):
        """Committed, actual and remaining of ``line`` as the budget shows them."""
        line.invalidate_recordset()
        self.assertAlmostEqual(line.committed, committed)
        self.assertAlmostEqual(line.actual, actual)
        self.assertAlmostEqual(line.remaining, line.revised - committed - actual)
