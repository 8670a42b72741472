"""Where the time of applying labor events goes: the job body
(``_job_apply``) on chunks of ``labor.approved`` events, in-process, with
the wall time and the SQL queries of each chunk.

Not run by ``bin/bench``: it isolates the apply step of ``labor_events.py``
(the same payloads, employees and bound project, each employee one entry a
day) from HTTP, the job runner and the machine's other work. Each run makes
fresh employees and a project bound to a timekeeping system of its own,
receives ``--events`` events without jobs (committed), then applies them in
chunks of ``--chunk`` as the job does, each chunk committed like a job; a
run's rate is its events over the sum of its chunks' times. The table gives
each run's events/s, the median wall and CPU milliseconds of a chunk (CPU:
this process alone, PostgreSQL's work left out, steadier than the wall time
on a loaded machine) and the median queries per chunk; ``--profile``
applies one more run under ``cProfile`` and prints where its time went.
``--cost-codes`` does the same with ``cost_code.upserted`` events of new
codes from the demo's BidMaster system (``--chunk 1``: one job an event, as
a real-time event type has).

    python3 bench/labor_apply.py --db construction_bench --addons-path ADDONS \\
        --events 1000 --runs 5 --profile 40
"""

import argparse
import cProfile
import io
import pstats
import statistics
import time

from in_process import add_database_arguments, open_registry
from labor_events import labor_fixtures, labor_payload
from sync_events import envelope

import odoo
from odoo import SUPERUSER_ID, api

# Where the numbers of the cost codes made here start (sync_events.code_number).
COST_CODE_NUMBERS = 400000


class LaborApply:
    def __init__(self, registry, events, chunk):
        self.registry = registry
        self.events = events
        self.chunk = chunk
        self.system_id = None

    def prepare(self):
        """A timekeeping system of its own, granted labor."""
        code = f"laborapply{int(time.time())}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            system = env["construction.sync.system"].create(
                {"name": f"Labor apply {code}", "code": code, "kind": "timekeeping"}
            )
            self.system_id = system.id

    def receive(self, run):
        """Fresh employees and project bound to the system, and ``--events``
        labor events for them, received without jobs: their ids."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})

            def rpc(model, method, *args, **kwargs):
                # labor_events' fixtures, called in-process: ids as XML-RPC answers
                records = env[model]
                if method == "write":
                    records, args = records.browse(args[0]), args[1:]
                result = getattr(records, method)(*args, **kwargs)
                if isinstance(result, odoo.models.BaseModel):
                    single = method == "create" and isinstance(args[0], dict)
                    return result.id if single else result.ids
                return result

            labor_fixtures(rpc, self.system_id, run)
            Event = env["construction.sync.event"]
            system = env["construction.sync.system"].browse(self.system_id)
            ids = [
                Event._receive(
                    system,
                    {
                        "event_type": "labor.approved",
                        "idempotency_key": f"{run}-{index}",
                        "payload": labor_payload(run, index),
                    },
                    enqueue=False,
                )[0].id
                for index in range(self.events)
            ]
        return ids

    def apply(self, ids):
        """``[(seconds, CPU seconds, queries)]`` of each chunk applied and
        committed."""
        chunks = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for start in range(0, len(ids), self.chunk):
                env.invalidate_all()
                events = env["construction.sync.event"].browse(ids[start : start + self.chunk])
                queries = cr.sql_log_count
                started, cpu = time.perf_counter(), time.process_time()
                events._job_apply()
                env.flush_all()
                cr.commit()
                chunks.append(
                    (
                        time.perf_counter() - started,
                        time.process_time() - cpu,
                        cr.sql_log_count - queries,
                    )
                )
            states = set(env["construction.sync.event"].browse(ids).mapped("state"))
        if states != {"done"}:
            raise SystemExit(f"not every event was applied: {states}")
        return chunks


class CostCodeApply(LaborApply):
    """The same for ``cost_code.upserted`` events of new codes, from the
    demo's estimating system (the system of record of cost codes)."""

    def prepare(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.system_id = env["construction.sync.system"].search([("code", "=", "bidmaster")]).id
        if not self.system_id:
            raise SystemExit("no BidMaster system: run it on a database with the suite's demo data")

    def receive(self, run):
        """``--events`` events of codes no run made before (numbered after
        the codes there are), received without jobs: their ids."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Event = env["construction.sync.event"]
            system = env["construction.sync.system"].browse(self.system_id)
            first = env["construction.cost.code"].with_context(active_test=False).search_count([])
            return [
                Event._receive(
                    system,
                    envelope(first + index, COST_CODE_NUMBERS, run),
                    enqueue=False,
                )[0].id
                for index in range(self.events)
            ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--events", type=int, default=1000, help="events per run")
    parser.add_argument("--chunk", type=int, default=100, help="events per job")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="functions to print, 0: none")
    parser.add_argument("--cost-codes", action="store_true", help="new cost codes instead of labor")
    args = parser.parse_args()
    kind = CostCodeApply if args.cost_codes else LaborApply
    bench = kind(open_registry(args), args.events, args.chunk)
    bench.prepare()
    stamp = int(time.time())
    what = "Cost code" if args.cost_codes else "Labor"
    print(f"{what} events applied in chunks of {args.chunk}, database {args.db}")
    print(f"{'run':>4} {'events/s':>9} {'ms/chunk':>9} {'cpu ms/chunk':>13} {'queries/chunk':>14}")
    rates, cpus, queries = [], [], []
    for number in range(args.runs):
        chunks = bench.apply(bench.receive(f"la{stamp}r{number}"))
        rates.append(args.events / sum(took for took, _cpu, _count in chunks))
        cpus.append(statistics.median(cpu for _took, cpu, _count in chunks) * 1000)
        queries.append(statistics.median(count for _took, _cpu, count in chunks))
        median_ms = statistics.median(took for took, _cpu, _count in chunks) * 1000
        print(
            f"{number + 1:>4} {rates[-1]:>9.1f} {median_ms:>9.1f} {cpus[-1]:>13.1f} "
            f"{queries[-1]:>14.0f}"
        )
    print(
        f"median {statistics.median(rates):.1f} events/s, "
        f"{statistics.median(cpus):.1f} CPU ms and "
        f"{statistics.median(queries):.0f} queries per chunk of {args.chunk}"
    )
    if args.profile:
        ids = bench.receive(f"la{stamp}profile")
        profile = cProfile.Profile()
        profile.enable()
        bench.apply(ids)
        profile.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.profile)
            print(out.getvalue())


if __name__ == "__main__":
    main()
