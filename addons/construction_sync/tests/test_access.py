from .common import ROLE_GROUPS, ConstructionCase

# Who may do what on every model of the suite, and that no role reaches
# another company's records: construction_estimate_bridge's
# test_access_matrix, which sees the three modules.


class TestAccess(ConstructionCase):
    def test_shared_codes_are_visible_beside_the_company_ones(self):
        own = self.CostCode.create(
            {"code": "34 71 13", "name": "Own", "company_id": self.company.id}
        )
        visible = self.CostCode.with_user(self.users["controller"]).search(
            [("code", "=like", "3%")]
        )
        self.assertIn(own, visible)
        self.assertFalse(self.division_32.company_id)
        self.assertIn(self.division_32, visible)

    def test_implied_hierarchy(self):
        administrator = self.users["administrator"]
        for role in ("controller", "estimator", "reviewer", "sync_manager"):
            with self.subTest(role=role):
                self.assertTrue(administrator.has_group(ROLE_GROUPS[role]))
        # A service user is no employee, and no employee is a service user.
        self.assertFalse(administrator.has_group(ROLE_GROUPS["field_api"]))
        self.assertFalse(self.users["sync_manager"].has_group(ROLE_GROUPS["field_api"]))
        self.assertTrue(self.users["field_api"].has_group("base.group_portal"))
        self.assertFalse(self.users["field_api"]._is_internal())
        self.assertTrue(self.users["controller"].has_group("analytic.group_analytic_accounting"))
        self.assertFalse(self.users["estimator"].has_group(ROLE_GROUPS["controller"]))
        self.assertFalse(self.users["sync_manager"].has_group(ROLE_GROUPS["reviewer"]))
        self.assertFalse(self.users["controller"].has_group(ROLE_GROUPS["sync_manager"]))
