from odoo import Command
from odoo.exceptions import AccessError

from .common import EstimateBridgeCase

# model -> role -> the operations (read, write, create, unlink) the role may do.
EXPECTED = {
    "construction.estimate": {
        "user": "",
        "field_api": "",
        "reviewer": "r",
        "estimator": "rwcu",
        "controller": "rwcu",
        "sync_manager": "",
        "administrator": "rwcu",
    },
    "construction.estimate.line": {
        "user": "",
        "field_api": "",
        "reviewer": "r",
        "estimator": "rwcu",
        "controller": "rwcu",
        "sync_manager": "",
        "administrator": "rwcu",
    },
    "construction.estimate.import.profile": {
        "user": "",
        "field_api": "",
        "reviewer": "",
        "estimator": "r",
        "controller": "rwcu",
        "sync_manager": "rwcu",
        "administrator": "rwcu",
    },
    "construction.budget": {
        "user": "",
        "field_api": "",
        "reviewer": "",
        "estimator": "r",
        "controller": "rwc",
        "sync_manager": "",
        "administrator": "rwcu",
    },
    "construction.budget.line": {
        "user": "",
        "field_api": "",
        "reviewer": "",
        "estimator": "r",
        "controller": "rwc",
        "sync_manager": "",
        "administrator": "rwcu",
    },
    "construction.change.order": {
        "user": "",
        "field_api": "",
        "reviewer": "r",
        "estimator": "rwc",
        "controller": "rwc",
        "sync_manager": "",
        "administrator": "rwcu",
    },
}

WRITE_VALUES = {
    "construction.estimate": {"name": "Renamed"},
    "construction.estimate.line": {"name": "Renamed"},
    "construction.estimate.import.profile": {"name": "Renamed"},
    "construction.budget": {"name": "Renamed"},
    "construction.budget.line": {"original": 10.0},
    "construction.change.order": {"title": "Renamed"},
}


class TestAccess(EstimateBridgeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.budget = cls.env["construction.budget"].create(
            {"name": "Access budget", "project_id": cls.project.id}
        )

        def new_budget():
            project = cls.env["project.project"].create({"name": "Access project"})
            return cls.env["construction.budget"].create({"name": "B", "project_id": project.id})

        cls.samples = {
            "construction.estimate": lambda: {
                "name": "Access estimate",
                "project_id": cls.project.id,
            },
            "construction.estimate.line": lambda: {
                "estimate_id": cls.env["construction.estimate"]
                .create({"name": "Holder", "project_id": cls.project.id})
                .id,
                "name": "Line",
            },
            "construction.estimate.import.profile": lambda: {"name": "Profile"},
            "construction.budget": lambda: {
                "name": "Budget",
                "project_id": cls.env["project.project"].create({"name": "P"}).id,
            },
            "construction.budget.line": lambda: {
                "budget_id": new_budget().id,
                "cost_code_id": cls.code_paving.id,
            },
            "construction.change.order": lambda: {
                "title": "Change",
                "budget_id": cls.budget.id,
                "reason": "Because",
            },
        }

    def attempt(self, model, role, operation):
        """Try one operation as the role; True when it went through."""
        record = self.env[model].create(self.samples[model]())
        as_user = self.env[model].with_user(self.users[role])
        try:
            with self.env.cr.savepoint():
                if operation == "r":
                    as_user.browse(record.id).read(["display_name"])
                elif operation == "w":
                    as_user.browse(record.id).write(WRITE_VALUES[model])
                elif operation == "c":
                    as_user.create(self.samples[model]())
                else:
                    as_user.browse(record.id).unlink()
        except AccessError:
            return False
        return True

    def test_each_role_may_do_exactly_what_it_should(self):
        for model, roles in EXPECTED.items():
            for role, allowed in roles.items():
                for operation in "rwcu":
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(self.attempt(model, role, operation), operation in allowed)

    def test_other_company_records_are_hidden(self):
        other_project = self.env["project.project"].create(
            {"name": "Northside lot", "company_id": self.other_company.id}
        )
        foreign = self.env["construction.estimate"].create(
            {
                "name": "Northside estimate",
                "project_id": other_project.id,
                "company_id": self.other_company.id,
                "line_ids": [Command.create({"name": "Line"})],
            }
        )
        estimator = self.users["estimator"]
        visible = self.env["construction.estimate"].with_user(estimator).search([])
        self.assertNotIn(foreign, visible)
        with self.assertRaises(AccessError):
            foreign.with_user(estimator).read(["name"])
        with self.assertRaises(AccessError):
            foreign.line_ids.with_user(estimator).read(["name"])
