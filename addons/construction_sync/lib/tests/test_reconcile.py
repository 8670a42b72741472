from datetime import date

import pytest

from ..reconcile import TotalsError, differs, parse_totals, period_bounds


def test_period_bounds_cover_the_month():
    assert period_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("2028-02")[1] == date(2028, 2, 29)
    with pytest.raises(TotalsError, match="YYYY-MM"):
        period_bounds("March")


def test_totals_are_read_with_one_measure_each():
    rows = parse_totals(
        {
            "totals": [
                {"project": "JOB-1", "cost_code": "31 23 16", "hours": 12.5},
                {"project": "JOB-1", "cost_code": "32 12 16", "amount": 900},
            ]
        }
    )
    assert rows == [("JOB-1", "31 23 16", "hours", 12.5), ("JOB-1", "32 12 16", "amount", 900)]
    with pytest.raises(TotalsError, match='no "totals"'):
        parse_totals({"rows": []})
    with pytest.raises(TotalsError, match=r"totals\[0\] needs one number"):
        parse_totals({"totals": [{"project": "J", "cost_code": "1", "hours": 1, "amount": 2}]})
    with pytest.raises(TotalsError, match=r"totals\[0\] needs a project"):
        parse_totals({"totals": [{"cost_code": "1", "hours": 1}]})


def test_differences_within_a_cent_do_not_count():
    assert not differs(10.0, 10.004)
    assert differs(10.0, 10.01)
