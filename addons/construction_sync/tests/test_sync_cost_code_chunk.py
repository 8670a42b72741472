import json

from odoo.tests import tagged

from .common import SyncCase

T1 = "2026-03-10T17:00:00+00:00"


@tagged("post_install", "-at_install")
class TestSyncCostCodeChunk(SyncCase):
    """A job's new cost codes are made together (one create, one insert of
    bindings); what the chunk cannot take goes one by one and ends as it
    would alone."""

    def upsert(self, key, occurred_at=T1, **payload):
        event, _created = self.Event.sudo()._receive(
            self.system,
            dict(self.envelope(key, **payload), occurred_at=occurred_at),
            enqueue=False,
        )
        return event

    def wall(self, key, index, occurred_at=T1, **payload):
        """A subcontracted wall code the estimating system knows as BM-<index>."""
        payload = dict(
            {"code": f"32 32 {13 + index}", "name": f"Wall {index}", "cost_type": "subcontract"},
            **payload,
        )
        return self.upsert(key, occurred_at, external_id=f"BM-{index}", **payload)

    def code(self, number):
        return self.CostCode.with_context(active_test=False).search([("code", "=", number)])

    def test_new_codes_are_made_together_as_each_would_be_alone(self):
        accounting = self.System.create(
            {
                "name": "Ledger",
                "code": "ledger_test",
                "kind": "accounting",
                "outbound_url": "http://127.0.0.1:9/hooks",
                "outbound_event_type_ids": [
                    (4, self.env.ref("construction_sync.event_type_cost_code_changed").id)
                ],
            }
        )
        small = self.Event.browse(
            [self.upsert(f"s-{i}", code=f"32 31 {13 + i}", name=f"Fence {i}").id for i in range(5)]
        )
        large = self.Event.browse([self.wall(f"l-{i}", i).id for i in range(30)])
        # a section and its subsection, filed under it in the same chunk
        family = self.upsert("f-1", code="32 33 13", name="Site Furnishings") | self.upsert(
            "f-2", code="32 33 13.13", name="Benches"
        )
        small_queries = self.apply_counting(small)
        large_queries = self.apply_counting(large)
        family._job_apply()
        self.assertEqual(set((small | large | family).mapped("state")), {"done"})
        self.assertLess(
            large_queries,
            small_queries * 2,
            f"30 new codes cost {large_queries} queries, 5 cost {small_queries}",
        )
        plan = self.CostCode._cost_code_plan()
        for index, event in enumerate(large):
            code = self.code(f"32 32 {13 + index}")
            self.assertEqual(
                (code.name, code.cost_type, code.company_id, code.active),
                (f"Wall {index}", "subcontract", self.company, True),
            )
            self.assertEqual(
                (
                    code.analytic_account_id.name,
                    code.analytic_account_id.code,
                    code.analytic_account_id.plan_id,
                ),
                (f"Wall {index}", code.code, plan),
            )
            self.assertEqual(
                (event.link_ids.res_model, event.link_ids.res_id, event.link_ids.correlation_id),
                ("construction.cost.code", code.id, event.correlation_id),
            )
            self.assertEqual(event.attempts, 1)
            binding = self.env["construction.sync.binding"].search(
                [("system_id", "=", self.system.id), ("external_id", "=", f"BM-{index}")]
            )
            self.assertEqual(
                (binding._record(), binding.company_id, binding.sync_hash),
                (code, self.company, event.payload_hash),
            )
        self.assertEqual(
            self.code("32 33 13.13").parent_id, self.code("32 33 13"), "filed under its section"
        )
        published = self.env["construction.sync.delivery"].search(
            [("system_id", "=", accounting.id)]
        )
        self.assertEqual(
            sorted(json.loads(delivery.payload)["code"] for delivery in published),
            sorted((small | large | family).mapped(lambda event: event._payload()["code"])),
            "each new code announced once",
        )
        # The chunk's bindings serve the codes' later changes and resends.
        renamed = self.wall("l-0-2", 0, "2026-03-11T09:00:00+00:00", name="Retaining Wall")
        resent = self.wall("l-1-again", 1)
        (renamed | resent)._job_apply()
        self.assertEqual(set((renamed | resent).mapped("state")), {"done"})
        self.assertEqual(self.code("32 32 13").name, "Retaining Wall")
        self.assertEqual(len(self.code("32 32 14")), 1)

    def test_what_the_chunk_cannot_take_ends_as_it_would_alone(self):
        existing = self.CostCode.create({"code": "32 31 13", "name": "Fences"})
        archived = self.CostCode.create({"code": "32 31 23", "name": "Gates", "active": False})
        shared = self.CostCode.create(
            {"code": "32 31 26", "name": "Wire Fences", "company_id": False}
        )
        events = (
            self.upsert("c-new", code="32 31 29", name="Wood Fences")
            | self.upsert("c-rename", code="323113", name="Chain Link Fences")
            | self.upsert("c-archived", code="32 31 23", name="Gates and Operators")
            | self.upsert("c-shared", code="32 31 26", name="Wire Fences and Gates")
            | self.upsert("c-unit", code="32 31 33", name="Posts", unit="TONNE")
            | self.upsert("c-bad", code="32 00 16", name="Not a section")
            | self.upsert("c-twice-1", code="32 31 43", name="Railings")
            | self.upsert("c-twice-2", "2026-03-10T18:00:00+00:00", code="32 31 43", name="Rails")
            | self.upsert("c-new-2", code="32 31 46", name="Bollards")
        )
        events._job_apply()
        self.assertEqual(
            [(event.state, event.error_code) for event in events],
            [
                ("done", False),
                ("done", False),
                ("done", False),
                ("needs_review", "business_rule"),
                ("needs_review", "unknown_reference"),
                ("needs_review", "business_rule"),
                ("done", False),
                ("done", False),
                ("done", False),
            ],
        )
        self.assertEqual(existing.name, "Chain Link Fences")
        self.assertEqual(archived.name, "Gates and Operators", "found, not made twice")
        self.assertEqual(len(self.code("32 31 23")), 1)
        self.assertIn("shared", events[3].error_message)
        self.assertEqual(shared.name, "Wire Fences", "a shared code is not this system's to change")
        self.assertIn("TONNE", events[4].error_message)
        self.assertIn("level-2 group", events[5].error_message)
        self.assertFalse(self.code("32 31 33") | self.code("32 00 16"))
        self.assertEqual(self.code("32 31 43").name, "Rails", "the later event last")
        self.assertEqual(
            (self.code("32 31 29") | self.code("32 31 46")).mapped("company_id"), self.company
        )

    def test_foreign_writes_waiting_for_review_are_checked_each(self):
        """An event type whose writes to another system's fields wait for a
        person is never applied in a chunk past that check."""
        self.upsert_type.review_foreign_writes = True
        owner = self.System.create(
            {"name": "FieldCam", "code": "fieldcam_test", "kind": "estimating"}
        )
        self.env["construction.sync.ownership"].create(
            {
                "model_id": self.env.ref("construction_sync.model_construction_cost_code").id,
                "system_id": owner.id,
            }
        )
        events = self.upsert("o-1", code="32 31 13", name="Fences") | self.upsert(
            "o-2", code="32 31 23", name="Gates"
        )
        events._job_apply()
        self.assertEqual(
            set(events.mapped(lambda event: (event.state, event.error_code))),
            {("needs_review", "ownership_review")},
        )
        self.assertFalse(self.code("32 31 13") | self.code("32 31 23"))

    def test_codes_a_system_makes_carry_no_note_nor_follower_and_changes_are_tracked(self):
        """As Odoo's mail gateway creates records: the event and binding
        say which system made the code; its handler user follows none of
        them; what the system changes later is in the code's chatter."""
        alone = self.upsert("n-1", code="32 31 13", name="Fences")
        together = self.upsert("n-2", code="32 31 14", name="Gates") | self.upsert(
            "n-3", code="32 31 15", name="Posts"
        )
        alone.with_context(tracking_disable=False)._job_apply()
        together.with_context(tracking_disable=False)._job_apply()
        codes = self.code("32 31 13") | self.code("32 31 14") | self.code("32 31 15")
        self.assertEqual(len(codes), 3)
        self.assertEqual(set((alone | together).mapped("state")), {"done"})
        self.assertFalse(codes.message_ids)
        self.assertFalse(codes.message_follower_ids)

        renamed = self.upsert("n-4", "2026-03-11T17:00:00+00:00", code="32 31 13", name="Chain")
        renamed.with_context(tracking_disable=False)._job_apply()
        self.env.cr.precommit.run()  # tracking values are written at commit
        fences = self.code("32 31 13")
        changes = fences.message_ids.tracking_value_ids
        self.assertEqual(
            (changes.field_id.name, changes.old_value_char, changes.new_value_char),
            ("name", "Fences", "Chain"),
        )
