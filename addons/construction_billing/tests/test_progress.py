import base64
from datetime import date

from odoo import Command
from odoo.addons.construction_field_evidence.lib.tests.images import make_exif, make_image
from odoo.addons.construction_sync.tests.common import FieldActualsCase
from odoo.exceptions import UserError

from .common import BillingCase


class TestProgress(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.make_contract()
        cls.paving = cls.schedule_line(cls, cls.contract, cls.code_paving)
        cls.striping = cls.schedule_line(cls, cls.contract, cls.code_striping)

    def test_progress_as_percent_quantity_or_amount_is_valued_on_the_scheduled_value(self):
        by_percent = self.progress(self.paving, "2026-03-31", basis="percent", percent=40)
        by_quantity = self.progress(self.striping, "2026-03-31", basis="quantity", quantity=500)
        by_amount = self.progress(self.striping, "2026-03-31", basis="amount", amount=12.5)
        self.assertEqual(by_percent.amount, 3960.0)
        self.assertEqual(by_quantity.amount, 262.5, "500 of 2,000 ft of 1,050")
        self.assertEqual(by_amount.amount, 12.5)
        self.assertEqual(by_percent.state, "proposed")

    def test_a_controller_other_than_the_proposer_approves_progress(self):
        item = self.progress(self.paving, "2026-03-31", basis="percent", percent=10)
        with self.assertRaisesRegex(UserError, "Only a project controller"):
            item.with_user(self.pm).action_approve()
        own = self.progress(self.paving, "2026-03-31", user=self.controller, percent=5)
        with self.assertRaisesRegex(UserError, "someone other than the person who proposed"):
            own.with_user(self.controller).action_approve()
        item.with_user(self.controller).action_approve()
        self.assertEqual((item.state, item.approved_by_id), ("approved", self.controller))
        own.with_user(self.controller_2).action_reject()
        self.assertEqual(own.state, "rejected")

    def test_quantity_progress_needs_a_contract_quantity(self):
        self.paving.construction_quantity = 0
        with self.assertRaisesRegex(UserError, "no contract quantity"):
            self.progress(self.paving, "2026-03-31", basis="quantity", quantity=5)

    def test_verified_repair_proposes_its_share_of_the_line_with_its_after_photos(self):
        site = self.env["construction.site"].create(
            {"name": "Mall lot", "project_id": self.project.id}
        )
        category = self.env.ref("construction_field_evidence.defect_category_pothole")
        after = self.env.ref("construction_field_evidence.photo_stage_after")
        before = self.env.ref("construction_field_evidence.photo_stage_before")
        photos = self.env["construction.photo"].create(
            [
                {
                    "site_id": site.id,
                    "image": base64.b64encode(make_image(exif=make_exif(description=stage.name))),
                    "stage_id": stage.id,
                }
                for stage in (before, after)
            ]
        )
        photos.write({"state": "accepted"})
        defects = self.env["construction.defect"].create(
            [
                {
                    "site_id": site.id,
                    "category_id": category.id,
                    "source": "crew",
                    "state": "repaired",
                    "photo_ids": [Command.set(photos.ids)],
                }
                for _k in range(2)
            ]
        )
        line = self.paving.construction_estimate_line_ids
        line.defect_ids = defects
        defects[0].action_verify()
        proposal = self.env["construction.billing.progress"].search(
            [("defect_id", "=", defects[0].id)]
        )
        # One of the two defects the 9,900 line prices.
        self.assertEqual(
            (proposal.amount, proposal.state, proposal.source), (4950.0, "proposed", "defect")
        )
        self.assertEqual(proposal.photo_ids, photos[1], "the after photo, not the before one")


class TestFieldProgress(FieldActualsCase, BillingCase):
    """A field platform's completed task with its progress proposes progress
    on the schedule line the task is billed on."""

    def paving_billed_by_the_task(self):
        """The contract's paving line, which the field's task is billed on."""
        paving = self.schedule_line(self.make_contract(), self.code_paving)
        self.task.write({"project_id": self.project.id, "billing_line_id": paving.id})
        return paving

    def task_completed(self, key, received_at, completed_at, percent):
        """The field platform reports the task completed, and it is applied."""
        self.receive_event(
            "field.task.completed",
            key,
            received_at,
            {"task": "JOB-100-T1", "completed_at": completed_at, "progress_percent": percent},
        )
        self.apply()

    def test_completed_task_proposes_the_progress_it_reports_once(self):
        paving = self.paving_billed_by_the_task()
        self.task_completed("done-40", "2026-03-12T16:00:00+00:00", "2026-03-12T15:45:00-05:00", 40)
        proposals = paving.construction_progress_ids
        self.assertEqual(
            [(p.amount, p.source, p.task_id, p.state) for p in proposals],
            [(3960.0, "task", self.task, "proposed")],
        )
        self.task_completed(
            "done-40-again", "2026-03-12T17:00:00+00:00", "2026-03-12T15:45:00-05:00", 40
        )
        self.assertEqual(len(paving.construction_progress_ids), 1, "a resend proposes nothing more")

    def test_progress_is_dated_the_sites_day_of_completion(self):
        """Completed on the evening of March 31st west of Greenwich (April
        1st in UTC): the progress is March's, for March's pay application."""
        paving = self.paving_billed_by_the_task()
        self.task_completed(
            "done-month-end", "2026-04-01T02:31:00+00:00", "2026-03-31T19:30:00-07:00", 25
        )
        self.assertEqual(paving.construction_progress_ids.mapped("date"), [date(2026, 3, 31)])
