import threading

from odoo import Command, api
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.jobrunner.runner import Database
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import tagged

from ..lib.problem import ApiError
from .common import SyncCase


class JobRunnerMixin:
    """Runs a stored job the way queue_job's runner does: in a savepoint
    standing for its own transaction, postponed again on a retryable error."""

    def run_job(self, job_record):
        job = Job.load(self.env, job_record.uuid)
        try:
            with self.env.cr.savepoint():
                job.perform()
        except RetryableJobError as error:
            job.postpone(result=str(error), seconds=error.seconds)
            job.set_pending(reset_retry=False)
            job.store()
            return error
        job.set_done()
        job.store()
        return None

    def pending_jobs(self):
        """The jobs :meth:`run_jobs` runs: by default those of pulls and
        inbox events, not outbound deliveries."""
        return self.env["queue.job"].search(
            [
                ("state", "in", ("pending", "enqueued")),
                ("model_name", "in", ["construction.sync.pull", "construction.sync.event"]),
            ],
            order="id",
        )

    def run_jobs(self, limit=200):
        """Run every pending job (:meth:`pending_jobs`) as the runner would,
        again and again until none is left; returns the retries asked for."""
        retries = []
        for _round in range(limit):
            jobs = self.pending_jobs()
            if not jobs:
                return retries
            for job in jobs:
                error = self.run_job(job)
                if isinstance(error, RetryableJobError):
                    retries.append(error)
        raise AssertionError("jobs kept coming")

    def jobs_of(self, records, method):
        return (
            self.env["queue.job"]
            .search([("model_name", "=", records._name), ("method_name", "=", method)])
            .filtered(lambda job: set(job.records.ids) & set(records.ids))
        )


