from odoo.addons.construction_sync.tests.common import FieldActualsCase

# How the office wrote past estimate lines: what the company's model learns.
HISTORY = {
    "03 30 91": [
        "pour concrete footings",
        "concrete pour footing",
        "place concrete slab",
        "conc pour slab on grade",
        "pour foundation walls",
    ],
    "31 23 91": [
        "excavate trench",
        "excavation for footings",
        "dig utility trench",
        "exc trench",
        "mass excavation",
    ],
    "09 91 91": [
        "paint interior walls",
        "prime and paint drywall",
        "painting doors and frames",
        "paint ceiling",
        "repaint corridor walls",
    ],
}


class AssistCase(FieldActualsCase):
    """A company with a history of estimate lines per cost code and of a
    worker's days, and the timekeeping system of :class:`FieldActualsCase`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.codes = {
            code: cls.CostCode.create(
                {"code": code, "name": f"Division {code[:2]}", "company_id": cls.company.id}
            )
            for code in HISTORY
        }
        cls.history_estimate(cls.company, cls.project, cls.codes)
        cls.Decision = cls.env["construction.assist.decision"]
        cls.Model = cls.env["construction.assist.model"]

    @classmethod
    def history_estimate(cls, company, project, codes, history=None):
        estimate = cls.env["construction.estimate"].create(
            {"name": "Past bid", "project_id": project.id, "company_id": company.id}
        )
        cls.env["construction.estimate.line"].create(
            [
                {"estimate_id": estimate.id, "name": text, "cost_code_id": codes[code].id}
                for code, texts in (history or HISTORY).items()
                for text in texts
            ]
        )
        return estimate

    @classmethod
    def worked_days(cls, employee, hours_per_day, start_day=1):
        """Past timesheets of ``employee``, one per day of February 2026."""
        cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Past day",
                    "employee_id": employee.id,
                    "project_id": cls.project.id,
                    "date": f"2026-02-{day:02d}",
                    "unit_amount": hours,
                }
                for day, hours in enumerate(hours_per_day, start=start_day)
            ]
        )
