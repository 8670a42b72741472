"""Reconciliation of totals reported by a system of record against Odoo's."""

import calendar
from datetime import date

MEASURES = ("hours", "amount")


class TotalsError(ValueError):
    """A totals document that cannot be read."""


def period_bounds(period):
    """First and last day of a ``YYYY-MM`` period."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, AttributeError) as error:
        raise TotalsError(f"period {period!r} is not YYYY-MM") from error


def parse_totals(document):
    """``[(project, cost_code, measure, total)]`` from a system's answer
    ``{"totals": [{"project", "cost_code", "hours" | "amount"}]}``."""
    rows = document.get("totals") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise TotalsError('the answer has no "totals" list')
    parsed = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("project") or not row.get("cost_code"):
            raise TotalsError(f"totals[{index}] needs a project and a cost_code")
        measures = [measure for measure in MEASURES if measure in row]
        if len(measures) != 1 or not isinstance(row[measures[0]], int | float):
            raise TotalsError(f"totals[{index}] needs one number: hours or amount")
        parsed.append((str(row["project"]), str(row["cost_code"]), measures[0], row[measures[0]]))
    return parsed


def differs(external_total, odoo_total, tolerance=0.005):
    return abs(external_total - odoo_total) > tolerance