@tagged("post_install", "-at_install")
class TestSyncPipeline(JobRunnerMixin, SyncCase):
    def test_received_event_is_queued_and_applied_once(self):
        with trap_jobs() as trap:
            event = self.receive("est-1", unit="TN", external_id="BM-1")
            trap.assert_jobs_count(1, only=event._job_apply)
            self.assertEqual(event.state, "queued")
            self.assertTrue(event.correlation_id)
            self.env["construction.sync.value.map"].create(
                {
                    "system_id": self.system.id,
                    "kind": "uom",
                    "external_value": "tn",
                    "internal_reference": f"uom.uom,{self.ton.id}",
                }
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        code = self.CostCode.search([("code", "=", "32 12 16.13")])
        self.assertEqual(
            (code.name, code.uom_id, code.company_id),
            ("Plant-Mix Asphalt Paving", self.ton, self.company),
        )
        self.assertEqual(event.link_ids.res_id, code.id)
        binding = self.env["construction.sync.binding"].search([("external_id", "=", "BM-1")])
        self.assertEqual(binding._record(), code)

        again, created = self.Event.sudo()._receive(
            self.system, self.envelope("est-1", unit="TN", external_id="BM-1")
        )
        self.assertFalse(created)
        self.assertEqual(again, event)
        self.assertEqual(self.Event.search_count([("system_id", "=", self.system.id)]), 1)

    def test_same_key_with_another_payload_is_a_conflict(self):
        self.receive("est-2")
        with self.assertRaises(ApiError) as caught:
            self.receive("est-2", name="Something else")
        self.assertEqual(caught.exception.code, "idempotency_conflict")

    def test_unknown_reference_waits_for_a_map_then_replays(self):
        with trap_jobs() as trap:
            event = self.receive("est-3", unit="TONNE")
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "needs_review")
        self.assertEqual(event.error_code, "unknown_reference")
        self.assertIn("'TONNE'", event.error_message)
        self.assertFalse(self.CostCode.search([("code", "=", "32 12 16.13")]))

        self.env["construction.sync.value.map"].create(
            {
                "kind": "uom",
                "external_value": "TONNE",
                "internal_reference": f"uom.uom,{self.ton.id}",
            }
        )
        with trap_jobs() as trap:
            event.action_replay()
            trap.assert_jobs_count(1, only=event._job_apply)
            trap.perform_enqueued_jobs()
        self.assertEqual(event.state, "done")
        self.assertFalse(event.error_code)
        self.assertEqual(self.CostCode.search([("code", "=", "32 12 16.13")]).uom_id, self.ton)

    def test_business_error_goes_to_review_with_the_reason(self):
        with trap_jobs() as trap:
            event = self.receive("est-4", code="32 00 16")
            trap.perform_enqueued_jobs()
        self.assertEqual((event.state, event.error_code), ("needs_review", "business_rule"))
        self.assertIn("level-2 group", event.error_message)

    def test_transient_failure_retries_then_dies_with_an_activity_then_replays(self):
        division = self.division_32
        self.system.shared_records = True  # the division is shared by every company
        event = self.receive("est-5", code="32", name="Exterior Improvements (BidMaster)")
        job_record = self.jobs_of(event, "_job_apply")
        self.assertEqual(len(job_record), 1)
        self.assertEqual(job_record.max_retries, 3)
        # Another transaction changes the same row and commits: this
        # transaction's next write to it is a real serialization failure.
        with self.env.registry.cursor() as other:
            other.execute(
                "UPDATE construction_cost_code SET write_date = write_date WHERE id = %s",
                [division.id],
            )
        error = self.run_job(job_record)
        self.assertIsInstance(error, RetryableJobError)
        self.assertEqual(event.state, "queued")
        error = self.run_job(job_record)
        self.assertIsInstance(error, RetryableJobError)
        self.assertIsNone(self.run_job(job_record), "the last attempt does not raise")
        self.assertEqual(
            (event.state, event.error_code, event.attempts), ("dead", "retries_exhausted", 3)
        )
        activity = event.activity_ids
        self.assertEqual(activity.user_id, self.owner)
        self.assertIn("replay", activity.note)

        event.action_replay()
        self.assertEqual(event.state, "queued")
        self.assertFalse(event.activity_ids)
        self.assertEqual(len(self.jobs_of(event, "_job_apply")), 2)

    def worker_dies(self, job_record, retry):
        """The worker running ``job_record`` is killed: the job stays
        started (its lock gone with the worker's connection), then queue_job's
        runner runs the very query it runs on each loop to requeue dead jobs."""
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started', retry = %s,"
            " date_enqueued = (now() AT TIME ZONE 'utc') - interval '1 minute' WHERE id = %s",
            [retry, job_record.id],
        )
        self.env.cr.execute(Database._query_requeue_dead_jobs(None))
        self.env.invalidate_all()

    def test_a_job_whose_worker_died_is_requeued_and_applies_once(self):
        event = self.receive("killed-1", code="32 31 13", name="Fences")
        job_record = self.jobs_of(event, "_job_apply")
        self.assertEqual(event.job_id, job_record)
        self.worker_dies(job_record, retry=0)
        self.assertEqual((job_record.state, job_record.retry), ("pending", 1))
        self.assertEqual(self.Event._cron_bury_lost(), 0, "a requeued job is not lost")
        self.assertEqual(event.state, "queued")

        self.assertIsNone(self.run_job(job_record))
        self.assertEqual((event.state, event.attempts), ("done", 2))
        self.assertEqual(len(self.CostCode.search([("code", "=", "32 31 13")])), 1)

    def test_a_job_found_dead_too_often_leaves_its_events_dead_then_replayed(self):
        event = self.receive("killed-2", code="32 31 13", name="Fences")
        job_record = event.job_id
        self.worker_dies(job_record, retry=job_record.max_retries + 1)
        self.assertEqual((job_record.state, job_record.exc_name), ("failed", "JobFoundDead"))
        self.assertEqual(event.state, "queued", "queue_job alone leaves the event waiting")

        self.assertEqual(self.Event._cron_bury_lost(), 1)
        self.assertEqual((event.state, event.error_code), ("dead", "job_failed"))
        self.assertIn("JobFoundDead", event.error_message)
        self.assertIn(job_record.uuid, event.error_message)
        self.assertEqual(event.activity_ids.user_id, self.owner)

        event.action_replay()
        replay_job = event.job_id
        self.assertNotEqual(replay_job, job_record)
        self.assertEqual(self.Event._cron_bury_lost(), 0, "the failed job is no longer its job")
        self.assertEqual(event.state, "queued")
        self.assertIsNone(self.run_job(replay_job))
        self.assertEqual(event.state, "done")
        self.assertEqual(len(self.CostCode.search([("code", "=", "32 31 13")])), 1)

    def test_a_record_created_meanwhile_by_another_worker_is_retried_not_failed(self):
        """Another worker binds the same new external id and commits while
        this job runs: the insert collides, the job retries, and the retry
        finds the other worker's record."""
        bidmaster = self.env.ref("construction_sync.sync_system_bidmaster")
        event = self.receive("race-bind", system=bidmaster, external_id="BM-NEW-1")
        job_record = self.jobs_of(event, "_job_apply")
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(
                "INSERT INTO construction_sync_binding (system_id, company_id, res_model, res_id,"
                " external_id) VALUES (%s, %s, 'construction.cost.code', %s, 'BM-NEW-1')"
                " RETURNING id",
                [bidmaster.id, bidmaster.company_id.id, self.division_32.id],
            )
            binding_id = other.fetchone()[0]
        try:
            error = self.run_job(job_record)
            self.assertIsInstance(error, RetryableJobError)
            self.assertEqual(event.state, "queued", "not failed, not applied twice")
        finally:
            with db_connect(self.env.cr.dbname).cursor() as other:
                other.execute("DELETE FROM construction_sync_binding WHERE id = %s", [binding_id])

    def test_batch_mode_waits_for_the_drain(self):
        self.env["construction.sync.system.mode"].create(
            {"system_id": self.system.id, "event_type_id": self.upsert_type.id, "mode": "batch"}
        )
        with trap_jobs() as trap:
            events = self.receive("b-1", code="32 31 13", name="Fences") | self.receive(
                "b-2", code="32 31 23", name="Gates"
            )
            trap.assert_jobs_count(0)
            self.assertEqual(set(events.mapped("state")), {"received"})
            drained = self.Event._cron_drain_batch(chunk_size=1)
            self.assertGreaterEqual(drained, 2)
            self.assertEqual(set(events.mapped("state")), {"queued"})
            trap.assert_jobs_count(drained)
            trap.perform_enqueued_jobs()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(self.CostCode.search([("code", "in", ["32 31 13", "32 31 23"])])), 2)

    def test_grouped_events_wait_for_one_job_that_queues_them_together(self):
        self.env["construction.sync.system.mode"].create(
            {"system_id": self.system.id, "event_type_id": self.upsert_type.id, "mode": "grouped"}
        )
        codes = ["32 31 13", "32 31 23", "32 31 26"]
        events = self.Event.browse()
        for index, code in enumerate(codes):
            events |= self.receive(f"g-{index}", code=code, name=f"Fence {index}")
        self.assertEqual(set(events.mapped("state")), {"received"})
        self.assertEqual(
            self.pending_jobs().mapped("method_name"),
            ["_job_queue_grouped"],
            "three requests, one job",
        )

        self.run_jobs()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(len(events.job_id), 1, "applied together, in one job")
        self.assertEqual(len(self.CostCode.search([("code", "in", codes)])), 3)

    def test_ownership_refuses_a_non_owner(self):
        other = self.System.create(
            {"name": "FieldCam", "code": "fieldcam_test", "kind": "estimating"}
        )
        self.env["construction.sync.ownership"].create(
            {
                "model_id": self.env.ref("construction_sync.model_construction_cost_code").id,
                "system_id": other.id,
            }
        )
        with self.assertRaises(ApiError) as caught:
            self.receive("own-1")
        self.assertEqual(caught.exception.code, "ownership_violation")
        self.assertIn("FieldCam", caught.exception.detail)
        self.assertFalse(self.Event.search([("idempotency_key", "=", "own-1")]))
        self.receive("own-2", system=other)

    def test_field_ownership_names_the_field(self):
        name_field = self.env["ir.model.fields"]._get("construction.cost.code", "name")
        other = self.System.create(
            {"name": "FieldCam", "code": "fieldcam_test", "kind": "estimating"}
        )
        self.env["construction.sync.ownership"].create(
            {
                "model_id": name_field.model_id.id,
                "field_id": name_field.id,
                "system_id": other.id,
            }
        )
        with self.assertRaises(ApiError) as caught:
            self.receive("own-3")
        self.assertEqual(caught.exception.errors[0]["pointer"], "/payload/name")

    def test_retention_purges_only_applied_events(self):
        with trap_jobs() as trap:
            done = self.receive("r-1", code="32 31 13", name="Fences")
            review = self.receive("r-2", code="32 00 16")
            trap.perform_enqueued_jobs()
        self.env.cr.execute(
            "UPDATE construction_sync_event SET applied_at = now() - interval '40 days', "
            "received_at = now() - interval '40 days' WHERE id IN %s",
            [tuple((done | review).ids)],
        )
        self.Event.invalidate_model()
        self.assertEqual(self.env["construction.sync.purge"]._cron_purge()["event"], 1)
        self.assertFalse(done.exists())
        self.assertTrue(review.exists())

    def test_dashboard_counts_per_system(self):
        with trap_jobs() as trap:
            self.receive("m-1", code="32 31 13", name="Fences")
            self.receive("m-2", code="32 00 16")
            self.receive("m-3", code="32 31 23", name="Gates")
            trap.perform_enqueued_jobs()
        self.receive("m-4", code="32 31 33", name="Posts")
        self.env.flush_all()
        monitor = self.env["construction.sync.monitor"].search([("system_id", "=", self.system.id)])
        self.assertEqual(monitor.queue_depth, 1)
        self.assertEqual(monitor.needs_review_count, 1)
        self.assertEqual(monitor.done_last_hour, 2)
        self.assertAlmostEqual(monitor.failure_rate, 25.0)
        self.assertGreaterEqual(monitor.oldest_pending_seconds, 0)


