from odoo.exceptions import AccessError

from .common import ROLE_GROUPS, ConstructionCase

# (model, role) -> the operations the role may do; every other one is refused.
EXPECTED = {
    "construction.cost.code": {
        "user": "r",
        "field_api": "r",
        "reviewer": "r",
        "estimator": "r",
        "controller": "rwc",
        "sync_manager": "rwc",
        "administrator": "rwcu",
    },
    "construction.sync.system": {
        "user": "r",
        "field_api": "r",
        "reviewer": "r",
        "estimator": "r",
        "controller": "r",
        "sync_manager": "rwcu",
        "administrator": "rwcu",
    },
}

SAMPLE_VALUES = {
    "construction.cost.code": lambda n: {
        "code": f"34 {71 + n // 100} {n % 100:02d}",
        "name": f"Barrier {n}",
    },
    "construction.sync.system": lambda n: {"name": f"Telematics {n}", "code": f"telematics{n}"},
}


class TestAccess(ConstructionCase):
    def test_each_role_may_do_exactly_what_it_should(self):
        self.assertAccessMatrix(
            EXPECTED,
            {model: self.env[model].create(values(0)) for model, values in SAMPLE_VALUES.items()},
            {model: {"name": "Renamed"} for model in EXPECTED},
            SAMPLE_VALUES,
        )

    def test_other_company_codes_are_hidden_and_shared_ones_visible(self):
        own = self.CostCode.create(
            {"code": "34 71 13", "name": "Own", "company_id": self.company.id}
        )
        foreign = self.CostCode.create(
            {"code": "34 71 16", "name": "Foreign", "company_id": self.other_company.id}
        )
        visible = self.CostCode.with_user(self.users["controller"]).search(
            [("code", "=like", "3%")]
        )
        self.assertIn(own, visible)
        self.assertIn(self.division_32, visible)
        self.assertNotIn(foreign, visible)
        with self.assertRaises(AccessError):
            foreign.with_user(self.users["controller"]).read(["name"])

    def test_implied_hierarchy(self):
        administrator = self.users["administrator"]
        for role in ("controller", "estimator", "reviewer", "sync_manager", "field_api"):
            with self.subTest(role=role):
                self.assertTrue(administrator.has_group(ROLE_GROUPS[role]))
        self.assertTrue(self.users["controller"].has_group("analytic.group_analytic_accounting"))
        self.assertFalse(self.users["estimator"].has_group(ROLE_GROUPS["controller"]))
        self.assertFalse(self.users["sync_manager"].has_group(ROLE_GROUPS["reviewer"]))
        self.assertFalse(self.users["controller"].has_group(ROLE_GROUPS["sync_manager"]))
