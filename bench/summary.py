"""The one table ``bin/bench`` ends with: every benchmark's suite figure
against the plain-Odoo way, with the ratio and the target.

Each benchmark script calls :func:`record` for the rows it prints; the rows
go to the JSON-lines file named by ``CONSTRUCTION_BENCH_SUMMARY`` (nothing
is kept when it is unset, e.g. when a script runs on its own). Run as a
script, this module prints the file as one table.

    python3 bench/summary.py var/log/bench-summary.jsonl
"""

import json
import os
import sys

SUMMARY_FILE = "CONSTRUCTION_BENCH_SUMMARY"


def rate_figure(rate, latency=None, unit="/s"):
    """A rate, with its p95 latency in seconds when there is one."""
    text = f"{rate:.1f}{unit}"
    return f"{text}, p95 {latency * 1000:.0f} ms" if latency is not None else text


def record(benchmark, way, figure, ratio=None, target=""):
    """One row of the summary: ``figure`` as printed (e.g. "1637.6/s,
    p95 297 ms"), ``ratio`` the way against the plain way (> 1: better;
    1.0 for the plain way itself, None where nothing compares), ``target``
    what the figure must meet."""
    path = os.environ.get(SUMMARY_FILE)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as summary:
        row = {"benchmark": benchmark, "way": way, "figure": figure, "ratio": ratio}
        summary.write(json.dumps(dict(row, target=target)) + "\n")


def main(path):
    with open(path, encoding="utf-8") as summary:
        rows = [json.loads(line) for line in summary if line.strip()]
    widths = [max([len(row[key]) for row in rows] + [len(key)]) for key in ("benchmark", "way")]
    header = (
        f"{'benchmark':<{widths[0]}}  {'way':<{widths[1]}}  {'figure':<24} {'vs plain':>9}  target"
    )
    print("\nSummary: the suite against the plain-Odoo way")
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = f"{row['ratio']:.1f}x" if row["ratio"] is not None else "-"
        print(
            f"{row['benchmark']:<{widths[0]}}  {row['way']:<{widths[1]}}  "
            f"{row['figure']:<24} {ratio:>9}  {row['target']}"
        )


if __name__ == "__main__":
    main(sys.argv[1])
