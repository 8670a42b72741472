"""Attacks on the sync engine, each through the door an attacker would use
(the event API with a platform's key, XML-RPC as the Sync Manager, the ORM
as that user), each refused with nothing written."""

import json
import xmlrpc.client

from odoo import Command
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..lib.problem import ApiError
from .common import FieldActualsCase, LocalServer

API = "/construction/api/v1"


class EngineAttackCase(FieldActualsCase):
    """The timekeeping system of :class:`FieldActualsCase`, and a photo app
    of the same company with the grants of its kind and a key of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.photo_app, cls.photo_key = cls.new_platform(
            "fieldcam_sec", "field_evidence", name="FieldCam"
        )
        cls.photo_user = cls.photo_app.service_user_id
        cls.labor_type = cls.env.ref("construction_sync.event_type_labor_approved")
        cls.manager = cls.users["sync_manager"]
        cls.administrator = cls.users["administrator"]

    def labor(self, entry, **changes):
        return dict(
            {
                "source_entry_id": entry,
                "employee": "EMP-17",
                "project": "JOB-100",
                "work_date": "2026-03-10",
                "hours": 8,
            },
            **changes,
        )

    def apply_labor(self, key, **changes):
        with trap_jobs() as trap:
            event = self.receive_event(
                "labor.approved", key, "2026-03-10T17:00:00Z", self.labor(key, **changes)
            )
            trap.perform_enqueued_jobs()
        return event


@tagged("post_install", "-at_install")
class TestEventGrants(HttpCase, EngineAttackCase):
    """Each system sends only the event types it is granted, and its events
    are applied with the rights those types need, never as superuser."""

    def call(self, path, body, key):
        return self.opener.post(
            self.base_url() + API + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=30,
        )

    def test_a_new_system_may_send_the_event_types_of_its_kind(self):
        photo_codes = set(self.photo_app.inbound_event_type_ids.mapped("code"))
        self.assertIn("field.task.completed", photo_codes)
        self.assertFalse(
            photo_codes
            & {"labor.approved", "material.consumed", "cost_code.upserted", "estimate.approved"}
        )
        timekeeper = self.System.create(
            {"name": "CrewClock", "code": "crewclock_sec", "kind": "timekeeping"}
        )
        self.assertEqual(
            set(timekeeper.inbound_event_type_ids.mapped("code")),
            {"labor.approved", "labor.corrected", "material.consumed"},
        )
        self.assertFalse(
            self.System.create({"name": "Misc", "code": "misc_sec"}).inbound_event_type_ids
        )

    def test_a_photo_app_key_cannot_book_labor_and_nothing_is_written(self):
        response = self.call(
            "/events",
            {
                "event_type": "labor.approved",
                "idempotency_key": "leak-1",
                "payload": self.labor("LEAK-1"),
            },
            self.photo_key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/problem+json")
        self.assertEqual(response.json()["code"], "event_type_not_allowed")
        self.assertEqual(response.json()["errors"][0]["pointer"], "/event_type")
        self.assertFalse(self.Event.search([("system_id", "=", self.photo_app.id)]))
        self.assertFalse(self.entry_lines("LEAK-1"))

    def test_a_batch_item_of_a_type_not_granted_is_refused_alone(self):
        task_type = "field.task.completed"
        response = self.call(
            "/events/batch",
            {
                "events": [
                    {
                        "event_type": task_type,
                        "idempotency_key": "ok-1",
                        "payload": {"task": "T-1", "completed_at": "2026-03-10T10:00:00Z"},
                    },
                    {
                        "event_type": "labor.approved",
                        "idempotency_key": "leak-2",
                        "payload": self.labor("LEAK-2"),
                    },
                ]
            },
            self.photo_key,
        )
        results = response.json()["results"]
        self.assertEqual([result["status"] for result in results], ["accepted", "rejected"])
        self.assertEqual(results[1]["error"]["code"], "event_type_not_allowed")
        events = self.Event.search([("system_id", "=", self.photo_app.id)])
        self.assertEqual(events.event_type_id.mapped("code"), [task_type])

    def test_only_an_administrator_grants_event_types_and_the_grant_is_tracked(self):
        as_manager = self.photo_app.with_user(self.manager)
        with self.assertRaises(AccessError):
            as_manager.write({"inbound_event_type_ids": [Command.link(self.labor_type.id)]})
        with self.assertRaises(AccessError):
            self.System.with_user(self.manager).create(
                {
                    "name": "Sneaky",
                    "code": "sneaky_sec",
                    "kind": "field_evidence",
                    "inbound_event_type_ids": [Command.set(self.labor_type.ids)],
                }
            )
        self.assertNotIn(self.labor_type, self.photo_app.inbound_event_type_ids)

        self.photo_app.with_user(self.administrator).with_context(tracking_disable=False).write(
            {"inbound_event_type_ids": [Command.link(self.labor_type.id)]}
        )
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.assertIn(self.labor_type, self.photo_app.inbound_event_type_ids)
        tracked = self.photo_app.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "inbound_event_type_ids"
        )
        self.assertTrue(tracked)
        self.assertIn(self.labor_type.display_name, tracked[0].new_value_char)

    def test_handlers_run_as_the_systems_handler_user_not_as_superuser(self):
        event = self.apply_labor("HU-1")
        self.assertEqual(event.state, "done", event.error_message)
        handler_user = self.system.handler_user_id
        line = self.entry_lines("HU-1")
        self.assertEqual(line.create_uid, handler_user)
        self.assertFalse(handler_user.active, "it cannot log in")
        self.assertFalse(handler_user._is_superuser() or handler_user._is_admin())
        self.assertEqual(handler_user.company_ids, self.system.company_id)
        for group in (
            "base.group_system",
            "construction_sync.group_construction_sync_manager",
            "construction_sync.group_construction_sync_field_api",
        ):
            self.assertFalse(handler_user.has_group(group), group)
        self.assertTrue(handler_user.has_group("hr_timesheet.group_hr_timesheet_approver"))

    def test_a_handler_whose_module_is_still_loading_is_granted_once_it_loads(self):
        """In an update, an event type's data may name the handler of a
        module not loaded yet: syncing the handler user skips it (the update
        goes on) and grants its rights when the type's data syncs again."""
        granted = self.system.inbound_event_type_ids.filtered("handler")
        handlers = {event_type: event_type.handler for event_type in granted}
        self.env.cr.execute(
            "UPDATE construction_sync_event_type SET handler = 'module_loading_later' "
            "WHERE id = ANY(%s)",
            [granted.ids],
        )
        granted.invalidate_recordset(["handler"])
        handler_user = self.system._handler_user()
        self.assertTrue(handler_user.has_group("base.group_user"))
        self.assertFalse(handler_user.has_group("hr_timesheet.group_hr_timesheet_approver"))
        for event_type, handler in handlers.items():
            self.env.cr.execute(
                "UPDATE construction_sync_event_type SET handler = %s WHERE id = %s",
                [handler, event_type.id],
            )
        granted.invalidate_recordset(["handler"])
        self.system._sync_handler_user()
        self.assertTrue(handler_user.has_group("hr_timesheet.group_hr_timesheet_approver"))

    def test_a_withdrawn_grant_leaves_queued_events_without_the_rights_to_apply(self):
        with trap_jobs() as trap:
            event = self.receive_event(
                "labor.approved", "wd-1", "2026-03-10T17:00:00Z", self.labor("WD-1")
            )
            self.system.with_user(self.administrator).inbound_event_type_ids = self.env[
                "construction.sync.event.type"
            ].search([("code", "=", "field.task.completed")])
            trap.perform_enqueued_jobs()
        self.assertEqual((event.state, event.error_code), ("needs_review", "access_denied"))
        self.assertFalse(self.entry_lines("WD-1"))

    def test_a_shared_value_map_cannot_reach_another_companys_project(self):
        foreign = self.env["project.project"].create(
            {"name": "Northside depot", "company_id": self.other_company.id}
        )
        self.env["construction.sync.value.map"].create(
            {
                "kind": "project",
                "external_value": "JOB-900",
                "internal_reference": f"project.project,{foreign.id}",
            }
        )
        event = self.apply_labor("XC-1", project="JOB-900")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn(self.other_company.name, event.error_message)
        self.assertFalse(self.entry_lines("XC-1"))
        self.assertFalse(self.Line.search([("project_id", "=", foreign.id)]))

    def test_a_binding_into_another_company_cannot_close_its_task(self):
        foreign_project = self.env["project.project"].create(
            {"name": "Northside yard", "company_id": self.other_company.id}
        )
        foreign_task = self.env["project.task"].create(
            {"name": "Seal the yard", "project_id": foreign_project.id}
        )
        self.bind(foreign_task, "NS-T1")
        with trap_jobs() as trap:
            event = self.receive_event(
                "field.task.completed",
                "xc-task",
                "2026-03-12T16:00:00Z",
                {"task": "NS-T1", "completed_at": "2026-03-12T15:45:00Z"},
            )
            trap.perform_enqueued_jobs()
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertNotEqual(foreign_task.state, "1_done")
        self.assertFalse(foreign_task.construction_completed_at)

    def test_payload_text_is_never_a_search_pattern(self):
        for wildcard in ("%", "%@%", "_%"):
            with self.subTest(employee=wildcard):
                event = self.apply_labor(f"PAT-{wildcard}", employee=wildcard)
                self.assertEqual(event.error_code, "unknown_reference")
                self.assertFalse(self.entry_lines(f"PAT-{wildcard}"))
        # A value map is matched by its value, blanks and case aside.
        self.env["construction.sync.value.map"].create(
            {
                "system_id": self.system.id,
                "kind": "employee",
                "external_value": "M_LOPEZ",
                "internal_reference": f"hr.employee,{self.employee.id}",
            }
        )
        self.assertEqual(
            self.apply_labor("PAT-1", employee="mxlopez").error_code, "unknown_reference"
        )
        self.assertEqual(self.apply_labor("PAT-2", employee=" m_lopez ").state, "done")


