"""The pay application arithmetic against examples worked by hand."""

from decimal import Decimal

import pytest

from ..pay_app import PayAppError, Progress, continuation_sheet, retainage_percent, summary

D = Decimal

# Original contract 100,000 in three lines, one approved change order of
# 5,000; 10 % retainage on work, 5 % on stored materials; second period.
PERIOD_2 = [
    Progress("A paving", 60000, previous=30000, this_period=15000),
    Progress("B curb", 30000, previous=6000, this_period=9000, stored=4000),
    Progress("C striping", 10000),
    Progress("D patching (CO 1)", 5000, this_period="2500.55"),
]


def test_continuation_sheet_columns_match_the_hand_computed_example():
    sheet = continuation_sheet(PERIOD_2, retainage_percent=10, stored_retainage_percent=5)
    by_key = {line.key: line for line in sheet}

    curb = by_key["B curb"]
    assert curb.completed_to_date == D("19000.00")
    assert curb.percent == D("63.33")
    assert curb.balance_to_finish == D("11000.00")
    # 10 % of the 15,000 of work, 5 % of the 4,000 stored.
    assert curb.retainage_work == D("1500.00")
    assert curb.retainage_stored == D("200.00")
    assert curb.retainage == D("1700.00")

    patching = by_key["D patching (CO 1)"]
    assert patching.percent == D("50.01")
    assert patching.balance_to_finish == D("2499.45")
    # 250.055 rounds half up, per line.
    assert patching.retainage == D("250.06")

    assert by_key["C striping"].percent == 0
    assert by_key["C striping"].balance_to_finish == D("10000.00")


def test_summary_lines_match_the_hand_computed_example():
    sheet = continuation_sheet(PERIOD_2, retainage_percent=10, stored_retainage_percent=5)
    # Period 1 certified 36,000 of work less 10 %.
    page = summary(
        sheet, original_contract_sum=100000, net_change_orders=5000, previous_certificates=32400
    )

    assert page.contract_sum_to_date == D("105000.00")
    assert page.completed_and_stored == D("66500.55")
    assert page.retainage_on_completed == D("6250.06")
    assert page.retainage_on_stored == D("200.00")
    assert page.retainage_total == D("6450.06")
    assert page.earned_less_retainage == D("60050.49")
    assert page.current_payment_due == D("27650.49")
    assert page.balance_to_finish_with_retainage == D("44949.51")


def test_a_line_cannot_bill_more_than_its_scheduled_value():
    with pytest.raises(PayAppError, match="C striping"):
        continuation_sheet(
            [Progress("C striping", 10000, previous=6000, this_period=3000, stored="1000.01")]
        )


def test_a_correction_cannot_bring_a_line_below_nothing():
    with pytest.raises(PayAppError):
        continuation_sheet([Progress("A paving", 60000, previous=1000, this_period=-1500)])


def test_a_deductive_change_order_line_bills_down_to_its_negative_value():
    sheet = continuation_sheet(
        [Progress("CO 2 deduct", -2000, this_period=-500)], retainage_percent=10
    )
    assert sheet[0].percent == D("25.00")
    assert sheet[0].balance_to_finish == D("-1500.00")
    assert sheet[0].retainage == D("-50.00")
    with pytest.raises(PayAppError):
        continuation_sheet([Progress("CO 2 deduct", -2000, this_period=500)])


def test_a_line_may_carry_its_own_retainage_and_the_contract_may_reduce_it():
    sheet = continuation_sheet(
        [
            Progress("A", 1000, this_period=1000),
            Progress("B", 1000, this_period=1000, retainage_percent=0),
        ],
        retainage_percent=10,
    )
    assert [line.retainage for line in sheet] == [D("100.00"), D("0.00")]
    # 10 % until half complete, 5 % afterwards.
    contract = {"reduced_percent": 5, "reduce_after": 50}
    assert retainage_percent(10, percent_complete="49.99", **contract) == D(10)
    assert retainage_percent(10, percent_complete=50, **contract) == D(5)
    assert retainage_percent(10) == D(10)


def test_a_final_application_without_retainage_pays_what_was_held():
    final = continuation_sheet([Progress("A", 1000, previous=1000)], retainage_percent=0)
    page = summary(final, original_contract_sum=1000, previous_certificates=900)
    assert page.retainage_total == 0
    assert page.current_payment_due == D("100.00")
    assert page.balance_to_finish_with_retainage == 0
