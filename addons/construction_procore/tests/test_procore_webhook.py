from odoo.tests import tagged

from ..lib import procore
from .common import COMPANY, PROJECT, ProcoreCase, delivery


@tagged("post_install", "-at_install")
class TestProcoreWebhook(ProcoreCase):
    """Procore webhooks ("How Webhooks Work") name what changed; the secret
    header of the hook authenticates them, a job fetches the resource."""

    def counts(self):
        return (
            self.Exchange.search_count([("system_id", "=", self.system.id)]),
            self.Event.search_count([("system_id", "=", self.system.id)]),
            self.Line.search_count([("construction_source_entry", "!=", False)]),
            self.env["queue.job"].search_count([]),
        )

    def test_timecard_entry_webhook_fetches_the_entry_into_a_timesheet_once(self):
        self.double.add_timecard(77001, hours="7.5")
        body = delivery("Timecard Entries", 77001, "01JDX3Q7T4W8YB5M2N6P0R9SZA")

        response = self.post_webhook(body)

        self.assertEqual(response.status_code, 200)
        notified = self.events("procore.notification")
        self.assertEqual(notified.state, "queued", "the fetch is a job, not the request")
        self.assertFalse(self.double.requests, "the request itself asked Procore nothing")

        self.assertEqual(self.run_jobs(), [])

        line = self.timesheets("77001")
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.project_id, line.employee_id, line[self.column], line.unit_amount),
            (self.project, self.employee, self.concrete.analytic_account_id, 7.5),
        )
        self.assertEqual(str(line.date), "2026-11-30")
        self.assertEqual(notified.state, "done")
        labor = self.events("labor.approved")
        self.assertEqual(labor.state, "done")
        self.assertEqual(
            (labor.exchange_id.kind, labor.exchange_id.request),
            ("fetch", f"GET /rest/v1.0/projects/{PROJECT}/timecard_entries/77001"),
        )
        self.assertEqual(notified.exchange_id.vendor_delivery, "01JDX3Q7T4W8YB5M2N6P0R9SZA")
        # OAuth client credentials first, then the entry with the token and
        # the company header
        token, fetch = self.double.requests
        self.assertEqual(token.path, "/oauth/token")
        self.assertEqual(fetch.headers["Authorization"], f"Bearer {self.double.tokens[-1]}")
        self.assertEqual(fetch.headers[procore.COMPANY_HEADER], COMPANY)

        # the same ulid again: one event, one timesheet
        before = self.counts()
        self.assertEqual(self.post_webhook(body).status_code, 200)
        self.assertEqual(self.run_jobs(), [])
        after = self.counts()
        self.assertEqual(after[1:], before[1:], "no event, timesheet or job more")
        self.assertEqual(len(self.timesheets("77001")), 1)

    def test_entry_changed_in_procore_corrects_the_timesheet(self):
        self.double.add_timecard(77002)
        self.post_webhook(delivery("Timecard Entries", 77002, "01JDX3Q7T4W8YB5M2N6P0R9S01"))
        self.run_jobs()
        self.double.add_timecard(77002, hours="6.0", updated_at="2026-12-01T08:00:00Z")
        self.post_webhook(delivery("Timecard Entries", 77002, "01JDX3Q7T4W8YB5M2N6P0R9S02"))
        self.run_jobs()
        corrected = self.events("labor.corrected")
        self.assertEqual(corrected.state, "done", corrected.error_message)
        lines = self.timesheets("77002")
        self.assertEqual(
            lines.mapped("construction_entry_state"), ["superseded", "reversal", "current"]
        )
        self.assertEqual(sum(lines.mapped("unit_amount")), 6.0)

    def test_entry_not_approved_yet_makes_no_timesheet(self):
        self.double.add_timecard(77003, approval_status="pending")
        self.post_webhook(delivery("Timecard Entries", 77003, "01JDX3Q7T4W8YB5M2N6P0R9S03"))
        self.run_jobs()
        self.assertEqual(self.events("procore.notification").state, "done")
        self.assertFalse(self.events("labor.approved"))
        self.assertFalse(self.timesheets("77003"))

    def test_missing_or_wrong_secret_header_is_refused_and_nothing_written(self):
        self.double.add_timecard(77004)
        body = delivery("Timecard Entries", 77004, "01JDX3Q7T4W8YB5M2N6P0R9S04")
        before = self.counts()
        for secret, header in ((None, False), ("", True), ("hook-secret-3f9a0", True)):
            with self.subTest(secret=secret, header=header):
                response = self.post_webhook(body, secret=secret, header=header)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["code"], "invalid_signature")
                self.assertNotIn(self.secret, response.text)
        self.assertEqual(self.counts(), before, "nothing written")
        self.assertFalse(self.double.requests)

    def test_registering_again_rotates_the_header_and_refuses_the_old_one(self):
        self.assertTrue(self.system.action_register_webhook())
        hook_id = self.system.webhook_external_id
        first = self.system.sudo().webhook_secret
        hook = self.double.hooks[hook_id]
        self.assertEqual(hook["destination_url"], self.system.webhook_url)
        self.assertEqual(hook["destination_headers"], {"Authorization": f"Bearer {first}"})
        self.assertEqual(
            sorted((t["resource_name"], t["event_type"]) for t in self.double.triggers),
            sorted((name, kind) for name in procore.RESOURCES for kind in ("create", "update")),
        )
        self.assertNotIn(first, " ".join(self.system.message_ids.mapped("body")))

        self.assertTrue(self.system.action_register_webhook())
        second = self.system.sudo().webhook_secret
        self.assertNotEqual(first, second)
        self.assertEqual(self.system.webhook_external_id, hook_id, "the same hook, rotated")
        self.assertEqual(
            self.double.hooks[hook_id]["destination_headers"], {"Authorization": f"Bearer {second}"}
        )
        body = delivery("Timecard Entries", 77005, "01JDX3Q7T4W8YB5M2N6P0R9S05")
        self.assertEqual(self.post_webhook(body, secret=first).status_code, 401)
        self.assertFalse(self.events("procore.notification"))
        self.double.add_timecard(77005)
        self.assertEqual(self.post_webhook(body, secret=second).status_code, 200)
        self.assertEqual(len(self.events("procore.notification")), 1)

    def test_delivery_of_another_company_or_resource_waits_for_review(self):
        other = delivery("Timecard Entries", 77006, "01JDX3Q7T4W8YB5M2N6P0R9S06").replace(
            COMPANY.encode(), b"4000000000"
        )
        rfi = delivery("RFIs", 12, "01JDX3Q7T4W8YB5M2N6P0R9S07")
        for body in (other, rfi):
            self.assertEqual(self.post_webhook(body).status_code, 200)
        unmapped = self.events("connector.unmapped")
        self.assertEqual(len(unmapped), 2)
        self.assertEqual(set(unmapped.mapped("state")), {"needs_review"})
        messages = " | ".join(unmapped.mapped("error_message"))
        self.assertIn("company 4000000000", messages)
        self.assertIn("'RFIs'", messages)
        self.assertFalse(self.events("procore.notification"))

    def test_approved_commitment_change_order_revises_the_budget(self):
        self.double.add_change_order(901)
        self.assertEqual(self.budget.revised, 250000.0)
        body = delivery("Commitment Change Orders", 901, "01JDX3Q7T4W8YB5M2N6P0R9S08")
        self.assertEqual(self.post_webhook(body).status_code, 200)
        self.assertEqual(self.run_jobs(), [])

        event = self.events("change_order.approved")
        self.assertEqual(event.state, "done")
        order = self.env["construction.change.order"].browse(event.link_ids.res_id)
        self.assertEqual(order.budget_id, self.budget)
        self.assertEqual(order.state, "approved")
        self.assertEqual(order.title, "003: Added rebar at the north wall")
        self.assertEqual(order.line_ids.cost_code_id, self.concrete)
        self.assertEqual(order.amount_total, 12500.0)
        self.budget.invalidate_recordset()
        self.assertEqual(self.budget.revised, 262500.0)
        self.assertEqual(self.budget.line_ids.approved_quantity_changes, 2.5)

        # a draft one waits: nothing until it is approved
        self.double.add_change_order(902, status="pending")
        self.post_webhook(delivery("Commitment Change Orders", 902, "01JDX3Q7T4W8YB5M2N6P0R9S09"))
        self.run_jobs()
        self.assertEqual(len(self.events("change_order.approved")), 1)
        self.assertEqual(self.budget.revised, 262500.0)

    def test_change_order_of_a_project_without_budget_waits_for_review(self):
        self.budget.unlink()
        self.double.add_change_order(903)
        self.post_webhook(delivery("Commitment Change Orders", 903, "01JDX3Q7T4W8YB5M2N6P0R9S10"))
        self.run_jobs()
        event = self.events("change_order.approved")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("has no budget", event.error_message)
        self.assertFalse(
            self.env["construction.change.order"].search([("title", "like", "Added rebar")])
        )

    def test_commitment_becomes_a_bound_purchase_order_its_change_order_adds_to(self):
        self.double.add_commitment(7101)
        body = delivery("Purchase Order Contracts", 7101, "01JDX3Q7T4W8YB5M2N6P0R9S11")
        self.assertEqual(self.post_webhook(body).status_code, 200)
        self.assertEqual(self.run_jobs(), [])

        event = self.events("commitment.upserted")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(
            event.exchange_id.request,
            f"GET /rest/v1.0/purchase_order_contracts/7101?project_id={PROJECT}",
        )
        order = self.env["construction.sync.resolver"]._binding(
            self.system, "purchase.order", "commitment:7101"
        )[1]
        self.assertEqual((order.partner_id, order.partner_ref), (self.vendor, "PO-014"))
        self.assertEqual(order.state, "purchase", "approved in Procore: confirmed")
        self.assertEqual(order.amount_untaxed, 40000.0)
        key = f"{self.project.account_id.id},{self.concrete.analytic_account_id.id}"
        self.assertEqual(order.order_line.analytic_distribution, {key: 100})

        # its approved change order revises the budget and the commitment
        self.double.add_change_order(905)
        self.post_webhook(delivery("Commitment Change Orders", 905, "01JDX3Q7T4W8YB5M2N6P0R9S12"))
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(self.events("change_order.approved").state, "done")
        self.assertEqual(order.amount_untaxed, 52500.0)
        self.assertEqual(len(order.order_line), 2)
        self.budget.invalidate_recordset()
        self.assertEqual(self.budget.revised, 262500.0)
