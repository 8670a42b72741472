"""Is a figure out of line with the history it belongs to?

Thresholds are robust statistics of the company's own past figures (per
worker, crew or piece of equipment): the median, the median absolute
deviation (MAD, scaled by 1.4826 to compare with a standard deviation) and
the 99th percentile of the days that are not themselves wild. One wild day
in the history moves none of them, so a typo of yesterday does not teach the
check to accept the next one. An administrator's hard limit applies on top,
whatever the history says.
"""

from dataclasses import dataclass

import numpy as np

MAD_SCALE = 1.4826
# How many robust deviations above the median a figure may lie.
DEVIATIONS = 4.0
# Fewer past figures than this say too little: the next level is asked.
MIN_HISTORY = 8


def _middle(ordered):
    """The median of an ascending array, as ``numpy.median`` works it out
    (the mean of the two middle figures of an even count)."""
    half, odd = divmod(len(ordered), 2)
    if odd:
        return float(ordered[half])
    return (float(ordered[half - 1]) + float(ordered[half])) / 2


def _quantile(ordered, share):
    """The ``share`` quantile of an ascending array, as ``numpy.quantile``'s
    default (linear) method works it out, with the same float operations."""
    position = (len(ordered) - 1) * share
    if position >= len(ordered) - 1:
        return float(ordered[-1])
    below = int(position)
    low, high = float(ordered[below]), float(ordered[below + 1])
    weight = position - below
    if weight >= 0.5:
        return high - (high - low) * (1 - weight)
    return low + (high - low) * weight


@dataclass(frozen=True)
class Baseline:
    """Robust statistics of one history: ``who`` names it in messages
    (``this worker's days``)."""

    who: str
    count: int
    median: float
    mad: float
    p99: float

    @classmethod
    def empty(cls, who):
        """No history at all."""
        return cls(who, 0, 0.0, 0.0, 0.0)

    @classmethod
    def of(cls, who, values):
        """The statistics of ``values`` (None: no figure). numpy's
        ``median`` and ``percentile`` figures, read by index from the one
        sorted copy: a chunk of labor asks for a hundred of these, and each
        of numpy's calls costs more than the sort."""
        values = np.asarray(values, dtype=float)
        values = np.sort(values[~np.isnan(values)])
        if not len(values):
            return cls.empty(who)
        median = _middle(values)
        mad = _middle(np.sort(np.abs(values - median))) * MAD_SCALE
        # The percentile of the days that are not themselves wild (beyond
        # twice the allowed deviation): a typo of the past teaches nothing.
        fence = median + 2 * DEVIATIONS * max(mad, 0.1 * abs(median))
        usual = values[: np.searchsorted(values, fence, side="right")]
        return cls(who, len(values), median, mad, _quantile(usual, 99 / 100))

    def enough(self):
        """Whether there are days enough to judge by; else the next, wider
        history is asked."""
        return self.count >= MIN_HISTORY

    def limit(self):
        """The highest figure still in line: above the 99th percentile and
        above the median by :data:`DEVIATIONS` robust deviations (at least
        a tenth of the median, so a history of identical days still allows
        a little more)."""
        spread = max(self.mad, 0.1 * abs(self.median))
        return max(self.p99, self.median + DEVIATIONS * spread)


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    value: float
    reason: str
    # How far over the limit, as a share of it (0 when in line): a person
    # reads it as the flag's confidence.
    excess: float = 0.0


def judge(value, baselines, hard_limit=None, unit="h", normal=None):
    """Verdict on ``value`` against the first of ``baselines`` (most
    specific first) with enough history, and ``hard_limit`` on top. A value
    within ``normal`` (a full working day) is never out of line by the
    history alone: a history of short entries does not make a day's work
    suspect."""
    if hard_limit and value > hard_limit:
        return Verdict(
            True,
            value,
            f"{value:g} {unit}; above the administrator's limit of {hard_limit:g} {unit}",
            (value - hard_limit) / hard_limit,
        )
    for baseline in baselines:
        if not baseline.enough():
            continue
        limit = baseline.limit()
        text = (
            f"{value:g} {unit}; {baseline.who}: median {baseline.median:.1f}, "
            f"99th percentile {baseline.p99:.1f}"
        )
        if value > limit and not (normal and value <= normal):
            return Verdict(True, value, text, (value - limit) / limit if limit else 1.0)
        return Verdict(False, value, text)
    return Verdict(False, value, f"{value:g} {unit}; too little history to compare")


def schedule_share(start, end, day):
    """The share (0 to 1) of the schedule from ``start`` to ``end`` gone by
    on ``day``, or None without a schedule."""
    if not (start and end) or end <= start:
        return None
    return min(1.0, max(0.0, (day - start).days / (end - start).days))


def judge_pace(code, spent, budget, elapsed, tolerance):
    """Verdict on ``spent`` of a cost code's ``budget``: held when its share
    of the budget runs ahead of the share of the schedule gone by
    (``elapsed``; the whole budget without a schedule) by more than
    ``tolerance`` (a share)."""
    share = spent / budget
    allowed = (1.0 if elapsed is None else elapsed) + tolerance
    where = (
        "of the budget, with no schedule on the project"
        if elapsed is None
        else f"of the budget at {elapsed:.0%} of the project's schedule"
    )
    reason = f"{code}: {spent:,.2f} spent, {share:.0%} {where} (limit {allowed:.0%})"
    flagged = share > allowed
    return Verdict(flagged, share * 100, reason, (share - allowed) / allowed if flagged else 0.0)
