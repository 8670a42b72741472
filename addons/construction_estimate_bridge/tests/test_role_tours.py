from odoo.tests import HttpCase, new_test_user, tagged

# Tours wait for what they check; a busy machine only makes them slower.
TOUR_TIMEOUT = 300


@tagged("post_install", "-at_install")
class TestRoleTours(HttpCase):
    """Each role's day through the demo data installed with the modules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.riverside = cls.env.ref("construction_estimate_bridge.demo_project_riverside")
        cls.oil_stain = cls.env.ref("construction_field_evidence.defect_maple_unknown")
        cls.trip = cls.env.ref("construction_field_evidence.defect_maple_trip")

    def _user(self, login, groups):
        return new_test_user(self.env, login=login, password=login, groups=groups)

    def test_field_reviewer_works_through_the_review_queue_by_keyboard(self):
        reviewer = self._user("reviewer_day", "construction_sync.group_construction_sync_reviewer")
        queue = self.env["construction.defect"].search([("state", "=", "needs_review")])
        self.assertEqual(queue, self.oil_stain | self.trip)
        self.start_tour(
            "/odoo/action-construction_field_evidence.construction_defect_review_action",
            "construction_role_field_reviewer",
            login="reviewer_day",
            timeout=TOUR_TIMEOUT,
        )
        self.assertEqual((self.trip.state, self.trip.reviewer_id), ("confirmed", reviewer))
        self.assertEqual(self.oil_stain.state, "rejected")
        self.assertIn("oil from a parked car", self.oil_stain.reject_reason)

    def test_estimator_follows_the_estimate_to_its_budget_chart(self):
        self._user("estimator_day", "construction_sync.group_construction_sync_estimator")
        self.start_tour(
            "/odoo/action-construction_estimate_bridge.construction_estimate_action",
            "construction_role_estimator",
            login="estimator_day",
            timeout=TOUR_TIMEOUT,
        )

    def test_project_controller_reads_the_project_and_fixes_what_waits(self):
        self._user(
            "controller_day",
            "construction_sync.group_construction_sync_controller,purchase.group_purchase_user",
        )
        self.start_tour(
            f"/odoo/action-project.open_view_project_all/{self.riverside.id}",
            "construction_role_project_controller",
            login="controller_day",
            timeout=TOUR_TIMEOUT,
        )

    def test_sync_manager_reads_the_dashboard_and_opens_what_needs_a_person(self):
        self._user("sync_manager_day", "construction_sync.group_construction_sync_manager")
        self.start_tour(
            "/odoo/action-construction_sync.construction_sync_monitor_action",
            "construction_role_sync_manager",
            login="sync_manager_day",
            timeout=TOUR_TIMEOUT,
        )
