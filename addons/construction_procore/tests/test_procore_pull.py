from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PROJECT, ProcoreCase, delivery


@tagged("post_install", "-at_install")
class TestProcorePull(ProcoreCase):
    """Scheduled pulls ("List timecard entries (Company)", commitment change
    orders per project, projects and vendors) catch what a webhook missed:
    Procore drops deliveries after 12 hours of failures."""

    def test_each_resource_has_a_pull(self):
        self.assertEqual(
            sorted(self.system.pull_ids.mapped("resource")),
            [
                "commitment_change_orders",
                "prime_change_orders",
                "projects",
                "purchase_order_contracts",
                "timecard_entries",
                "vendors",
                "work_order_contracts",
            ],
        )
        self.assertEqual(self.system.kind, "procurement")
        self.assertEqual(
            self.System.create(
                {
                    "name": "Procore sandbox",
                    "code": "procore_sbx",
                    "platform": "procore",
                    "procore_environment": "sandbox",
                }
            ).mapped(lambda system: (system.base_url, system.procore_login_url)),
            [("https://sandbox.procore.com", "https://login-sandbox.procore.com")],
        )

    def test_a_new_procore_system_names_what_it_may_not_send_yet(self):
        # a procurement system is granted no labor by its kind: the form says
        # which of Procore's event types it would refuse, and only an
        # administrator allows them
        system = self.System.with_user(self.users["sync_manager"]).create(
            {"name": "Procore (new)", "code": "procore_new", "platform": "procore"}
        )
        missing = system.missing_event_type_ids.mapped("code")
        self.assertLessEqual({"labor.approved", "labor.corrected"}, set(missing))
        self.assertFalse(set(missing) & set(system.inbound_event_type_ids.mapped("code")))
        with self.assertRaises(AccessError):
            system.action_allow_platform_event_types()
        system.with_user(self.users["administrator"]).action_allow_platform_event_types()
        self.assertFalse(system.missing_event_type_ids)
        self.assertIn("labor.approved", system.inbound_event_type_ids.mapped("code"))
        self.assertFalse(self.system.missing_event_type_ids, "the test system has them all")

    def test_missed_webhook_is_caught_by_the_next_pull_once(self):
        self.double.add_timecard(78001)
        self.post_webhook(delivery("Timecard Entries", 78001, "01JDX4A0000000000000000001"))
        self.run_jobs()
        self.assertEqual(len(self.timesheets("78001")), 1)
        # this one's webhook never came
        self.double.add_timecard(
            78002, date="2026-12-01", hours="4.0", updated_at="2026-12-01T07:00:00Z"
        )
        self.double.add_timecard(78003, approval_status="pending")

        pull = self.pull("timecard_entries")
        pull.action_run_now()
        self.assertEqual(self.run_jobs(), [])

        self.assertEqual(pull.state, "idle")
        self.assertEqual(len(self.timesheets("78002")), 1, "the missed entry is in")
        self.assertEqual(self.timesheets("78002").unit_amount, 4.0)
        self.assertEqual(len(self.timesheets("78001")), 1, "the one the webhook brought, once")
        self.assertFalse(self.timesheets("78003"), "not approved: not in")
        page = pull.exchange_ids
        self.assertEqual((page.item_count, page.event_count, page.duplicate_count), (3, 1, 1))

        # the next run asks from the newest change seen
        pull.action_run_now()
        self.run_jobs()
        last = pull.exchange_ids.sorted("id")[-1]
        self.assertIn("filters%5Bupdated_at%5D=2026-12-01T07%3A00%3A00Z...", last.request)
        self.assertEqual((last.item_count, last.event_count), (1, 0), "only 78002 changed since")

    def test_rate_limited_page_waits_until_procore_resets(self):
        self.double.add_timecard(78004)
        self.double.faults.append(
            ("GET", "/rest/v1.0/companies/", 429, {"Retry-After": "7"}, False)
        )
        pull = self.pull("timecard_entries")
        pull.action_run_now()
        retries = self.run_jobs()
        self.assertEqual([retry.seconds for retry in retries], [7])
        self.assertEqual(len(self.timesheets("78004")), 1)

    def test_change_orders_of_each_bound_project_are_pulled(self):
        self.double.add_change_order(904)
        pull = self.pull("commitment_change_orders")
        pull.action_run_now()
        self.assertEqual(self.run_jobs(), [])
        self.assertEqual(pull.state, "idle")
        self.assertEqual(self.events("change_order.approved").state, "done")
        self.assertEqual(self.budget.revised, 262500.0)
        self.assertEqual(
            pull.exchange_ids.sorted("page").mapped("request")[0],
            f"GET /rest/v1.0/projects/{PROJECT}/commitment_change_orders?page=1&per_page=100",
        )

    def test_missed_commitment_and_prime_change_order_are_caught_by_their_pulls(self):
        # neither webhook came: Procore gave up on them ("List Purchase Order
        # Contracts" takes the project as a parameter; "List Prime Change
        # Orders" is listed under the project)
        self.double.add_commitment(7301, number="PO-021")
        self.double.add_commitment(7302, path="work_order_contracts", number="SC-004")
        self.double.add_change_order(906, path="prime_change_orders", contract_id=None)
        for resource in ("purchase_order_contracts", "work_order_contracts"):
            self.pull(resource).action_run_now()
            self.assertEqual(self.run_jobs(), [])
        resolver = self.env["construction.sync.resolver"]
        supply = resolver._binding(self.system, "purchase.order", "commitment:7301")[1]
        subcontract = resolver._binding(self.system, "purchase.order", "commitment:7302")[1]
        self.assertEqual((supply.partner_ref, supply.state), ("PO-021", "purchase"))
        self.assertEqual(subcontract.partner_ref, "SC-004")
        self.assertEqual(
            self.pull("purchase_order_contracts").exchange_ids.sorted("id")[0].request,
            f"GET /rest/v1.0/purchase_order_contracts?page=1&per_page=100&project_id={PROJECT}",
        )

        self.pull("prime_change_orders").action_run_now()
        self.assertEqual(self.run_jobs(), [])
        self.budget.invalidate_recordset()
        self.assertEqual(self.budget.revised, 262500.0, "the owner's change order is in")

        # the next runs find nothing new: nothing doubled
        for resource in ("purchase_order_contracts", "prime_change_orders"):
            self.pull(resource).action_run_now()
            self.run_jobs()
        orders = self.env["purchase.order"].search([("partner_ref", "in", ["PO-021", "SC-004"])])
        self.assertEqual(len(orders), 2)
        self.assertEqual(len(self.events("change_order.approved")), 1)
        self.assertEqual(self.budget.revised, 262500.0)

    def test_projects_and_vendors_match_on_origin_id_or_name_the_rest_wait(self):
        other = self.env["project.project"].create({"name": "Harbor Yard"})
        vendor = self.env["res.partner"].create({"name": "Atlas Formwork LLC"})
        self.double.projects += [
            {"id": 7001, "name": "Harbor Yard (Procore)", "origin_id": str(other.id)},
            {"id": 7002, "name": "Unknown tower", "origin_id": None},
        ]
        self.double.vendors += [
            {"id": 8001, "name": "Atlas Formwork LLC", "origin_id": None},
            {"id": 8002, "name": "Nobody Ltd", "origin_id": None},
        ]
        for resource in ("projects", "vendors"):
            self.pull(resource).action_run_now()
        self.assertEqual(self.run_jobs(), [])
        matches = self.system.procore_match_ids
        by_id = {match.procore_id: match for match in matches}
        self.assertEqual(by_id["7001"].project_id, other, "matched on origin_id")
        self.assertEqual(by_id["8001"].partner_id, vendor, "matched on the exact name")
        self.assertEqual(
            sorted(matches.filtered(lambda m: m.state == "unmatched").mapped("procore_id")),
            ["7002", "8002"],
        )
        resolver = self.env["construction.sync.resolver"]
        self.assertEqual(resolver._find(self.system, "project.project", "7001"), other)

        # bound by hand from the review list
        tower = self.env["project.project"].create({"name": "Tower"})
        by_id["7002"].with_user(self.users["sync_manager"]).project_id = tower
        self.assertEqual(by_id["7002"].state, "matched")
        self.assertEqual(resolver._find(self.system, "project.project", "7002"), tower)
