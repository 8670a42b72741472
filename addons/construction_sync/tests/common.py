from odoo.tests.common import TransactionCase
from odoo.tests.common import new_test_user

ROLE_GROUPS = {
    "user": "base.group_user",
    "field_api": "construction_sync.group_construction_sync_field_api",
    "reviewer": "construction_sync.group_construction_sync_reviewer",
    "estimator": "construction_sync.group_construction_sync_estimator",
    "controller": "construction_sync.group_construction_sync_controller",
    "sync_manager": "construction_sync.group_construction_sync_manager",
    "administrator": "construction_sync.group_construction_sync_administrator",
}


class ConstructionCase(TransactionCase):
    """One user per role, a second company, and the Cost Codes plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Northside Paving LLC"})
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"construction_{role}",
                groups=groups,
                company_id=cls.company.id,
                company_ids=[(6, 0, cls.company.ids)],
            )
            for role, groups in ROLE_GROUPS.items()
        }
        cls.CostCode = cls.env["construction.cost.code"]
        cls.plan = cls.env.ref("construction_sync.analytic_plan_cost_codes")
        cls.division_32 = cls.env.ref("construction_sync.cost_code_division_32")

    @classmethod
    def create_codes(cls, *codes, **common_vals):
        return cls.CostCode.create(
            [dict(common_vals, code=code, name=f"Cost code {code}") for code in codes]
        )
