"""Estimates and budgets at scale: the suite's import against Odoo's generic import.

Run by ``bin/bench`` after ``sync_events.py``, in-process on the bench
database (no HTTP: both ways are timed inside Odoo, flushed to the database
and committed). Three tables:

* estimate import: the model method behind the Import Estimate wizard
  (``construction.estimate._import_lines`` through the wizard, CSV parsing
  included) against ``load()`` of ``construction.estimate.line`` with the
  same columns (what ``base_import`` runs), at 10,000 and 50,000 lines, with
  lines per second, the ratio and t(50k)/t(10k);
* budget report: one project with 500 cost codes over many analytic lines
  (inserted with ``INSERT ... SELECT generate_series``), p95 of refreshing
  and reading the budget lines' figures, against Odoo's analytic report
  (``read_group`` of the analytic lines by cost code);
* portfolio: 2,000 project budgets read with their totals, against a
  ``read_group`` of their lines by project.

    python3 bench/estimate_import.py --db construction_bench --addons-path ADDONS \\
        --sizes 10000,50000 --analytic-lines 2000000 --projects 2000
"""

import argparse
import base64
import statistics
import time

from in_process import add_database_arguments, open_registry
from summary import rate_figure, record

from odoo import SUPERUSER_ID, api

COST_CODES = 500
VENDORS = 20
UNITS = ("t", "Units", "Hours", "m", "ft")


def cost_code_number(index):
    return f"35 {10 + index // 99:02d} {1 + index % 99:02d}"


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


