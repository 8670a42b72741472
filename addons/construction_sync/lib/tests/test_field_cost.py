from datetime import date

import pytest

from ..field_cost import FieldCostError, meter_hours, pay_class_factor, rate_on


def test_pay_classes_cost_more_for_overtime():
    assert pay_class_factor("regular") == 1.0
    assert pay_class_factor(None) == 1.0
    assert pay_class_factor("overtime") == 1.5
    assert pay_class_factor("double") == 2.0
    with pytest.raises(FieldCostError, match="triple"):
        pay_class_factor("triple")


def test_meter_hours_run_forward_only():
    assert meter_hours(1200.0, 1207.5) == 7.5
    assert meter_hours(None, 1200.0) == 0.0, "a first reading only sets the meter"
    assert meter_hours(1200.0, 1200.0) == 0.0
    with pytest.raises(FieldCostError, match="lower than the last recorded 1200 h"):
        meter_hours(1200.0, 1190.0)


def test_rate_in_force_on_a_day():
    rates = [(date(2026, 7, 1), 95.0), (date(2026, 1, 1), 80.0)]
    assert rate_on(rates, date(2026, 3, 15)) == 80.0
    assert rate_on(rates, date(2026, 7, 1)) == 95.0
    assert rate_on(rates, date(2025, 12, 31)) is None
    assert rate_on([], date(2026, 1, 1)) is None