@tagged("post_install", "-at_install")
class TestSharedRecords(EngineAttackCase):
    """A shared record (no company) is written only by a system entitled to
    it, within every company's ownership rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grant(cls.system, "cost_code.upserted")

    def upsert(self, key, code="32 00 00", name="Renamed by one company"):
        with trap_jobs() as trap:
            event = self.receive(key, code=code, name=name)
            trap.perform_enqueued_jobs()
        return event

    def test_one_company_cannot_rename_a_shared_masterformat_division(self):
        division = self.division_32
        before = (division.name, division.analytic_account_id.name)
        event = self.upsert("shared-1")
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("shared", event.error_message)
        self.assertEqual((division.name, division.analytic_account_id.name), before)
        self.assertFalse(division.company_id)

    def test_only_an_administrator_lets_a_system_change_shared_records(self):
        with self.assertRaises(AccessError):
            self.system.with_user(self.manager).shared_records = True
        self.system.with_user(self.administrator).shared_records = True
        event = self.upsert("shared-2", name="Exterior Improvements (renamed)")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.division_32.name, "Exterior Improvements (renamed)")
        self.assertEqual(self.division_32.analytic_account_id.name, self.division_32.name)

    def test_every_companys_ownership_rules_cover_shared_records(self):
        self.system.shared_records = True
        owner = self.System.create(
            {"name": "Northside ERP", "code": "northside_erp", "company_id": self.other_company.id}
        )
        self.env["construction.sync.ownership"].create(
            {
                "model_id": self.env.ref("construction_sync.model_construction_cost_code").id,
                "system_id": owner.id,
            }
        )
        name = self.division_32.name
        event = self.upsert("shared-3")
        self.assertEqual(event.error_code, "business_rule")
        self.assertIn("Northside ERP", event.error_message)
        self.assertEqual(self.division_32.name, name)


@tagged("post_install", "-at_install")
class TestSyncManagerLimits(HttpCase, EngineAttackCase):
    """The Sync Manager configures the engine; it gets no superuser effect."""

    def xmlrpc_as(self, user, model, method, *args):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args)
        )

    def test_the_sync_manager_cannot_point_an_event_type_at_any_method(self):
        secret = self.env["ir.config_parameter"].get_param("database.secret")
        for vals in (
            {"handler": "cost_code_upsert"},
            {"handler": "ir.config_parameter.init"},
            {"handler_model": "ir.config_parameter", "handler_method": "init"},
        ):
            with self.subTest(vals=vals), self.assertRaises(xmlrpc.client.Fault):
                self.xmlrpc_as(
                    self.manager, "construction.sync.event.type", "write", self.labor_type.ids, vals
                )
        self.assertEqual(self.labor_type.handler, "labor")
        self.assertEqual(self.env["ir.config_parameter"].get_param("database.secret"), secret)
        as_manager = self.labor_type.with_user(self.manager)
        for field, value in (
            ("default_for_kinds", "field_evidence"),
            ("target_model_id", self.env["ir.model"]._get_id("res.partner")),
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                as_manager.write({field: value})
        as_manager.write({"name": "Labor approved (renamed)", "handler": "labor"})

    def test_a_replayed_payload_is_validated_again(self):
        event = self.apply_labor("RP-1", employee="EMP-404")
        self.assertEqual(event.state, "needs_review")
        as_manager = event.with_user(self.manager)
        for payload, reason in (
            (self.labor("RP-1", hours=1000), "hours"),
            (dict(self.labor("RP-1"), admin=True), "admin"),
        ):
            with self.subTest(reason=reason), trap_jobs() as trap:
                as_manager.payload = json.dumps(payload)
                with self.assertRaises(UserError) as caught:
                    as_manager.action_replay()
                self.assertIn(reason, str(caught.exception))
                trap.assert_jobs_count(0)
                self.assertEqual(event.state, "needs_review")
        # what the event is about never changes
        with self.assertRaises(UserError):
            as_manager.system_id = self.photo_app
        # an owned field is refused on replay as on reception
        hours = self.env["ir.model.fields"]._get("account.analytic.line", "unit_amount")
        self.env["construction.sync.ownership"].create(
            {"model_id": hours.model_id.id, "field_id": hours.id, "system_id": self.photo_app.id}
        )
        as_manager.payload = json.dumps(self.labor("RP-1"))
        with self.assertRaises(UserError) as caught:
            as_manager.action_replay()
        self.assertIn("/payload/hours", str(caught.exception))
        self.env["construction.sync.ownership"].search([]).unlink()
        # a corrected payload replays, under its own hash
        with trap_jobs() as trap:
            as_manager.action_replay()
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self.entry_lines("RP-1").employee_id, self.employee)

    def test_moving_the_base_url_clears_the_credential_unless_an_administrator_does(self):
        received = []

        def answer(request):
            received.append(request.headers.get("Authorization"))
            return 200, {"Content-Type": "application/json"}, b'{"totals": []}'

        self.system.write({"base_url": "https://crewclock.example/api"})
        self.system.sudo().api_token = "totals-token"
        with LocalServer(answer, "/api") as attacker:
            self.system.with_user(self.manager).base_url = attacker.url
            self.assertFalse(self.system.sudo().api_token)
            self.system._fetch_totals("2026-03")
        self.assertEqual(received, [None], "the token never reached the new address")
        self.assertIn("credentials", self.system.message_ids[0].body)

        self.system.sudo().api_token = "totals-token"
        self.system.with_user(self.env.ref("base.user_admin")).base_url = "https://b.example/api"
        self.assertEqual(self.system.sudo().api_token, "totals-token")

    def test_only_an_administrator_moves_a_service_user(self):
        as_manager = self.photo_app.with_user(self.manager)
        for vals in ({"service_user_id": False}, {"service_user_id": self.users["user"].id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_manager.write(vals)
        with self.assertRaises(AccessError):
            as_manager.unlink()
        self.assertEqual(self.photo_app.service_user_id, self.photo_user)
        self.photo_app.with_user(self.administrator).service_user_id = False
        self.assertFalse(self.photo_app.service_user_id)

    def test_event_jobs_take_their_channel_from_the_job_functions(self):
        with trap_jobs() as trap:
            self.receive_event("labor.approved", "ch-1", "2026-03-10T17:00:00Z", self.labor("C1"))
            self.assertEqual(trap.enqueued_jobs[0].channel, "root.construction_inbound")
        self.env["construction.sync.system.mode"].create(
            {"system_id": self.system.id, "event_type_id": self.labor_type.id, "mode": "batch"}
        )
        with trap_jobs() as trap:
            self.receive_event("labor.approved", "ch-2", "2026-03-10T17:00:00Z", self.labor("C2"))
            self.Event._cron_drain_batch()
            self.assertEqual(
                {job.channel for job in trap.enqueued_jobs}, {"root.construction_batch"}
            )
        self.env.ref(
            "construction_sync.queue_job_function_event_apply_batch"
        ).channel_id = self.env.ref("construction_sync.queue_channel_inbound")
        with trap_jobs() as trap:
            self.receive_event("labor.approved", "ch-3", "2026-03-10T17:00:00Z", self.labor("C3"))
            self.Event._cron_drain_batch()
            self.assertEqual(
                {job.channel for job in trap.enqueued_jobs}, {"root.construction_inbound"}
            )


@tagged("post_install", "-at_install")
class TestOwnershipByMappedFields(EngineAttackCase):
    """A field rule fires on the payload key that writes the field."""

    def test_a_field_rule_fires_on_the_payload_key_that_writes_it(self):
        self.grant(self.system, "cost_code.upserted")
        uom = self.env["ir.model.fields"]._get("construction.cost.code", "uom_id")
        self.env["construction.sync.ownership"].create(
            {"model_id": uom.model_id.id, "field_id": uom.id, "system_id": self.photo_app.id}
        )
        with self.assertRaises(ApiError) as caught:
            self.receive("mapped-1", unit="TN")
        self.assertEqual(caught.exception.code, "ownership_violation")
        self.assertEqual(caught.exception.errors[0]["pointer"], "/payload/unit")
        self.assertFalse(self.Event.search([("idempotency_key", "=", "mapped-1")]))
        self.assertTrue(self.receive("mapped-2"))
