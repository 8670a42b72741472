"""Raken's dialect, checked without Odoo. Raken's API reference is not
public: the shapes are the assumptions documented in ``..raken``."""

import pytest

from ..raken import (
    Unmappable,
    celsius,
    daily_report_envelope,
    next_offset,
    page_items,
    time_card_envelopes,
)


def card(**values):
    return dict(
        {
            "uuid": "tc-1",
            "date": "2026-10-02",
            "status": "APPROVED",
            "updatedAt": "2026-10-03T18:00:00Z",
            "worker": {
                "uuid": "w-1",
                "firstName": "Maria",
                "lastName": "Lopez",
                "employeeId": "4471",
            },
            "project": {"uuid": "p-1"},
            "approvedBy": {"firstName": "Dana", "lastName": "Whitfield"},
            "timeEntries": [
                {
                    "uuid": "te-1",
                    "hours": 6,
                    "payType": {"code": "OT", "name": "Overtime"},
                    "classification": {"name": "Operator"},
                    "costCode": {"code": "31 23 16.26"},
                },
                {"uuid": "te-2", "hours": 2, "payType": {"code": "RT"}},
            ],
        },
        **values,
    )


def test_each_time_entry_of_an_approved_card_is_one_labor_event():
    first, second = time_card_envelopes(card())
    assert first == {
        "event_type": "labor.approved",
        "idempotency_key": "timeEntry:te-1@2026-10-03T18:00:00Z",
        "occurred_at": "2026-10-03T18:00:00Z",
        "payload": {
            "source_entry_id": "te-1",
            "employee": "4471",
            "project": "p-1",
            "work_date": "2026-10-02",
            "hours": 6.0,
            "pay_class": "overtime",
            "description": "Raken: Maria Lopez · Operator · Overtime",
            "cost_code": "31 23 16.26",
            "crew": "Operator",
            "approver": "Dana Whitfield",
        },
    }
    assert (second["payload"]["pay_class"], "cost_code" in second["payload"]) == ("regular", False)


def test_a_worker_without_employee_id_is_named_by_uuid():
    worker = {"uuid": "w-9"}
    assert time_card_envelopes(card(worker=worker))[0]["payload"]["employee"] == "w-9"


@pytest.mark.parametrize(
    "values",
    [
        {"status": "SUBMITTED"},
        {"worker": {}},
        {"project": {}},
        {"timeEntries": []},
        {"timeEntries": [{"uuid": "te-3", "hours": 1, "payType": {"code": "PTO"}}]},
    ],
)
def test_a_card_the_suite_cannot_take_is_unmappable(values):
    with pytest.raises(Unmappable):
        time_card_envelopes(card(**values))


def test_pages_end_short_or_at_the_total():
    assert page_items({"collection": [1], "page": {"totalElements": 7}}) == ([1], 7)
    assert next_offset(0, 100, 100, 250) == 100
    assert next_offset(200, 100, 50, 250) is None
    assert next_offset(100, 100, 100, 200) is None
    assert next_offset(0, 100, 100, None) == 100
    with pytest.raises(Unmappable):
        page_items([])


def test_a_daily_report_is_one_daily_log_event_with_its_photos():
    envelope = daily_report_envelope(
        {
            "uuid": "dr-1",
            "date": "2026-11-03",
            "updatedAt": "2026-11-03T23:00:00Z",
            "project": {"uuid": "p-1"},
            "weather": {"summary": "Clear", "temperatureHigh": 50, "temperatureUnit": "F"},
            "crews": [{"trade": "Laborers", "workerCount": 3, "hours": 24}],
            "notes": [
                {"category": "DELAY", "text": "Rain at noon"},
                {"category": "OTHER", "text": "Good day"},
            ],
            "photos": [{"uuid": "ph-1", "url": "https://files.example/ph-1.jpg"}],
        }
    )
    payload = envelope["payload"]
    assert envelope["idempotency_key"] == "dailyReport:dr-1@2026-11-03T23:00:00Z"
    assert payload["weather"]["temperature_high"] == 10.0
    assert payload["crews"] == [
        {"trade": "Laborers", "company": None, "headcount": 3, "hours": 24.0}
    ]
    assert (payload["delays"], payload["notes"]) == ("Rain at noon", "Good day")
    assert payload["photos"][0]["external_id"] == "ph-1"


def test_temperatures_are_kept_in_celsius():
    assert celsius(212, "F") == 100.0
    assert celsius(21, "C") == 21.0
    assert celsius(None, "F") is None
