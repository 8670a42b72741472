from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..lib import feed
from .common import TOKEN, SamsaraCase, SamsaraDouble, page, stats

EX, WL = "281474977001", "281474977002"

# Chicago is UTC-5 in March 2026 (daylight time from 8 March): 13:00Z is 08:00.
FIRST_PAGE = page(
    [
        stats(EX, "EX-320", [("2026-03-10T13:00:00Z", 1200), ("2026-03-10T15:00:00Z", 1202)]),
        stats(WL, "WL-950", [("2026-03-10T13:00:00Z", 500), ("2026-03-10T14:30:00Z", 501.5)]),
    ],
    "c1",
    True,
)
SECOND_PAGE = page(
    [
        # Started again the next morning (3 minutes before the reading), then 3 h.
        stats(EX, "EX-320", [("2026-03-11T13:00:00Z", 1202.05), ("2026-03-11T16:00:00Z", 1205.05)]),
        stats(WL, "WL-950", [("2026-03-10T16:00:00Z", 502.5)]),
    ],
    "c2",
    False,
)
PAGES = {None: FIRST_PAGE, "c1": SECOND_PAGE}


@tagged("post_install", "-at_install")
class TestSamsaraPull(SamsaraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The excavator works on Main Street until the 10th, then on the bridge;
        # the loader has no assignment: its default project and cost code apply.
        cls.Assignment.create(
            [
                {
                    "equipment_id": cls.excavator.id,
                    "project_id": cls.project.id,
                    "cost_code_id": cls.earthwork.id,
                    "date_from": "2026-03-01",
                    "date_to": "2026-03-10",
                },
                {
                    "equipment_id": cls.excavator.id,
                    "project_id": cls.bridge.id,
                    "cost_code_id": cls.earthwork.id,
                    "date_from": "2026-03-11",
                },
            ]
        )
        cls.loader.write(
            {
                "construction_project_id": cls.bridge.id,
                "construction_cost_code_id": cls.paving_base.id,
            }
        )

    def cost_by_project_and_code(self):
        """``{(project, cost code): (hours, amount)}`` of the Samsara usage lines."""
        groups = self.Line._read_group(
            [("id", "in", self.usage_lines().ids)],
            ["account_id", self.column],
            ["unit_amount:sum", "amount:sum"],
        )
        return {
            (account, code): (round(hours, 4), round(amount, 2))
            for account, code, hours, amount in groups
        }

    def expected_cost(self):
        earthwork = self.earthwork.analytic_account_id
        paving_base = self.paving_base.analytic_account_id
        return {
            (self.project.account_id, earthwork): (2.0, -160.0),
            (self.bridge.account_id, earthwork): (3.05, -244.0),
            (self.bridge.account_id, paving_base): (2.5, -150.0),
        }

    def assert_each_entry_once(self):
        entries = self.usage_lines().mapped("construction_source_entry")
        self.assertEqual(len(entries), len(set(entries)), "a source entry books once")
        self.assertEqual(self.cost_by_project_and_code(), self.expected_cost())

    def test_two_pages_of_the_feed_become_usage_cost_per_project_and_cost_code(self):
        with SamsaraDouble(PAGES) as double:
            self.connect(double)
            self.assertEqual(self.run_pull(), [])
        self.assertEqual(double.feed_calls(), [None, "c1"], "the after cursor pages the feed")
        self.assertEqual(
            {request.headers["Authorization"] for request in double.requests}, {f"Bearer {TOKEN}"}
        )
        self.assertEqual(
            (self.pull.state, self.pull.cursor, self.pull.run_page_count), ("idle", '"c2"', 2)
        )
        usage = self.samsara_events("equipment.usage.recorded")
        self.assertEqual(len(usage), 4)
        self.assertEqual(set(usage.mapped("state")), {"queued"})
        self.apply_samsara()
        self.assertEqual(set(usage.mapped("state")), {"done"}, usage.mapped("error_message"))
        self.assert_each_entry_once()
        morning = self.usage_lines().filtered(lambda line: line.unit_amount == 3.05)
        self.assertEqual(
            (str(morning.date), morning.construction_equipment_id), ("2026-03-11", self.excavator)
        )
        self.assertEqual(self.asset(EX).engine_hours, 1205.05)
        self.assertEqual(self.asset(EX).meter_type, "gatewayEngineSeconds")

    def test_a_pull_interrupted_after_its_first_page_books_nothing_twice(self):
        with SamsaraDouble(PAGES) as double:
            self.connect(double)
            self.pull._start()
            (first,) = self.jobs_of(self.pull, "_job_pull_page")
            self.assertIsNone(self.run_job(first))
            self.assertEqual(self.pull.cursor, '"c1"', "the cursor moved with the page")
            # The worker dies: the second page's job is lost.
            (second,) = self.jobs_of(self.pull, "_job_pull_page") - first
            second.unlink()
            self.apply_samsara()
            self.assertEqual(len(self.usage_lines()), 2)

            self.assertEqual(self.run_pull(), [], "run again: it resumes from its cursor")
        self.assertEqual(double.feed_calls(), [None, "c1"])
        self.apply_samsara()
        self.assert_each_entry_once()

    def test_a_page_killed_before_it_was_committed_is_taken_once_when_run_again(self):
        with SamsaraDouble(PAGES) as double:
            self.connect(double)
            self.pull._start()
            (first,) = self.jobs_of(self.pull, "_job_pull_page")
            self.run_job(first)
            (second,) = self.jobs_of(self.pull, "_job_pull_page") - first
            with self.env.cr.savepoint() as killed:
                self.run_job(second)
                killed.rollback()
            self.env.invalidate_all()
            self.assertEqual(self.pull.cursor, '"c1"', "nothing of the killed page stayed")
            self.assertEqual(self.asset(EX).engine_hours, 1202.0)
            self.assertEqual(len(self.samsara_events("equipment.usage.recorded")), 2)
            self.assertEqual(self.run_pending_pages(), [])
        self.assertEqual(double.feed_calls(), [None, "c1", "c1"], "the page was asked again")
        self.apply_samsara()
        self.assert_each_entry_once()

    def test_the_event_and_the_cost_line_link_back_to_samsara_and_to_the_page(self):
        with SamsaraDouble(PAGES) as double:
            self.connect(double)
            self.run_pull()
        self.apply_samsara()
        line = self.usage_lines().filtered(lambda line: line.unit_amount == 2.0)
        self.assertEqual(line.construction_source_entry, f"samsara:{EX}:2026-03-10T13:00:00Z")
        link = self.env["construction.sync.event.link"].search(
            [("res_model", "=", line._name), ("res_id", "=", line.id)]
        )
        event = link.event_id
        self.assertEqual(event.event_type_id.code, "equipment.usage.recorded")
        self.assertEqual(event._payload()["equipment"], EX, "Samsara's id of the equipment")
        self.assertEqual(event.idempotency_key, line.construction_source_entry)
        exchange = event.exchange_id
        self.assertEqual((exchange.kind, exchange.pull_id, exchange.page), ("pull", self.pull, 1))
        self.assertIn("/fleet/equipment/stats/feed?types=", exchange.request)
        self.assertNotIn("samsara_api_test_token", exchange.request)
        second_page = self.samsara_events("equipment.usage.recorded").exchange_id - exchange
        self.assertEqual((second_page.page, second_page.cursor), (2, '"c1"'))

    def test_a_meter_reset_goes_to_review_not_to_cost(self):
        reset = page(
            [stats(EX, "EX-320", [("2026-03-10T16:00:00Z", 2), ("2026-03-10T17:00:00Z", 3)])],
            "c2",
            False,
        )
        with SamsaraDouble({None: FIRST_PAGE, "c1": reset}) as double:
            self.connect(double)
            self.run_pull()
        self.apply_samsara()
        (anomaly,) = self.samsara_events("equipment.usage.anomaly")
        self.assertEqual((anomaly.state, anomaly.error_code), ("needs_review", "business_rule"))
        self.assertIn("Samsara asset EX-320", anomaly.error_message)
        self.assertIn("went back from 1202.00 h", anomaly.error_message)
        self.assertIn("No hours are costed", anomaly.error_message)
        self.assertEqual(anomaly.exchange_id.page, 2)
        excavator_hours = self.usage_lines().filtered(
            lambda line: line.construction_equipment_id == self.excavator
        )
        self.assertEqual(
            excavator_hours.mapped("unit_amount"), [2.0, 1.0], "the hour after the reset costs"
        )
        anomaly.action_replay()
        self.apply_samsara()
        self.assertEqual(anomaly.state, "needs_review", "a reset never turns into cost")

    def test_a_gap_and_an_implausible_jump_go_to_review(self):
        later = page(
            [
                # 2 h of running over a day with no reading: cannot be placed.
                stats(EX, "EX-320", [("2026-03-11T16:00:00Z", 1204)]),
                # 5 h in 1.5 h of time.
                stats(WL, "WL-950", [("2026-03-10T16:00:00Z", 506.5)]),
            ],
            "c2",
            False,
        )
        with SamsaraDouble({None: FIRST_PAGE, "c1": later}) as double:
            self.connect(double)
            self.run_pull()
        self.apply_samsara()
        anomalies = self.samsara_events("equipment.usage.anomaly")
        self.assertEqual(
            sorted(anomalies.mapped(lambda event: event._payload()["kind"])), ["gap", "implausible"]
        )
        self.assertEqual(set(anomalies.mapped("state")), {"needs_review"})
        gap = anomalies.filtered(lambda event: event._payload()["kind"] == "gap")
        self.assertIn("no reading for 25.00 h", gap.error_message)
        self.assertEqual(len(self.usage_lines()), 2, "only the first page's hours cost")

    def test_hours_of_a_day_without_project_wait_until_the_equipment_gets_one(self):
        self.loader.construction_project_id = False
        with SamsaraDouble({None: page(FIRST_PAGE["data"], "c1", False)}) as double:
            self.connect(double)
            self.run_pull()
        self.apply_samsara()
        (waiting,) = self.samsara_events("equipment.usage.anomaly")
        self.assertEqual(waiting.state, "needs_review")
        self.assertIn("works on no project that day", waiting.error_message)
        self.assertIn("1.50 h on 2026-03-10", waiting.error_message)

        self.Assignment.create(
            {
                "equipment_id": self.loader.id,
                "project_id": self.bridge.id,
                "cost_code_id": self.paving_base.id,
                "date_from": "2026-03-09",
            }
        )
        waiting.action_replay()
        self.apply_samsara()
        self.assertEqual(waiting.state, "done")
        usage = waiting.link_ids.mapped(lambda link: self.Event.browse(link.res_id))
        self.assertEqual(usage.event_type_id.code, "equipment.usage.recorded")
        self.assertEqual(usage.exchange_id, waiting.exchange_id, "the page that brought it")
        self.apply_samsara()
        line = self.usage_lines().filtered(
            lambda line: line.construction_equipment_id == self.loader
        )
        self.assertEqual((line.unit_amount, line.amount), (1.5, -90.0))
        self.assertEqual(line.account_id, self.bridge.account_id)

    def test_an_asset_bound_to_no_equipment_is_listed_and_costs_from_its_binding(self):
        crane = stats(
            "281474977009", "CR-A7", [("2026-03-10T13:00:00Z", 80), ("2026-03-10T14:00:00Z", 81)]
        )
        with SamsaraDouble({None: page([crane], "c1", False)}) as double:
            self.connect(double)
            self.run_pull()
        asset = self.asset("281474977009")
        self.assertEqual((asset.name, asset.engine_hours), ("CR-A7", 81.0))
        self.assertIn(asset, self.Asset.search([("equipment_id", "=", False)]))
        self.assertFalse(self.samsara_events(), "nothing is costed for unknown equipment")

        crane_equipment = self.Equipment.create(
            {
                "name": "Crawler Crane",
                "construction_project_id": self.bridge.id,
                "construction_cost_code_id": self.earthwork.id,
                "construction_rate_ids": [
                    (0, 0, {"date_from": "2026-01-01", "hourly_rate": 150.0})
                ],
            }
        )
        asset.equipment_id = crane_equipment
        self.assertIn(asset, self.Asset.search([("equipment_id", "=", crane_equipment.id)]))
        crane = stats("281474977009", "CR-A7", [("2026-03-10T15:30:00Z", 82.5)])
        with SamsaraDouble({"c1": page([crane], "c2", False)}) as double:
            self.connect(double)
            self.run_pull()
        self.apply_samsara()
        (line,) = self.usage_lines()
        self.assertEqual((line.unit_amount, line.amount), (1.5, -225.0))

    def test_rate_limits_errors_and_a_slow_answer_are_retried_until_the_pull_completes(self):
        # Odoo's test harness raises any request timeout below 10 s to 10 s:
        # the slow answer takes longer than that.
        self.samsara.timeout = 1
        faults = [
            (429, {"Retry-After": "0.40235"}),
            (429, {}),
            (500, {}),
            ("slow", 10.5),
        ]
        with SamsaraDouble(PAGES, faults) as double:
            self.connect(double)
            errors = self.run_pull()
        self.assertEqual(len(errors), 4)
        self.assertTrue(all(isinstance(error, RetryableJobError) for error in errors))
        self.assertEqual(errors[0].seconds, 1, "Samsara's fractional Retry-After, rounded up")
        self.assertGreaterEqual(errors[1].seconds, 5, "no Retry-After: exponential backoff")
        self.assertIn("answered 500", str(errors[2]))
        self.assertIn("did not answer in", str(errors[3]), "a slow answer is tried again")
        self.assertEqual(self.pull.state, "idle")
        self.apply_samsara()
        self.assert_each_entry_once()

    def test_a_page_of_another_shape_fails_the_pull_with_the_reason(self):
        broken = {"data": [{"id": EX, "gatewayEngineSeconds": [{"time": "noon", "value": 1}]}]}
        with SamsaraDouble({None: broken}) as double:
            self.connect(double)
            self.run_pull()
        self.assertEqual(self.pull.state, "failed")
        self.assertIn("answered a page of another shape", self.pull.last_error)
        self.assertIn("/pagination", self.pull.last_error)
        self.assertFalse(self.samsara_events())

    def test_a_samsara_system_is_equipment_telematics_with_its_engine_hours_pull(self):
        system = self.System.create(
            {"name": "Samsara West", "code": "samsara_west", "platform": "samsara"}
        )
        self.assertEqual(system.kind, "equipment")
        self.assertEqual(system.pull_ids.mapped("resource"), ["engine_hours"])
        other = self.System.create(
            {"name": "Yard", "code": "yard", "platform": "samsara", "kind": "other"}
        )
        self.assertEqual(other.kind, "other", "a kind given is kept")

    def test_test_connection_names_the_samsara_organization(self):
        with SamsaraDouble() as double:
            self.connect(double)
            action = self.samsara.action_test_connection()
        self.assertIn("Summit Paving", action["params"]["message"])
        self.assertEqual(double.requests[0].path, "/me")
        self.samsara.sudo().api_token = False
        with self.assertRaises(UserError) as refused:
            self.samsara.action_test_connection()
        self.assertIn("Set the API token of Samsara", str(refused.exception))
        self.assertEqual(len(double.requests), 1, "nothing is asked without a token")

    def test_a_page_costs_the_same_queries_whatever_its_number_of_assets(self):
        """The page's assets, bindings and assignments are read, and the
        meters written, in a few queries whatever the number of assets."""
        fleet = self.Equipment.create(
            [
                {
                    "name": f"Roller {index}",
                    "construction_project_id": self.bridge.id,
                    "construction_cost_code_id": self.paving_base.id,
                }
                for index in range(12)
            ]
        )
        for index, roller in enumerate(fleet):
            self.bind(roller, f"28147497710{index:02d}", system=self.samsara)

        def queries(first, count):
            """Queries of taking a page of ``count`` assets, each its own readings."""
            items = [
                stats(
                    f"28147497710{index:02d}",
                    f"RL-{index}",
                    [("2026-03-10T13:00:00Z", 100 + index), ("2026-03-10T15:00:00Z", 102 + index)],
                )
                for index in range(first, first + count)
            ]
            assets = feed.parse_page(page(items, "c", False)).assets
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            envelopes = self.Asset._take_page(self.samsara, assets)
            self.env.flush_all()
            self.assertEqual(len(envelopes), count, "one usage per asset and day")
            return self.env.cr.sql_log_count - before

        queries(0, 2)  # the first page also binds the project the assets work on
        self.assertEqual(queries(2, 3), queries(5, 7), "as many queries for 7 assets as for 3")
