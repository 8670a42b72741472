"""Assist: cost code suggestions and anomaly checks on a synthetic history.

Plain Python on construction_assist's ``lib/`` (what the Odoo models call),
no database: the figures are the learning's, not the ORM's.

* A company's history of labelled lines as crews and estimators write them:
  a few hundred cost codes, each said several ways (synonyms), abbreviated
  ("conc", "exc", "fdn"), misspelt (letters dropped, swapped, doubled), with
  site words around them ("lvl 2", "north side"), and the unit, vendor and
  project that came with the line. Split into a training set and held-out
  lines; top-1 and top-3 accuracy of the suggestions beside the baseline (the
  code of the same text seen before, else the most frequent code of its
  words), in the same run.
* Training time at 100,000 lines; p95 latency of one suggestion (target
  < 50 ms).
* A month of labor (hours per worker and day) and equipment (hours per
  machine and day, from its meter) with anomalies injected (typed 80 for
  8.0, double shifts, a meter jump of a week): precision and recall of the
  checks, thresholds learned from the three months before.

    .venv/bin/python bench/assist.py --lines 6000 --codes 300 --large 100000
"""

import argparse
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

from summary import record

LIB = Path(__file__).resolve().parent.parent / "addons" / "construction_assist" / "lib"


def load_lib():
    spec = importlib.util.spec_from_file_location(
        "assist_lib", LIB / "__init__.py", submodule_search_locations=[str(LIB)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["assist_lib"] = package
    spec.loader.exec_module(package)
    return (
        importlib.import_module("assist_lib.suggest"),
        importlib.import_module("assist_lib.anomaly"),
    )


# What is done, to what, and how crews say it.
ACTIONS = {
    "excavate": ["excavation", "excavate", "dig", "exc", "excav", "digging"],
    "backfill": ["backfill", "back fill", "bkfill", "fill in", "compact fill"],
    "form": ["formwork", "forming", "forms", "frm", "set forms"],
    "pour": ["pour", "place concrete", "conc pour", "pouring", "placing conc"],
    "reinforce": ["rebar", "reinforcing", "reinf", "tie steel", "rebar tying"],
    "install": ["install", "inst", "instl", "set", "hang", "mount"],
    "demolish": ["demo", "demolition", "tear out", "remove", "rip out"],
    "paint": ["paint", "painting", "coat", "ptg", "prime and paint"],
    "patch": ["patch", "patching", "pothole repair", "fix holes", "repair"],
    "seal": ["seal", "sealcoat", "crack seal", "sealing", "sealant"],
    "grade": ["grade", "grading", "fine grade", "rough grade", "grdg"],
    "pave": ["pave", "paving", "asphalt paving", "lay asphalt", "blacktop"],
}
OBJECTS = {
    "footing": ["footings", "footing", "ftg", "ftgs", "spread footing"],
    "foundation wall": ["foundation wall", "fdn wall", "fnd wall", "basement wall"],
    "slab on grade": ["slab on grade", "sog", "slab", "floor slab", "s.o.g."],
    "elevated slab": ["elevated slab", "deck", "suspended slab", "elev slab"],
    "column": ["columns", "column", "col", "cols"],
    "beam": ["beams", "beam", "bm", "girders"],
    "stair": ["stairs", "stair", "stairway", "steps"],
    "curb": ["curb", "curbs", "curb and gutter", "c&g"],
    "sidewalk": ["sidewalk", "walk", "swk", "side walk"],
    "parking lot": ["parking lot", "lot", "pkg lot", "parking area"],
    "drywall": ["drywall", "gyp board", "sheetrock", "gwb", "dry wall"],
    "ceiling": ["ceiling", "clg", "acoustic ceiling", "act ceiling"],
    "door": ["doors", "door", "dr", "door frames"],
    "window": ["windows", "window", "wdw", "glazing"],
    "roof": ["roof", "roofing", "rf", "roof deck"],
    "storm drain": ["storm drain", "storm pipe", "sd pipe", "catch basin"],
    "water line": ["water line", "waterline", "wl", "water main"],
    "trench": ["trench", "trenching", "ditch", "utility trench"],
    "striping": ["striping", "stripes", "line painting", "pavement marking"],
    "wall": ["walls", "wall", "partition", "interior wall"],
}
UNITS = {
    "excavate": "cy",
    "backfill": "cy",
    "form": "sf",
    "pour": "cy",
    "reinforce": "lb",
    "install": "ea",
    "demolish": "sf",
    "paint": "sf",
    "patch": "sf",
    "seal": "lf",
    "grade": "sy",
    "pave": "ton",
}
VENDORS = ["Acme Supply", "Ready Mix Co", "Steel Inc", "Pave Pros", "", "", ""]
PLACES = [
    "",
    "",
    "",
    "lvl 2",
    "north side",
    "bldg A",
    "area 3",
    "east wing",
    "per plan",
    "phase 2",
    "grid C-4",
    "2nd flr",
]


def cost_codes(count, rng):
    """``count`` (action, object) pairs, each one cost code."""
    pairs = [(action, obj) for action in ACTIONS for obj in OBJECTS]
    rng.shuffle(pairs)
    return {
        f"{10 + index // 20:02d} {index % 20 * 5:02d} 00": pair
        for index, pair in enumerate(pairs[:count])
    }


def misspell(word, rng):
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1 :]
    if kind < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def write_line(code, pair, rng, projects):
    """One line as a crew would type it for ``code``."""
    action, obj = pair
    words = f"{rng.choice(ACTIONS[action])} {rng.choice(OBJECTS[obj])}".split()
    if rng.random() < 0.35:
        words = words[len(words) // 2 :] + words[: len(words) // 2]
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = misspell(words[index], rng)
    place = rng.choice(PLACES)
    text = " ".join(words + ([place] if place else []))
    if rng.random() < 0.3:
        text = text.upper()
    return {
        "description": text,
        "unit": UNITS[action] if rng.random() < 0.8 else rng.choice(list(UNITS.values())),
        "vendor": rng.choice(VENDORS),
        "project": rng.choice(projects),
    }


def history(count, codes, rng):
    projects = [f"Job {n}" for n in range(40)]
    # Some codes are used much more than others, as in a real ledger.
    weights = [1 / (1 + rank) ** 0.6 for rank in range(len(codes))]
    labels = rng.choices(list(codes), weights=weights, k=count)
    return [write_line(code, codes[code], rng, projects) for code in labels], labels


def accuracy(ranked, labels):
    top1 = sum(ranks[:1] == [label] for ranks, label in zip(ranked, labels, strict=True))
    top3 = sum(label in ranks[:3] for ranks, label in zip(ranked, labels, strict=True))
    return top1 / len(labels), top3 / len(labels)


def bench_suggestions(suggest, args, rng):
    codes = cost_codes(args.codes, rng)
    lines, labels = history(args.lines, codes, rng)
    cut = int(len(lines) * 0.8)
    train, test = (lines[:cut], labels[:cut]), (lines[cut:], labels[cut:])
    model = suggest.Suggester().fit(*train)
    baseline = suggest.Baseline().fit(*train)
    ours = accuracy([[s.label for s in row] for row in model.top_many(test[0])], test[1])
    plain = accuracy([baseline.top(line) for line in test[0]], test[1])
    print(
        f"\nCost code suggestions: {len(lines)} labelled lines over {len(set(labels))} cost "
        f"codes, trained on {cut}, {len(test[0])} held out"
    )
    print(f"{'way':<36} {'top-1':>7} {'top-3':>7}")
    print(f"{'baseline (exact text, word votes)':<36} {plain[0]:>7.1%} {plain[1]:>7.1%}")
    print(f"{'assist (TF-IDF char n-grams + SGD)':<36} {ours[0]:>7.1%} {ours[1]:>7.1%}")
    for way, (top1, top3), ratio in (
        ("baseline", plain, 1.0),
        ("assist", ours, ours[0] / plain[0] if plain[0] else None),
    ):
        record("cost code suggestions", way, f"top-1 {top1:.1%}, top-3 {top3:.1%}", ratio)

    # Wall time is what a person waits for; CPU time is the work itself,
    # apart from the other processes of a shared machine.
    wall, cpu = [], []
    for line in test[0][: args.latency_samples]:
        started, started_cpu = time.perf_counter(), time.process_time()
        model.top(line)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    p95, p95_cpu = (statistics.quantiles(times, n=20)[-1] for times in (wall, cpu))
    print(
        f"one suggestion: p95 {p95 * 1000:.1f} ms wall, {p95_cpu * 1000:.1f} ms CPU, over "
        f"{len(wall)} (target < 50 ms)"
    )
    record(
        "cost code suggestions",
        "one suggestion",
        f"p95 {p95 * 1000:.1f} ms ({p95_cpu * 1000:.1f} CPU)",
        None,
        "< 50 ms",
    )

    big_lines, big_labels = history(args.large, codes, rng)
    started_cpu = time.process_time()
    large = suggest.Suggester().fit(big_lines, big_labels)
    cpu_seconds = time.process_time() - started_cpu
    size = len(large.dumps())
    print(
        f"training at {args.large} lines: {large.training_seconds:.1f} s wall, "
        f"{cpu_seconds:.1f} s CPU, stored model {size / 1e6:.1f} MB"
    )
    record(
        "cost code suggestions",
        f"training at {args.large} lines",
        f"{large.training_seconds:.0f} s ({cpu_seconds:.0f} CPU), {size / 1e6:.1f} MB",
    )


def inject_month(anomaly, rng, workers=60, machines=25, days=120, month=30):
    """Daily figures of ``workers`` and ``machines`` over ``days``; in the
    last ``month``, about 3% of them replaced by mistakes. Returns the
    judged cases: (flagged?, was it injected?)."""
    cases = []
    for _worker in range(workers):
        usual = rng.choice([8.0, 8.0, 8.0, 10.0, 9.0, 6.0])
        days_worked = [
            max(0.5, round(rng.gauss(usual, 0.6) * 4) / 4) if rng.random() < 0.95 else usual + 2
            for _day in range(days)
        ]
        past, current = days_worked[:-month], days_worked[-month:]
        baseline = anomaly.Baseline.of("this worker's days", past)
        for hours in current:
            injected = rng.random() < 0.03
            if injected:
                hours = rng.choice([hours * 10, hours + 8, 24.0, usual * 1.9])
            verdict = anomaly.judge(hours, [baseline], hard_limit=16.0)
            cases.append(("labor", verdict.flagged, injected))
    for _machine in range(machines):
        usual = rng.choice([6.0, 8.0, 10.0, 4.0])
        hours_per_day = [max(0.0, rng.gauss(usual, 1.5)) for _day in range(days)]
        past, current = hours_per_day[:-month], hours_per_day[-month:]
        baseline = anomaly.Baseline.of("this machine's days", past)
        for hours in current:
            injected = rng.random() < 0.03
            if injected:
                # a week of meter in one reading, a reset read as a jump, a double count
                hours = rng.choice([usual * 7, rng.uniform(30, 400), usual * 2.5])
            verdict = anomaly.judge(hours, [baseline], hard_limit=24.0)
            cases.append(("equipment", verdict.flagged, injected))
    return cases


def bench_anomalies(anomaly, rng):
    cases = inject_month(anomaly, rng)
    print("\nAnomaly checks: a month of labor and equipment days, mistakes injected")
    print(
        f"{'data':<10} {'days':>6} {'injected':>9} {'flagged':>8} {'precision':>10} {'recall':>7}"
    )
    for kind in ("labor", "equipment"):
        mine = [(flagged, injected) for k, flagged, injected in cases if k == kind]
        true_positive = sum(flagged and injected for flagged, injected in mine)
        flagged = sum(flagged for flagged, _injected in mine)
        injected = sum(injected for _flagged, injected in mine)
        precision = true_positive / flagged if flagged else 0.0
        recall = true_positive / injected if injected else 0.0
        print(
            f"{kind:<10} {len(mine):>6} {injected:>9} {flagged:>8} {precision:>10.1%} "
            f"{recall:>7.1%}"
        )
        record(
            "anomaly checks",
            kind,
            f"precision {precision:.1%}, recall {recall:.1%}",
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=6000, help="labelled lines (80%% train)")
    parser.add_argument("--codes", type=int, default=240, help="cost codes (at most 240)")
    parser.add_argument("--large", type=int, default=100_000, help="lines of the training run")
    parser.add_argument("--latency-samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    suggest, anomaly = load_lib()
    rng = random.Random(args.seed)
    bench_suggestions(suggest, args, rng)
    bench_anomalies(anomaly, rng)


if __name__ == "__main__":
    main()