class TestConcurrentDuplicates(SyncCase):
    """Two transactions receive the same idempotency key at the same moment."""

    def real_cursor(self):
        """A cursor of its own, outside the test transaction; it commits
        when its ``with`` block ends without error."""
        return db_connect(self.env.cr.dbname).cursor()

    def test_simultaneous_resends_store_one_event(self):
        with self.real_cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            type_id = (
                env["construction.sync.event.type"]
                .create({"code": "test.race", "name": "Race", "handler": "cost_code_upsert"})
                .id
            )
            system_id = (
                env["construction.sync.system"]
                .create(
                    {
                        "name": "Race",
                        "code": "race",
                        "inbound_event_type_ids": [Command.set([type_id])],
                    }
                )
                .id
            )
        # The threads play two HTTP requests: let them reach the registry, as
        # HttpCase does for its requests. odoo-bin --test-enable holds the
        # registry lock while it runs the tests, and Odoo's retrying() looks
        # the registry up again after a serialization failure.
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        barrier = threading.Barrier(2)
        results = []

        def post():
            with self.real_cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                cr.execute("SELECT 1")  # both snapshots are taken before the race
                barrier.wait(timeout=10)

                def receive():
                    system = env["construction.sync.system"].browse(system_id)
                    event, created = env["construction.sync.event"]._receive(
                        system, dict(self.envelope("race-1"), event_type="test.race")
                    )
                    return event.id, created

                results.append(retrying(receive, env))

        threads = [threading.Thread(target=post) for _ in range(2)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            self.assertEqual(len(results), 2)
            self.assertEqual(results[0][0], results[1][0], "both answers name the same event")
            self.assertEqual(sorted(created for _id, created in results), [False, True])
            with self.real_cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM construction_sync_event WHERE system_id = %s", [system_id]
                )
                self.assertEqual(cr.fetchone()[0], 1)
        finally:
            with self.real_cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                events = env["construction.sync.event"].search([("system_id", "=", system_id)])
                env["queue.job"].search([("model_name", "=", events._name)]).filtered(
                    lambda job: job.records & events
                ).unlink()
                cr.execute("DELETE FROM construction_sync_event WHERE system_id = %s", [system_id])
                cr.execute("DELETE FROM construction_sync_system WHERE id = %s", [system_id])
                cr.execute("DELETE FROM construction_sync_event_type WHERE id = %s", [type_id])


