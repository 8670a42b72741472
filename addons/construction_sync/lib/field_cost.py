"""Arithmetic of field actuals: pay classes, meter readings, dated rates."""

import bisect

# Cost of an hour of each pay class, as a multiple of the regular hourly cost.
PAY_CLASS_FACTORS = {"regular": 1.0, "overtime": 1.5, "double": 2.0}


class FieldCostError(ValueError):
    """A field figure that cannot be turned into cost."""


def pay_class_factor(pay_class):
    try:
        return PAY_CLASS_FACTORS[pay_class or "regular"]
    except KeyError as error:
        raise FieldCostError(f"unknown pay class {pay_class!r}") from error


def meter_hours(previous, reading):
    """Hours run between two hour-meter readings; a reading below the last
    one is refused (a meter does not run backwards)."""
    if previous is not None and reading < previous:
        raise FieldCostError(
            f"meter reading {reading:g} h is lower than the last recorded {previous:g} h"
        )
    return reading - (previous if previous is not None else reading)


def rate_on(rates, day):
    """The rate in force on ``day`` from ``(effective date, rate)`` pairs:
    the one with the latest effective date on or before ``day``; None when
    every rate starts later."""
    ordered = sorted(rates)
    index = bisect.bisect_right([effective for effective, _rate in ordered], day)
    return ordered[index - 1][1] if index else None
