"""Procore's dialect, checked without Odoo. Shapes from Procore's developer
documentation: "Procore API Authentication Endpoints" (the token answer),
"How Webhooks Work" (the delivery), "Field Productivity" (Timecard Entry)
and the Commitment Change Order reference."""

from datetime import datetime, timedelta

import pytest

from ..procore import (
    Unmappable,
    change_order_envelopes,
    commitment_envelopes,
    direct_cost_body,
    direct_cost_line,
    notification,
    same_direct_cost,
    secret_header,
    timecard_envelopes,
    token_expiry,
    verify_secret,
)

ENTRY = {
    "id": 77001,
    "date": "2026-11-30",
    "hours": "7.5",
    "approval_status": "approved",
    "party": {"id": 4578, "name": "Maria Lopez"},
    "cost_code": {"id": 91, "full_code": "03 30 00"},
    "project": {"id": 562949953425469},
    "updated_at": "2026-11-30T23:00:00Z",
}


def test_token_is_renewed_five_minutes_before_procore_says_it_expires():
    now = datetime(2026, 12, 1, 10, 0)
    token, renew_at = token_expiry({"access_token": "abc", "expires_in": 5400}, now)
    assert (token, renew_at) == ("abc", now + timedelta(minutes=85))
    with pytest.raises(Unmappable):
        token_expiry({"error": "invalid_client"}, now)


def test_secret_header_is_compared_whole():
    assert verify_secret("s3cret", secret_header("s3cret"))
    for header in (None, "", "Bearer s3cre", "s3cret", "Bearer s3cret2"):
        assert not verify_secret("s3cret", header)
    assert not verify_secret("", "Bearer ")


def test_delivery_is_a_notification_keyed_by_its_ulid():
    event, ulid, payload = notification(
        {
            "id": 1,
            "ulid": "01JDX3",
            "company_id": 5,
            "project_id": 7,
            "event_type": "update",
            "resource_name": "Timecard Entries",
            "resource_id": 77001,
        }
    )
    assert (event, ulid) == ("Timecard Entries.update", "01JDX3")
    assert payload["resource_id"] == "77001" and payload["project_id"] == "7"
    for bad in ([], {"ulid": "x", "resource_name": "RFIs", "event_type": "create"}, {"ulid": ""}):
        with pytest.raises(Unmappable):
            notification(bad)


def test_approved_entry_is_labor_and_a_pending_one_nothing():
    (envelope,) = timecard_envelopes(ENTRY)
    assert envelope["event_type"] == "labor.approved"
    assert envelope["idempotency_key"] == "timecard:77001@2026-11-30T23:00:00Z"
    assert envelope["payload"] == {
        "source_entry_id": "77001",
        "employee": "4578",
        "project": "562949953425469",
        "work_date": "2026-11-30",
        "hours": 7.5,
        "cost_code": "03 30 00",
    }
    (corrected,) = timecard_envelopes(ENTRY, corrected=True)
    assert corrected["event_type"] == "labor.corrected" and corrected["payload"]["reason"]
    assert timecard_envelopes(dict(ENTRY, approval_status="pending")) == []
    with pytest.raises(Unmappable):
        timecard_envelopes(dict(ENTRY, party=None))


def test_approved_change_order_names_its_lines_and_commitment():
    order = {
        "id": 901,
        "number": "003",
        "title": "Rebar",
        "status": "approved",
        "contract_id": 7101,
        "line_items": [{"amount": "12500.0", "cost_code": {"full_code": "03 30 00"}}],
        "updated_at": "2026-12-01T09:30:00Z",
    }
    (envelope,) = change_order_envelopes(order, "Commitment Change Orders", 7)
    payload = envelope["payload"]
    assert (payload["external_id"], payload["commitment"], payload["source"]) == (
        "commitment:901",
        "7101",
        "field",
    )
    assert payload["lines"] == [{"cost_code": "03 30 00", "amount": 12500.0}]
    (prime,) = change_order_envelopes(order, "Prime Contract Change Orders", 7)
    assert prime["payload"]["source"] == "client" and "commitment" not in prime["payload"]
    assert (
        change_order_envelopes(dict(order, status="pending"), "Commitment Change Orders", 7) == []
    )


def test_commitment_is_a_purchase_order_or_a_subcontract_with_its_lines():
    commitment = {
        "id": 7101,
        "number": "PO-014",
        "title": "Rebar supply",
        "status": "Approved",
        "vendor": {"id": 8801},
        "line_items": [
            {"id": 1, "amount": "400.0", "quantity": "2", "cost_code": {"full_code": "03 30 00"}}
        ],
    }
    (envelope,) = commitment_envelopes(commitment, "Purchase Order Contracts", 7)
    payload = envelope["payload"]
    assert (payload["kind"], payload["approved"], payload["vendor"]) == (
        "purchase_order",
        True,
        "8801",
    )
    assert payload["lines"] == [
        {
            "line_id": "1",
            "cost_code": "03 30 00",
            "description": "03 30 00",
            "quantity": 2.0,
            "unit_cost": 200.0,
        }
    ]
    (draft,) = commitment_envelopes(dict(commitment, status="Draft"), "Work Order Contracts", 7)
    assert (draft["payload"]["kind"], draft["payload"]["approved"]) == ("subcontract", False)
    assert commitment_envelopes(dict(commitment, status="Void"), "Work Order Contracts", 7) == []
    with pytest.raises(Unmappable):
        commitment_envelopes(dict(commitment, vendor={}), "Work Order Contracts", 7)


def test_work_order_contract_carries_its_retainage_percent():
    # "Show Work Order Contract": retainage_percent is a string
    contract = {
        "id": 7201,
        "status": "Approved",
        "retainage_percent": "7.5",
        "vendor": {"id": 8801},
        "line_items": [{"id": 11, "amount": "100.0", "cost_code": {"full_code": "03 30 00"}}],
    }
    (envelope,) = commitment_envelopes(contract, "Work Order Contracts", 7)
    assert envelope["payload"]["retainage_percent"] == 7.5
    (without,) = commitment_envelopes(
        dict(contract, retainage_percent=None), "Work Order Contracts", 7
    )
    assert "retainage_percent" not in without["payload"]
    with pytest.raises(Unmappable, match="not a percent between 0 and 100"):
        commitment_envelopes(dict(contract, retainage_percent="150"), "Work Order Contracts", 7)


def test_direct_cost_is_the_same_when_its_lines_are():
    lines = [direct_cost_line(9000, 12, "03 30 00", 1520.0)]
    body = direct_cost_body("odoo-job-cost:3:2026-11", "2026-11-30", "2026-11", lines)
    cost = body["direct_cost"]
    assert (cost["origin_id"], cost["direct_cost_type"], cost["direct_cost_date"]) == (
        "odoo-job-cost:3:2026-11",
        "expense",
        "2026-11-30",
    )
    assert cost["line_items"] == [
        {
            "cost_code_id": 9000,
            "amount": "1520.00",
            "description": "Job cost on 03 30 00",
            "origin_id": "12",
        }
    ]
    procore_answer = {"line_items": [{"origin_id": "12", "amount": "1520.0"}]}
    assert same_direct_cost(procore_answer, body)
    assert not same_direct_cost({"line_items": [{"origin_id": "12", "amount": "1600"}]}, body)