@tagged("post_install", "-at_install")
class TestIntakeQueries(SyncCase):
    """Receiving is the hot path: its queries per event must not creep up."""

    def test_receive_costs_a_fixed_number_of_queries(self):
        self.receive("warm-up", code="32 31 03", name="Warm")
        self.env.flush_all()
        with self.assertQueryCount(3):
            self.Event.sudo()._receive(
                self.system, self.envelope("q-1", code="32 31 13", name="Fences"), enqueue=False
            )
            self.env.flush_all()

    def test_a_batch_of_events_is_queued_as_one_job(self):
        events = self.Event
        for index in range(1, 51):
            event, _created = self.Event.sudo()._receive(
                self.system,
                self.envelope(f"qb-{index}", code=f"32 31 {index:02d}", name="Fence"),
                enqueue=False,
            )
            events |= event
        with trap_jobs() as trap:
            events._enqueue()
            trap.assert_jobs_count(1)
        self.assertEqual(set(events.mapped("state")), {"queued"})

    def test_recorded_events_join_the_trail(self):
        code = self.division_32
        event = self.Event.sudo()._record_applied(
            self.system, "cost_code.upserted", "rec-1", {"code": "32", "name": "x"}, code, "corr-9"
        )
        self.assertEqual((event.state, event.correlation_id), ("done", "corr-9"))
        self.assertEqual(self.env["construction.sync.event.link"]._events_of(code), event)
        again = self.Event.sudo()._record_applied(
            self.system, "cost_code.upserted", "rec-1", {"code": "32", "name": "x"}, code
        )
        self.assertEqual(again, event)
