import random
from datetime import date

import numpy as np

from ..anomaly import (
    DEVIATIONS,
    MAD_SCALE,
    MIN_HISTORY,
    Baseline,
    judge,
    judge_pace,
    schedule_share,
)

DAYS = [8.0, 8.0, 7.5, 8.0, 8.5, 8.0, 8.0, 9.0, 8.0, 8.0] * 2


def test_a_long_day_is_flagged_with_the_comparison_a_person_reads():
    verdict = judge(14.5, [Baseline.of("this worker's days", DAYS)], hard_limit=16)
    assert verdict.flagged
    assert verdict.reason == "14.5 h; this worker's days: median 8.0, 99th percentile 9.0"
    assert verdict.excess > 0


def test_a_usual_day_is_not_flagged():
    assert not judge(8.5, [Baseline.of("this worker's days", DAYS)], hard_limit=16).flagged


def test_one_wild_day_in_the_history_does_not_widen_the_threshold():
    with_typo = [*DAYS, 80.0]
    assert judge(14.5, [Baseline.of("days", with_typo)]).flagged


def test_the_hard_limit_holds_whatever_the_history():
    long_days = [15.0] * 20
    verdict = judge(17.0, [Baseline.of("days", long_days)], hard_limit=16)
    assert verdict.flagged
    assert "administrator's limit of 16 h" in verdict.reason


def test_too_little_history_asks_the_next_level():
    few = Baseline.of("this worker's days", [8.0] * (MIN_HISTORY - 1))
    crew = Baseline.of("this crew's days", DAYS)
    verdict = judge(14.0, [few, crew])
    assert verdict.flagged
    assert "this crew's days" in verdict.reason
    assert not judge(14.0, [few]).flagged


def test_cost_is_judged_against_the_schedule_gone_by_else_the_whole_budget():
    share = schedule_share(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 16))
    assert share == 0.5
    assert schedule_share(None, date(2026, 3, 31), date(2026, 3, 16)) is None
    assert schedule_share(date(2026, 3, 1), date(2026, 3, 31), date(2026, 5, 1)) == 1.0
    # 80 % spent at half the schedule, 25 points allowed: held
    assert judge_pace("03 30 00", 8000, 10000, 0.5, 0.25).flagged
    assert not judge_pace("03 30 00", 7000, 10000, 0.5, 0.25).flagged
    # no schedule: only beyond the budget and its tolerance
    assert not judge_pace("03 30 00", 12000, 10000, None, 0.25).flagged
    held = judge_pace("03 30 00", 13000, 10000, None, 0.25)
    assert held.flagged and "no schedule" in held.reason and held.excess > 0


def test_a_full_working_day_is_never_suspect_by_a_history_of_short_entries():
    short = [2.0, 1.5, 2.0, 3.0, 2.0, 2.5, 2.0, 1.0, 2.0, 2.0]
    assert not judge(8.0, [Baseline.of("the company's worker-days", short)], normal=8.0).flagged
    assert judge(9.5, [Baseline.of("the company's worker-days", short)], normal=8.0).flagged
    # the administrator's limit holds whatever the working day
    assert judge(8.0, [], hard_limit=7.0, normal=8.0).flagged


def test_a_day_without_a_figure_is_left_out_of_the_history():
    assert Baseline.of("days", [*DAYS, None]) == Baseline.of("days", DAYS)
    assert Baseline.of("days", [None]).count == 0


def test_the_statistics_are_numpys_figures_for_any_history():
    """Median, deviation and 99th percentile read by index from one sort
    are exactly numpy's, so no verdict changes: histories of every size,
    alike days, even and odd counts, wild days beyond the fence."""
    rng = random.Random(15)
    for _ in range(3000):
        size = rng.randint(1, 400)
        shape = rng.choice(["hours", "uniform", "wild"])
        if shape == "hours":
            days = [rng.choice([8.0, 7.5, 9.0, 4.25, 10.0, 0.5, 12.0]) for _ in range(size)]
        elif shape == "uniform":
            days = [rng.uniform(0, 24) for _ in range(size)]
        else:
            days = [rng.lognormvariate(2, 1) * rng.choice([1, 1, 1, 100]) for _ in range(size)]
        values = np.array(days)
        median = np.median(values)
        mad = np.median(np.abs(values - median)) * MAD_SCALE
        fence = median + 2 * DEVIATIONS * max(mad, 0.1 * abs(median))
        p99 = np.percentile(values[values <= fence], 99)
        assert Baseline.of("days", days) == Baseline("days", size, median, mad, p99), days
