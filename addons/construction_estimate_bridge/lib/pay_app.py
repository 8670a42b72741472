"""Pay application arithmetic: the continuation sheet and its summary.

One arithmetic for every progress bill of a contract with a schedule of
values: the contractor's application to its client (owner billing) and a
subcontractor's application to the contractor (subcontracts). The columns
and lines are the ones owners and contractors know from the AIA G702/G703
forms:

Continuation sheet, per schedule line
    C scheduled value, D work completed in previous applications, E work
    completed this period, F materials presently stored (not in D or E),
    G completed and stored to date (D + E + F), G / C percent, H balance to
    finish (C - G), I retainage.

Summary
    1 original contract sum, 2 net change by change orders, 3 contract sum
    to date (1 + 2), 4 completed and stored to date (sum of G), 5 retainage
    on completed work (D + E) and on stored materials (F), 6 total earned
    less retainage (4 - 5), 7 less previous certificates for payment (line 6
    of the previous application), 8 current payment due (6 - 7), 9 balance
    to finish including retainage (3 - 6).

Amounts are ``Decimal`` rounded half-up to the currency's decimals;
retainage is rounded per line, and every total is the sum of its lines, so
the two pages of a pay application always agree.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_HUNDRED = Decimal(100)


class PayAppError(ValueError):
    """A schedule line whose figures cannot be billed (the message says why)."""


def to_decimal(value):
    """A number from Odoo (float), a file (str) or Decimal, as Decimal."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value or 0))


def _round(value, digits):
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    """What is known of one schedule line for the period being billed.

    ``retainage_percent`` / ``stored_retainage_percent`` are per line when
    the contract says so; ``None`` takes the application's percents.
    """

    key: object
    scheduled_value: object
    previous: object = 0
    this_period: object = 0
    stored: object = 0
    retainage_percent: object = None
    stored_retainage_percent: object = None


@dataclass(frozen=True)
class SheetLine:
    key: object
    scheduled_value: Decimal
    previous: Decimal
    this_period: Decimal
    stored: Decimal
    completed_to_date: Decimal
    percent: Decimal
    balance_to_finish: Decimal
    retainage_work: Decimal
    retainage_stored: Decimal

    @property
    def retainage(self):
        return self.retainage_work + self.retainage_stored


@dataclass(frozen=True)
class Summary:
    original_contract_sum: Decimal
    net_change_orders: Decimal
    contract_sum_to_date: Decimal
    completed_and_stored: Decimal
    retainage_on_completed: Decimal
    retainage_on_stored: Decimal
    retainage_total: Decimal
    earned_less_retainage: Decimal
    previous_certificates: Decimal
    current_payment_due: Decimal
    balance_to_finish_with_retainage: Decimal


def retainage_percent(percent, reduced_percent=None, reduce_after=None, percent_complete=0):
    """The retainage percent that applies once the work is ``percent_complete``.

    Contracts commonly hold ``percent`` until the work is ``reduce_after``
    percent complete and ``reduced_percent`` from then on.
    """
    reduces = reduced_percent is not None and reduce_after is not None
    if reduces and to_decimal(percent_complete) >= to_decimal(reduce_after):
        return to_decimal(reduced_percent)
    return to_decimal(percent)


def _percent(value, default):
    return default if value is None else to_decimal(value)


def _check(line, completed):
    scheduled = line.scheduled_value
    low, high = sorted((Decimal(0), scheduled))
    if not low <= completed <= high:
        raise PayAppError(
            f"Line {line.key}: completed and stored to date ({completed}) must lie "
            f"between 0 and the scheduled value ({scheduled})."
        )


def continuation_sheet(progress, retainage_percent=0, stored_retainage_percent=None, digits=2):
    """The continuation sheet (one ``SheetLine`` per ``Progress``).

    ``stored_retainage_percent`` defaults to ``retainage_percent``. Raises
    ``PayAppError`` when a line would bill more than its scheduled value, or
    less than nothing.
    """
    work_percent = to_decimal(retainage_percent)
    stored_percent = _percent(stored_retainage_percent, work_percent)
    sheet = []
    for item in progress:
        line = Progress(
            key=item.key,
            scheduled_value=_round(to_decimal(item.scheduled_value), digits),
            previous=_round(to_decimal(item.previous), digits),
            this_period=_round(to_decimal(item.this_period), digits),
            stored=_round(to_decimal(item.stored), digits),
        )
        completed = line.previous + line.this_period + line.stored
        _check(line, completed)
        work = line.previous + line.this_period
        line_work_percent = _percent(item.retainage_percent, work_percent)
        line_stored_percent = _percent(item.stored_retainage_percent, stored_percent)
        scheduled = line.scheduled_value
        sheet.append(
            SheetLine(
                key=line.key,
                scheduled_value=scheduled,
                previous=line.previous,
                this_period=line.this_period,
                stored=line.stored,
                completed_to_date=completed,
                percent=_round(completed * _HUNDRED / scheduled, 2) if scheduled else Decimal(0),
                balance_to_finish=scheduled - completed,
                retainage_work=_round(work * line_work_percent / _HUNDRED, digits),
                retainage_stored=_round(line.stored * line_stored_percent / _HUNDRED, digits),
            )
        )
    return sheet


def summary(sheet, original_contract_sum, net_change_orders=0, previous_certificates=0, digits=2):
    """The application's summary page from its continuation sheet."""
    original = _round(to_decimal(original_contract_sum), digits)
    changes = _round(to_decimal(net_change_orders), digits)
    contract_sum = original + changes
    completed = sum((line.completed_to_date for line in sheet), Decimal(0))
    on_completed = sum((line.retainage_work for line in sheet), Decimal(0))
    on_stored = sum((line.retainage_stored for line in sheet), Decimal(0))
    retainage = on_completed + on_stored
    earned = completed - retainage
    previous = _round(to_decimal(previous_certificates), digits)
    return Summary(
        original_contract_sum=original,
        net_change_orders=changes,
        contract_sum_to_date=contract_sum,
        completed_and_stored=completed,
        retainage_on_completed=on_completed,
        retainage_on_stored=on_stored,
        retainage_total=retainage,
        earned_less_retainage=earned,
        previous_certificates=previous,
        current_payment_due=earned - previous,
        balance_to_finish_with_retainage=contract_sum - earned,
    )
