"""Hours of use per day from engine-seconds readings.

An engine-seconds meter counts the seconds an engine ran since it was new.
Between two readings it moves by ``delta`` seconds; an engine's seconds grow
while it runs and the telematics gateway reports them while it does, so the
run is placed just before the later reading (never before the earlier one),
split at the local midnights it crosses, and summed per local day.

A pair of readings that cannot be turned into cost goes to a person:

* ``reset``: the reading is lower than the one before (meter reset,
  gateway moved to another machine);
* ``implausible``: the meter moved more than the wall-clock time between the
  readings allows;
* ``gap``: no reading came for longer than the gap threshold while the
  meter moved more than a restart explains, so the hours cannot be placed
  on a day.

In every case the later reading becomes the one the next delta starts from.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# Readings carry whole seconds from two clocks (the meter's and the time
# stamp's): a delta this much above the elapsed time is still plausible.
CLOCK_SLACK_SECONDS = 60
# The first minutes of running after a long quiet spell: reported when the
# engine starts again, they are a restart, not missing data.
RESTART_SECONDS = 300


@dataclass(frozen=True)
class Usage:
    """Seconds of running on one local ``day``, between ``start`` and
    ``end`` (aware, UTC); ``reading`` is the last reading that contributed."""

    day: date
    start: datetime
    end: datetime
    seconds: float
    reading: object

    @property
    def hours(self):
        return self.seconds / 3600


@dataclass(frozen=True)
class Anomaly:
    """Two readings that go to review: ``kind`` is ``reset``,
    ``implausible`` or ``gap``; ``reason`` says why in a sentence."""

    kind: str
    previous: object
    reading: object
    reason: str


def split_by_day(start, end, tz):
    """``[(local day, start, end)]`` of the interval cut at the local
    midnights of ``tz`` (a ``tzinfo``); times stay aware UTC."""
    pieces = []
    cursor = start
    while cursor < end:
        local_day = cursor.astimezone(tz).date()
        midnight = datetime.combine(local_day + timedelta(days=1), time(), tzinfo=tz)
        stop = min(end, midnight.astimezone(UTC))
        pieces.append((local_day, cursor, stop))
        cursor = stop
    return pieces


def _hours(seconds):
    return f"{seconds / 3600:.2f} h"


def _check(previous, reading, max_gap, restart, slack):
    """The :class:`Anomaly` of a pair of readings, or None when it is usage."""
    delta = reading.seconds - previous.seconds
    elapsed = (reading.time - previous.time).total_seconds()
    if delta < 0:
        return Anomaly(
            "reset",
            previous,
            reading,
            f"the engine-seconds meter went back from {_hours(previous.seconds)} at "
            f"{previous.time.isoformat()} to {_hours(reading.seconds)} at "
            f"{reading.time.isoformat()} (meter reset or gateway moved)",
        )
    if delta > elapsed + slack:
        return Anomaly(
            "implausible",
            previous,
            reading,
            f"the meter moved {_hours(delta)} in {_hours(elapsed)} of time, from "
            f"{previous.time.isoformat()} to {reading.time.isoformat()}",
        )
    if elapsed > max_gap.total_seconds() and delta > restart:
        return Anomaly(
            "gap",
            previous,
            reading,
            f"no reading for {_hours(elapsed)}, from {previous.time.isoformat()} to "
            f"{reading.time.isoformat()}, while the meter moved {_hours(delta)}: the "
            f"hours cannot be placed on a day",
        )
    return None


def track(last, readings, tz, max_gap, restart=RESTART_SECONDS, slack=CLOCK_SLACK_SECONDS):
    """Usage and anomalies from ``readings`` (:class:`~.feed.Reading` in
    any order) following ``last``, the last reading already taken into
    account (None for a meter never read: its first reading only sets it).

    Returns ``(items, last)``: the anomalies in time order followed by one
    :class:`Usage` per local day of ``tz``, and the reading the next call
    starts from. Readings not later than ``last`` were taken into account
    already and are ignored, so the same readings never count twice."""
    anomalies = []
    pieces = {}
    for reading in sorted(readings):
        if last is not None and reading.time <= last.time:
            continue
        if last is None:
            last = reading
            continue
        anomaly = _check(last, reading, max_gap, restart, slack)
        if anomaly:
            anomalies.append(anomaly)
        else:
            # The engine cannot have run longer than the time that passed:
            # a delta above it by the clocks' slack costs the elapsed time.
            run = min(reading.seconds - last.seconds, (reading.time - last.time).total_seconds())
            start = reading.time - timedelta(seconds=run)
            for day, piece_start, piece_end in split_by_day(start, reading.time, tz):
                pieces.setdefault(day, []).append((piece_start, piece_end, reading))
        last = reading
    usage = [
        Usage(
            day,
            parts[0][0],
            parts[-1][1],
            sum((end - start).total_seconds() for start, end, _reading in parts),
            parts[-1][2],
        )
        for day, parts in sorted(pieces.items())
    ]
    return anomalies + usage, last
