import base64

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AssistCase


@tagged("post_install", "-at_install")
class TestCostCodeSuggestions(AssistCase):
    def labor(self, key, **payload):
        return self.receive_event(
            "labor.approved",
            key,
            "2026-03-10T17:00:00+00:00",
            dict(
                {
                    "source_entry_id": key,
                    "employee": "EMP-17",
                    "project": "JOB-100",
                    "work_date": "2026-03-10",
                    "hours": 8,
                },
                **payload,
            ),
            enqueue=False,
        )

    def test_the_scheduled_job_stores_each_companys_model_in_odoo(self):
        with trap_jobs() as trap:
            self.Model._cron_train()
            trap.assert_jobs_count(len(self.env["res.company"].search([])))
            trap.perform_enqueued_jobs()
        model = self.Model.search([("company_id", "=", self.company.id)])
        self.assertTrue(model.trained_at)
        self.assertGreaterEqual(model.line_count, 15, "the estimate lines at least")
        self.assertGreater(model.size_bytes, 0)
        self.assertEqual(len(base64.b64decode(model.model_file)), model.size_bytes)

    def test_a_suggestion_never_writes_a_cost_code_without_a_person(self):
        self.Model._train(self.company)
        event = self.labor("tk-cc1", cost_code="conc pour ftgs", description="pour footings")
        event._job_apply()
        self.assertEqual((event.state, event.error_code), ("needs_review", "unknown_reference"))
        suggestion = event.assist_open_suggestion_id
        self.assertEqual(suggestion.code_1_id, self.codes["03 30 91"])
        self.assertIn("similar past lines", suggestion.reason)
        self.assertGreater(suggestion.confidence_1, suggestion.confidence_2)
        # Suggested is all: no line, no value map, the payload as it came.
        self.assertFalse(self.entry_lines("tk-cc1"))
        self.assertEqual(event._payload()["cost_code"], "conc pour ftgs")
        self.assertFalse(
            self.env["construction.sync.value.map"].search(
                [("external_value", "=", "conc pour ftgs")]
            )
        )
        self.assertEqual(suggestion.state, "open")
        # A person accepts the first suggestion, and asks to remember it.
        manager = self.users["sync_manager"]
        with trap_jobs() as trap:
            suggestion.with_user(manager).remember = True
            suggestion.with_user(manager).with_context(assist_rank=1).action_accept()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        line = self.entry_lines("tk-cc1")
        self.assertEqual(line[self.column], self.codes["03 30 91"].analytic_account_id)
        self.assertEqual(
            (suggestion.state, suggestion.decided_by_id, suggestion.hit),
            ("accepted", manager, 1.0),
        )
        self.assertEqual(suggestion.chosen_code_id, self.codes["03 30 91"])
        # Remembered: the next line written the same way resolves by itself.
        again = self.labor("tk-cc2", cost_code="conc pour ftgs")
        again._job_apply()
        self.assertEqual(again.state, "done")

    def test_labor_posted_without_cost_code_is_coded_only_when_a_person_accepts(self):
        self.Model._train(self.company)
        event = self.labor("tk-cc9", description="dig utility trench along the curb")
        event._job_apply()
        self.assertEqual(event.state, "done", "the hours post as before")
        line = self.entry_lines("tk-cc9")
        self.assertFalse(line[self.column], "no cost code written by the assist")
        suggestion = event.assist_open_suggestion_id
        self.assertEqual(suggestion.source, "posted without cost code")
        self.assertEqual(suggestion.code_1_id, self.codes["31 23 91"])
        # a person who may not change the inbox cannot code its lines through it
        with self.assertRaises(AccessError):
            suggestion.with_user(self.users["estimator"]).with_context(
                assist_rank=1
            ).action_accept()
        self.assertFalse(line[self.column])
        manager = self.users["sync_manager"]
        suggestion.with_user(manager).with_context(assist_rank=1).action_accept()
        self.assertEqual(line[self.column], self.codes["31 23 91"].analytic_account_id)
        self.assertEqual((suggestion.state, suggestion.decided_by_id), ("accepted", manager))
        self.assertEqual(event.state, "done", "nothing replayed")
        # hours with a code, or without words of what was done, get none
        coded = self.labor(
            "tk-cc10", cost_code="31 23 16.26", description="trench", work_date="2026-03-11"
        )
        bare = self.labor("tk-cc11", work_date="2026-03-12")
        (coded | bare)._job_apply()
        self.assertFalse((coded | bare).assist_decision_ids)

    def test_choosing_another_code_is_recorded_as_overridden(self):
        self.Model._train(self.company)
        event = self.labor("tk-cc3", cost_code="misc work")
        event._job_apply()
        suggestion = event.assist_open_suggestion_id
        chosen = self.codes["09 91 91"] - suggestion.code_1_id or self.codes["31 23 91"]
        manager = self.users["sync_manager"]
        with trap_jobs() as trap:
            suggestion.with_user(manager).other_code_id = chosen
            suggestion.with_user(manager).with_context(assist_rank="other").action_accept()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        self.assertEqual(event._payload()["cost_code"], chosen.code, "written into the payload")
        self.assertEqual(suggestion.hit, 0.0)
        self.assertEqual(suggestion.chosen_code_id, chosen)

    def test_company_a_model_never_suggests_from_company_b_history(self):
        other = self.other_company
        project_b = self.env["project.project"].create(
            {"name": "Northside lot", "company_id": other.id}
        )
        codes_b = {
            code: self.CostCode.create(
                {"code": code, "name": f"Northside {code}", "company_id": other.id}
            )
            for code in ("32 17 91", "32 12 91")
        }
        history_b = {
            "32 17 91": ["zebra crossing paint", "zebra crossing striping", "paint zebra lines"],
            "32 12 91": ["asphalt overlay", "overlay asphalt lot", "mill and overlay"],
        }
        self.history_estimate(other, project_b, codes_b, history_b)
        self.Model._train(self.company)
        self.Model._train(other)
        line = {"description": "zebra crossing paint"}
        ours = self.Model._suggest(self.company, [line])[0]
        self.assertTrue(ours)
        self.assertFalse(
            {code for code, _confidence, _reason in ours} & set(codes_b.values()),
            "company A's suggestions come from its own cost codes only",
        )
        theirs = self.Model._suggest(other, [line])[0]
        self.assertEqual(theirs[0][0], codes_b["32 17 91"])
        self.assertFalse({code for code, _confidence, _reason in theirs} & set(self.codes.values()))
