from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ..engine_hours import split_by_day, track
from ..feed import Reading

CHICAGO = ZoneInfo("America/Chicago")  # UTC-5 in March 2026 (daylight time from 8 March)
GAP = timedelta(hours=12)


def at(hour, minute=0, day=10):
    """A moment of March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def reading(moment, hours):
    return Reading(moment, round(hours * 3600))


def test_a_first_reading_only_sets_the_meter():
    first = reading(at(13), 1200)
    items, last = track(None, [first], CHICAGO, GAP)
    assert (items, last) == ([], first)


def test_deltas_of_a_day_add_up_to_one_usage_placed_before_each_reading():
    readings = [reading(at(14), 1201), reading(at(13), 1200), reading(at(16), 1202.5)]
    items, last = track(None, readings, CHICAGO, GAP)
    (usage,) = items
    assert (usage.day, usage.hours) == (date(2026, 3, 10), 2.5)
    assert (usage.start, usage.end) == (at(13), at(16))
    assert usage.reading == last == readings[2]


def test_readings_already_taken_into_account_never_count_twice():
    readings = [reading(at(13), 1200), reading(at(15), 1202)]
    _items, last = track(None, readings, CHICAGO, GAP)
    items, again = track(last, readings, CHICAGO, GAP)
    assert (items, again) == ([], last)
    items, _last = track(last, [*readings, reading(at(16), 1203)], CHICAGO, GAP)
    assert [usage.hours for usage in items] == [1.0]


def test_a_run_across_local_midnight_is_split_between_the_two_days():
    # 22:00 to 02:00 in Chicago is 03:00 to 07:00 UTC on the 11th.
    previous = reading(at(3, day=11), 1200)
    items, _last = track(previous, [reading(at(7, day=11), 1204)], CHICAGO, GAP)
    assert [(usage.day, usage.hours) for usage in items] == [
        (date(2026, 3, 10), 2.0),
        (date(2026, 3, 11), 2.0),
    ]
    assert items[0].end == items[1].start == at(5, day=11), "local midnight"


def test_split_by_day_keeps_utc_and_cuts_at_each_local_midnight():
    pieces = split_by_day(at(4, day=10), at(6, day=12), CHICAGO)
    assert [(day, start.hour, end.hour) for day, start, end in pieces] == [
        (date(2026, 3, 9), 4, 5),
        (date(2026, 3, 10), 5, 5),
        (date(2026, 3, 11), 5, 5),
        (date(2026, 3, 12), 5, 6),
    ]
    assert split_by_day(at(4), at(4), CHICAGO) == []


def test_a_meter_reset_goes_to_review_and_counting_resumes_from_it():
    previous = reading(at(13), 1200)
    reset = reading(at(14), 3)
    items, last = track(previous, [reset, reading(at(15), 4)], CHICAGO, GAP)
    anomaly, usage = items
    assert (anomaly.kind, anomaly.previous, anomaly.reading) == ("reset", previous, reset)
    assert "went back from 1200.00 h" in anomaly.reason
    assert "to 3.00 h" in anomaly.reason
    assert usage.hours == 1.0, "the hour after the reset costs, the reset itself does not"
    assert last.seconds == 4 * 3600


def test_more_hours_than_time_passed_go_to_review():
    previous = reading(at(13), 1200)
    items, last = track(previous, [reading(at(14), 1203)], CHICAGO, GAP)
    (anomaly,) = items
    assert anomaly.kind == "implausible"
    assert "moved 3.00 h in 1.00 h of time" in anomaly.reason
    assert last.seconds == 1203 * 3600


def test_clock_slack_costs_no_more_than_the_time_that_passed():
    previous = Reading(at(13), 4_320_000)
    items, _last = track(previous, [Reading(at(14), 4_320_000 + 3630)], CHICAGO, GAP)
    (usage,) = items
    assert usage.seconds == 3600


def test_hours_run_during_a_long_gap_in_the_data_go_to_review():
    previous = reading(at(13, day=10), 1200)
    items, last = track(previous, [reading(at(15, day=11), 1206)], CHICAGO, GAP)
    (anomaly,) = items
    assert anomaly.kind == "gap"
    assert "no reading for 26.00 h" in anomaly.reason
    assert "moved 6.00 h" in anomaly.reason
    assert last.time == at(15, day=11)


def test_a_restart_after_a_quiet_weekend_is_usage_on_the_day_it_ran():
    friday = reading(at(23, day=6), 1200)
    monday = Reading(at(13, day=9), friday.seconds + 240)
    items, _last = track(friday, [monday], CHICAGO, GAP)
    (usage,) = items
    assert (usage.day, usage.seconds) == (date(2026, 3, 9), 240)
    assert usage.start == at(13, day=9) - timedelta(seconds=240)


@pytest.mark.parametrize("gap_hours", [1, 48])
def test_the_gap_threshold_is_the_callers(gap_hours):
    previous = reading(at(1), 1200)
    items, _last = track(previous, [reading(at(9), 1202)], CHICAGO, timedelta(hours=gap_hours))
    assert [item.__class__.__name__ for item in items] == (
        ["Anomaly"] if gap_hours == 1 else ["Usage"]
    )