class Bench:
    def __init__(self, registry):
        self.registry = registry

    def env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    # ------------------------------------------------------------------
    # Fixtures
    # ------------------------------------------------------------------

    def prepare(self):
        """500 cost codes, 20 vendors, a project; reused when they exist."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            CostCode = env["construction.cost.code"]
            numbers = [cost_code_number(index) for index in range(COST_CODES)]
            existing = set(CostCode.search([("code", "in", numbers)]).mapped("code"))
            CostCode.create(
                [
                    {"code": number, "name": f"Bench cost code {number}"}
                    for number in numbers
                    if number not in existing
                ]
            )
            names = [f"Bench vendor {index}" for index in range(VENDORS)]
            known = set(env["res.partner"].search([("name", "in", names)]).mapped("name"))
            env["res.partner"].create([{"name": name} for name in names if name not in known])
            project = env["project.project"].search([("name", "=", "Bench estimates")], limit=1)
            if not project:
                project = env["project.project"].create({"name": "Bench estimates"})
            cr.commit()
            self.project_id = project.id
            self.profile_id = env.ref(
                "construction_estimate_bridge.construction_estimate_import_profile_default"
            ).id

    @staticmethod
    def rows(count):
        for index in range(count):
            yield (
                f"B{index}",
                f"Bench line {index}",
                cost_code_number(index % COST_CODES),
                str(1 + index % 97),
                UNITS[index % len(UNITS)],
                f"{10 + index % 50}.25",
                f"Bench vendor {index % VENDORS}",
            )

    # ------------------------------------------------------------------
    # Estimate import
    # ------------------------------------------------------------------

    def suite_import(self, count, run):
        header = "line_id,description,cost_code,quantity,unit,unit_cost,vendor\n"
        content = header + "".join(",".join(row) + "\n" for row in self.rows(count))
        with self.registry.cursor() as cr:
            env = self.env(cr)
            started = time.perf_counter()
            wizard = env["construction.estimate.import.wizard"].create(
                {
                    "file": base64.b64encode(content.encode()),
                    "filename": "bench.csv",
                    "profile_id": self.profile_id,
                    "project_id": self.project_id,
                    "name": f"Bench {count}",
                    "external_ref": f"BENCH-{run}-{count}",
                }
            )
            action = wizard.action_import()
            env.flush_all()
            seconds = time.perf_counter() - started
            estimate = env["construction.estimate"].browse(action["res_id"])
            assert len(estimate.line_ids) == count, "the suite imported every line"
            cr.commit()
        return seconds

    def plain_import(self, count, run):
        fields = [
            "estimate_id/.id",
            "external_line_id",
            "name",
            "cost_code_id",
            "quantity",
            "uom_id",
            "unit_cost",
            "vendor_id",
        ]
        with self.registry.cursor() as cr:
            env = self.env(cr)
            estimate = env["construction.estimate"].create(
                {"name": f"Plain {count}", "project_id": self.project_id}
            )
            cr.commit()
            data = [[str(estimate.id), *row] for row in self.rows(count)]
            started = time.perf_counter()
            result = env["construction.estimate.line"].load(fields, data)
            env.flush_all()
            seconds = time.perf_counter() - started
            errors = [m for m in result["messages"] if m.get("type") == "error"]
            assert not errors and len(result["ids"]) == count, errors[:3]
            cr.commit()
        return seconds

    # ------------------------------------------------------------------
    # Budget report
    # ------------------------------------------------------------------

    def prepare_budget(self, analytic_lines):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            codes = env["construction.cost.code"].search(
                [("code", "in", [cost_code_number(i) for i in range(COST_CODES)])]
            )
            project = env["project.project"].search([("name", "=", "Bench budget")], limit=1)
            if not project:
                project = env["project.project"].create({"name": "Bench budget"})
            if not project.account_id:
                project._create_analytic_account()
            budget = env["construction.budget"].search([("project_id", "=", project.id)])
            if not budget:
                budget = env["construction.budget"].create(
                    {
                        "name": "Bench budget",
                        "project_id": project.id,
                        "line_ids": [
                            (0, 0, {"cost_code_id": code.id, "original": 50000.0}) for code in codes
                        ],
                    }
                )
            column = env["construction.cost.code"]._cost_code_plan()._column_name()
            cr.execute(
                "SELECT count(*) FROM account_analytic_line WHERE account_id = %s",
                (project.account_id.id,),
            )
            present = cr.fetchone()[0]
            started = time.perf_counter()
            if present < analytic_lines:
                # Bench data only: millions of rows through the ORM would take hours.
                cr.execute(
                    f"""
                    INSERT INTO account_analytic_line
                        (name, date, amount, unit_amount, account_id, {column},
                         company_id, currency_id, create_uid, write_uid, create_date, write_date)
                    SELECT 'Bench cost ' || g, date '2026-01-01' + (g %% 300),
                           -((g %% 1000) / 10.0), 1, %s, (%s::int[])[1 + g %% %s],
                           %s, %s, 1, 1, now(), now()
                    FROM generate_series(1, %s) AS g
                    """,
                    (
                        project.account_id.id,
                        codes.analytic_account_id.ids,
                        len(codes),
                        env.company.id,
                        env.company.currency_id.id,
                        analytic_lines - present,
                    ),
                )
                cr.execute("ANALYZE account_analytic_line")
            inserted = time.perf_counter() - started
            cr.commit()
            self.budget_id = budget.id
            return inserted, max(present, analytic_lines), column

    def budget_read(self, repeat, refresh):
        """Times of reading one project's budget lines as the report does
        (stored figures), or of recomputing them first (``refresh``: what
        the Refresh Figures button and the hourly job do)."""
        figures = [
            "original",
            "revised",
            "committed",
            "actual",
            "remaining",
            "forecast",
            "variance",
        ]
        times = []
        with self.registry.cursor() as cr:
            env = self.env(cr)
            for _ in range(repeat):
                env.invalidate_all()
                started = time.perf_counter()
                lines = env["construction.budget"].browse(self.budget_id).line_ids
                if refresh:
                    lines._refresh_figures()
                lines.read(figures)
                env.flush_all()
                times.append(time.perf_counter() - started)
            cr.rollback()
        return times

    def analytic_read(self, repeat, column):
        times = []
        with self.registry.cursor() as cr:
            env = self.env(cr)
            budget = env["construction.budget"].browse(self.budget_id)
            account = budget.project_id.account_id
            for _ in range(repeat):
                env.invalidate_all()
                started = time.perf_counter()
                env["account.analytic.line"].read_group(
                    [("account_id", "=", account.id)], [column, "amount:sum"], [column]
                )
                times.append(time.perf_counter() - started)
        return times

    # ------------------------------------------------------------------
    # Portfolio
    # ------------------------------------------------------------------

    def prepare_portfolio(self, projects):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            names = [f"Bench portfolio {index}" for index in range(projects)]
            existing = env["construction.budget"].search([("name", "in", names)])
            missing = [name for name in names if name not in set(existing.mapped("name"))]
            codes = env["construction.cost.code"].search(
                [("code", "in", [cost_code_number(i) for i in range(5)])]
            )
            started = time.perf_counter()
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                new_projects = env["project.project"].create([{"name": name} for name in chunk])
                env["construction.budget"].create(
                    [
                        {
                            "name": project.name,
                            "project_id": project.id,
                            "line_ids": [
                                (0, 0, {"cost_code_id": code.id, "original": 1000.0 * (i + 1)})
                                for i, code in enumerate(codes)
                            ],
                        }
                        for project in new_projects
                    ]
                )
            cr.commit()
            return time.perf_counter() - started

    def portfolio_read(self, repeat, projects):
        fields = ["name", "project_id", "original", "revised", "committed", "actual"]
        fields += ["remaining", "forecast", "variance", "over_budget_count"]
        suite, plain = [], []
        with self.registry.cursor() as cr:
            env = self.env(cr)
            domain = [("name", "=like", "Bench portfolio %")]
            for _ in range(repeat):
                env.invalidate_all()
                started = time.perf_counter()
                rows = env["construction.budget"].search_read(domain, fields)
                suite.append(time.perf_counter() - started)
                assert len(rows) == projects
                env.invalidate_all()
                started = time.perf_counter()
                env["construction.budget.line"].read_group(
                    [("budget_id.name", "=like", "Bench portfolio %")],
                    ["project_id", "revised:sum", "committed:sum", "actual:sum", "remaining:sum"],
                    ["project_id"],
                )
                plain.append(time.perf_counter() - started)
        return suite, plain


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--analytic-lines", type=int, default=2_000_000)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--import-runs", type=int, default=3)
    args = parser.parse_args()
    bench = Bench(open_registry(args))
    bench.prepare()
    run = int(time.time())

    sizes = [int(size) for size in args.sizes.split(",")]
    # The suite's import runs --import-runs times per size (median kept), so
    # one run disturbed by the machine does not decide the growth figure;
    # the plain way, ten times slower, runs once.
    results = {
        size: (
            statistics.median(
                bench.suite_import(size, f"{run}-{attempt}") for attempt in range(args.import_runs)
            ),
            bench.plain_import(size, run),
        )
        for size in sizes
    }
    print(
        f"\nEstimate import, {COST_CODES} cost codes, {VENDORS} vendors, database {args.db} "
        f"(suite: median of {args.import_runs} runs)"
    )
    print(f"{'way':<52} {'lines':>7} {'seconds':>8} {'lines/s':>8} {'vs plain':>9}")
    for size, (suite, plain) in results.items():
        print(
            f"{'plain Odoo: load() of estimate lines (base_import)':<52} {size:>7} "
            f"{plain:>8.1f} {size / plain:>8.0f} {'1.0x':>9}"
        )
        print(
            f"{'suite: Import Estimate (_import_lines)':<52} {size:>7} "
            f"{suite:>8.1f} {size / suite:>8.0f} {plain / suite:>8.1f}x"
        )
        benchmark = f"estimate import, {size:,} lines"
        record(benchmark, "plain: load() (base_import)", rate_figure(size / plain), 1.0)
        suite_rate = rate_figure(size / suite)
        record(benchmark, "suite: Import Estimate", suite_rate, plain / suite, "≥ 5x")
    if len(sizes) == 2:
        small, large = sizes
        for label, index in (("suite", 0), ("plain", 1)):
            growth = results[large][index] / results[small][index]
            target = " (target <= 5.5)" if label == "suite" else ""
            print(f"t({large // 1000}k)/t({small // 1000}k) {label}: {growth:.2f}{target}")
            record(
                "estimate import growth",
                f"{label}: t({large // 1000}k)/t({small // 1000}k)",
                f"{growth:.2f}",
                target="≤ 5.5" if label == "suite" else "",
            )

    inserted, count, column = bench.prepare_budget(args.analytic_lines)
    report = bench.budget_read(args.repeat, refresh=False)
    budget = bench.budget_read(args.repeat, refresh=True)
    analytic = bench.analytic_read(args.repeat, column)
    print(
        f"\nBudget report, 1 project, {COST_CODES} cost codes, {count:,} analytic lines "
        f"(inserted in {inserted:.0f} s), {args.repeat} reads"
    )
    print(f"{'way':<60} {'median ms':>10} {'p95 ms':>8}")
    print(
        f"{'plain Odoo: read_group of analytic lines by cost code':<60} "
        f"{statistics.median(analytic) * 1000:>10.0f} {p95(analytic) * 1000:>8.0f}"
    )
    print(
        f"{'suite: read the budget report (target p95 < 100 ms)':<60} "
        f"{statistics.median(report) * 1000:>10.0f} {p95(report) * 1000:>8.0f}"
    )
    print(
        f"{'suite: recompute then read the figures (Refresh Figures)':<60} "
        f"{statistics.median(budget) * 1000:>10.0f} {p95(budget) * 1000:>8.0f}"
    )
    benchmark = f"budget report, {count:,} analytic lines"
    for way, times, target in (
        ("plain: read_group by cost code", analytic, ""),
        ("suite: read the budget report", report, "p95 < 100 ms"),
        ("suite: Refresh Figures then read", budget, ""),
    ):
        figure = f"p95 {p95(times) * 1000:.0f} ms"
        record(benchmark, way, figure, p95(analytic) / p95(times), target)

    created = bench.prepare_portfolio(args.projects)
    suite, plain = bench.portfolio_read(min(args.repeat, 10), args.projects)
    print(f"\nPortfolio, {args.projects} project budgets of 5 lines (created in {created:.0f} s)")
    print(f"{'way':<60} {'median ms':>10} {'p95 ms':>8}")
    print(
        f"{'plain Odoo: read_group of budget lines by project':<60} "
        f"{statistics.median(plain) * 1000:>10.0f} {p95(plain) * 1000:>8.0f}"
    )
    print(
        f"{'suite: budgets with their totals (target < 1000 ms)':<60} "
        f"{statistics.median(suite) * 1000:>10.0f} {p95(suite) * 1000:>8.0f}"
    )
    benchmark = f"portfolio, {args.projects:,} projects"
    record(benchmark, "plain: read_group by project", f"p95 {p95(plain) * 1000:.0f} ms", 1.0)
    record(
        benchmark,
        "suite: budgets with their totals",
        f"p95 {p95(suite) * 1000:.0f} ms",
        p95(plain) / p95(suite),
        "< 1000 ms",
    )


if __name__ == "__main__":
    main()
