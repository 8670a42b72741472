import json

from odoo.tests import HttpCase, tagged

from .common import BillingCase

API = "/construction/api/v1"


@tagged("post_install", "-at_install")
class TestProgressReported(HttpCase, BillingCase):
    """A field platform's progress arrives as ``progress.reported`` on the
    event API and waits, as a proposal, for a project controller: the
    contract of the bridge's estimate (paving 9,900 for 100 t, striping
    1,050 for 2,000 ft, traffic control 750), its project and paving line
    bound to the platform's ids."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls.make_contract()
        cls.paving = cls.schedule_line(cls, cls.contract, cls.code_paving)
        cls.striping = cls.schedule_line(cls, cls.contract, cls.code_striping)
        cls.system, cls.api_key = cls.new_platform("fieldops", "field_evidence")
        cls.Binding = cls.env["construction.sync.binding"]
        cls.Binding.create(
            [
                {
                    "system_id": cls.system.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "external_id": external_id,
                }
                for record, external_id in (
                    (cls.contract.construction_project_id, "JOB-7"),
                    (cls.paving, "SOV-7-PAVING"),
                )
            ]
        )
        cls.Event = cls.env["construction.sync.event"]
        cls.Progress = cls.env["construction.billing.progress"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @staticmethod
    def envelope(key, occurred_at="2026-03-31T18:00:00+00:00", **payload):
        return {
            "event_type": "progress.reported",
            "idempotency_key": key,
            "occurred_at": occurred_at,
            "payload": dict({"source_item_id": "PI-1", "period_to": "2026-03-31"}, **payload),
        }

    def post(self, body, key=None):
        return self.opener.post(
            self.base_url() + API + "/events",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {key or self.api_key}",
                "Content-Type": "application/json",
            },
            timeout=30,
        )

    def report(self, key, occurred_at="2026-03-31T18:00:00+00:00", **payload):
        """Receive and apply one report, as the event API and its job do."""
        event, _created = self.Event.sudo()._receive(
            self.system, self.envelope(key, occurred_at, **payload)
        )
        event._job_apply()
        return event

    def proposals(self, line):
        return line.construction_progress_ids.sorted("id")

    def pay_application(self, period_to="2026-03-31"):
        return (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": self.contract.id, "period_to": period_to})
        )

    # ------------------------------------------------------------------
    # Over HTTP
    # ------------------------------------------------------------------

    def test_reported_progress_over_the_api_is_proposed_and_billed_only_once_approved(self):
        body = self.envelope(
            "fieldops-pi-1",
            project="JOB-7",
            cost_code="32 12 16",
            percent_complete=40,
            stored_materials=500,
            notes="Base course down on the north lot",
        )
        response = self.post(body)
        self.assertEqual(response.status_code, 202, response.text)
        posted = response.json()
        resend = self.post(body)
        self.assertEqual(resend.status_code, 200, resend.text)
        self.assertEqual((resend.json()["id"], resend.json()["duplicate"]), (posted["id"], True))

        event = self.Event.browse(posted["id"])
        event._job_apply()
        status = self.opener.get(
            f"{self.base_url()}{API}/events/{event.id}",
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=30,
        ).json()
        self.assertEqual(status["state"], "done", status)
        (proposal,) = self.proposals(self.paving)
        self.assertEqual(
            [(record["model"], record["id"]) for record in status["records"]],
            [("construction.billing.progress", proposal.id)],
        )
        self.assertEqual(
            (proposal.amount, proposal.stored_amount, proposal.state, proposal.source),
            (3960.0, 500.0, "proposed", "platform"),
            "40 % of 9,900 and the materials stored, waiting for a controller",
        )
        self.assertEqual(str(proposal.date), "2026-03-31")
        self.assertIn("Base course down", proposal.note)

        application = self.pay_application()
        self.assertEqual(
            (application.completed_and_stored, application.current_payment_due),
            (0.0, 0.0),
            "a proposal is never billed",
        )
        proposal.with_user(self.controller).action_approve()
        application.with_user(self.pm).action_refresh()
        self.assertEqual(application.completed_and_stored, 4460.0)
        self.assertEqual(application.progress_ids, proposal)

    def test_bad_reports_are_problems_with_stable_codes_and_write_nothing(self):
        events = self.Event.search_count([])
        cases = [
            (
                "over-100",
                {"schedule_line": "SOV-7-PAVING", "percent_complete": 120},
                ["/payload/percent_complete"],
            ),
            (
                "percent-and-quantity",
                {"schedule_line": "SOV-7-PAVING", "percent_complete": 10, "installed_quantity": 5},
                ["/payload"],
            ),
            ("no-figure", {"schedule_line": "SOV-7-PAVING"}, ["/payload"]),
            ("no-line", {"percent_complete": 10}, ["/payload"]),
            ("project-only", {"project": "JOB-7", "percent_complete": 10}, ["/payload"]),
            (
                "negative-stored",
                {"schedule_line": "SOV-7-PAVING", "percent_complete": 10, "stored_materials": -5},
                ["/payload/stored_materials"],
            ),
            (
                "unknown-key",
                {"schedule_line": "SOV-7-PAVING", "percent_complete": 10, "amount": 99},
                ["/payload"],
            ),
            ("bad-date", {"schedule_line": "SOV-7-PAVING", "percent_complete": 10}, None),
        ]
        for key, payload, pointers in cases:
            with self.subTest(case=key):
                body = self.envelope(key, **payload)
                if pointers is None:
                    body["payload"]["period_to"] = "31/03/2026"
                    pointers = ["/payload/period_to"]
                response = self.post(body)
                self.assertEqual(response.status_code, 422, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/problem+json")
                problem = response.json()
                self.assertEqual(problem["code"], "schema_violation")
                self.assertEqual(sorted({e["pointer"] for e in problem["errors"]}), pointers)
        # A system not granted the type is refused before anything is read.
        _timekeeping, key = self.new_platform("billing_timekeeping", "timekeeping")
        refused = self.post(
            self.envelope("not-granted", schedule_line="SOV-7-PAVING", percent_complete=10),
            key=key,
        )
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertEqual(refused.json()["code"], "event_type_not_allowed")
        self.assertEqual(self.Event.search_count([]), events)
        self.assertFalse(self.Progress.search([("contract_id", "=", self.contract.id)]))

    def test_the_served_openapi_document_describes_the_payload_like_the_data(self):
        document = self.opener.get(self.base_url() + API + "/openapi.json", timeout=30).json()
        documented = document["components"]["schemas"]["ProgressReported"]
        event_type = self.env.ref("construction_billing.event_type_progress_reported")
        data = json.loads(event_type.payload_schema)
        for key in ("properties", "required", "allOf", "dependentRequired"):
            with self.subTest(key=key):
                self.assertEqual(documented[key], data[key])
        self.assertIn(event_type.code, documented["description"])
        self.assertIn(event_type, self.system.inbound_event_type_ids, "granted to field platforms")

    # ------------------------------------------------------------------
    # The handler
    # ------------------------------------------------------------------

    def test_a_correction_replaces_the_proposal_until_a_controller_decides(self):
        first = self.report("pi-1-a", schedule_line="SOV-7-PAVING", percent_complete=40)
        corrected = self.report(
            "pi-1-b",
            "2026-03-31T19:00:00+00:00",
            schedule_line="SOV-7-PAVING",
            percent_complete=50,
            stored_materials=300,
        )
        (proposal,) = self.proposals(self.paving)
        self.assertEqual((first.state, corrected.state), ("done", "done"))
        self.assertEqual((proposal.amount, proposal.stored_amount), (4950.0, 300.0))
        self.assertEqual(corrected.link_ids.res_id, proposal.id, "the same proposal, replaced")

        same_again = self.report(
            "pi-1-c",
            "2026-03-31T19:30:00+00:00",
            schedule_line="SOV-7-PAVING",
            percent_complete=50,
            stored_materials=300,
        )
        self.assertEqual(same_again.state, "done")
        self.assertEqual(
            [(p.amount, p.stored_amount) for p in self.proposals(self.paving)], [(4950.0, 300.0)]
        )

        proposal.with_user(self.controller).action_approve()
        later = self.report(
            "pi-1-d",
            "2026-04-30T18:00:00+00:00",
            schedule_line="SOV-7-PAVING",
            period_to="2026-04-30",
            percent_complete=60,
            stored_materials=100,
        )
        self.assertEqual(later.state, "done")
        approved, added = self.proposals(self.paving)
        self.assertEqual((approved.amount, approved.state), (4950.0, "approved"), "untouched")
        self.assertEqual(
            (added.amount, added.stored_amount, added.state, str(added.date)),
            (990.0, -200.0, "proposed", "2026-04-30"),
            "only what the report adds: 10 % more, 200 of the stored materials installed",
        )

        stale = self.report(
            "pi-1-old",
            "2026-03-30T18:00:00+00:00",
            schedule_line="SOV-7-PAVING",
            percent_complete=90,
        )
        self.assertEqual(stale.error_code, "out_of_order")
        self.assertEqual(added.amount, 990.0, "an older report never undoes a newer one")

    def test_installed_quantity_is_valued_on_the_contract_quantity(self):
        self.report(
            "stripe-1",
            source_item_id="PI-STRIPE",
            project="JOB-7",
            cost_code="32 17 23",
            installed_quantity=500,
        )
        (proposal,) = self.proposals(self.striping)
        self.assertEqual(proposal.amount, 262.5, "500 of 2,000 ft of 1,050")
        too_much = self.report(
            "stripe-2",
            "2026-03-31T19:00:00+00:00",
            source_item_id="PI-STRIPE",
            project="JOB-7",
            cost_code="32 17 23",
            installed_quantity=2500,
        )
        self.assertEqual((too_much.state, too_much.error_code), ("needs_review", "business_rule"))
        self.assertIn("exceed its scheduled value", too_much.error_message)
        self.assertEqual(proposal.amount, 262.5, "nothing half-written")

    def test_reports_that_cannot_be_placed_wait_for_review_and_write_nothing(self):
        approved = self.progress(self.paving, "2026-03-15", basis="percent", percent=30)
        approved.with_user(self.controller).action_approve()
        cases = [
            ("unknown-project", {"project": "JOB-9", "cost_code": "32 12 16"}, "unknown_reference"),
            ("unbound-line", {"schedule_line": "SOV-7-NOPE"}, "unknown_reference"),
            ("no-such-line", {"project": "JOB-7", "cost_code": "32 01 13.62"}, "business_rule"),
            ("below-approved", {"schedule_line": "SOV-7-PAVING"}, "business_rule"),
        ]
        for key, payload, code in cases:
            with self.subTest(case=key):
                event = self.report(key, source_item_id=key, percent_complete=20, **payload)
                self.assertEqual((event.state, event.error_code), ("needs_review", code))
        unknown = self.Event.search([("idempotency_key", "=", "unknown-project")])
        self.assertIn("/payload/project", unknown.error_message)
        self.assertIn("already approved or proposed", event.error_message)
        self.assertEqual(self.Progress.search([("contract_id", "=", self.contract.id)]), approved)
