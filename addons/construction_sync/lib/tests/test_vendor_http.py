import pytest

from ..vendor_http import (
    RateLimited,
    VendorRefused,
    VendorResponse,
    VendorUnavailable,
    check_status,
    reset_after,
    wait_seconds,
)

NOW = 1_700_000_000


def test_retry_after_in_whole_or_fractional_seconds_or_a_date_comes_first():
    assert wait_seconds({"Retry-After": "7"}, NOW) == 7
    assert wait_seconds({"Retry-After": "0.25"}, NOW) == 0.25
    assert wait_seconds({"Retry-After": "Tue, 14 Nov 2023 22:13:40 GMT"}, NOW) == 20
    assert wait_seconds({"Retry-After": "2", "X-RateLimit-Reset": str(NOW + 50)}, NOW) == 2


def test_reset_headers_are_an_epoch_or_seconds_from_now():
    assert wait_seconds({"X-RateLimit-Reset": str(NOW + 42)}, NOW) == 42
    assert wait_seconds({"RateLimit-Reset": "12"}, NOW) == 12
    assert reset_after(str(NOW - 5), NOW) == 0, "a reset in the past waits nothing"
    assert reset_after("nan", NOW) is None
    assert wait_seconds({"Retry-After": "later"}, NOW) is None
    assert wait_seconds({}, NOW) is None


def test_statuses_become_wait_retry_or_stop():
    check_status("GET", "/v2/photos", 200, {}, NOW)
    with pytest.raises(RateLimited) as limited:
        check_status("GET", "/v2/photos", 429, {"Retry-After": "1.5"}, NOW)
    assert limited.value.seconds == 1.5
    assert limited.value.retryable
    with pytest.raises(RateLimited) as bare:
        check_status("GET", "/v2/photos", 429, {}, NOW)
    assert bare.value.seconds is None, "no header: the caller backs off exponentially"
    with pytest.raises(VendorUnavailable):
        check_status("GET", "/v2/photos", 502, {}, NOW)
    with pytest.raises(VendorRefused) as refused:
        check_status("GET", "/v2/photos", 401, {}, NOW)
    assert not refused.value.retryable
    assert str(refused.value) == "GET /v2/photos answered 401"


def test_an_answer_is_read_as_json_or_refused_naming_the_request():
    assert VendorResponse(200, {}, b'{"id": 7}').document("GET /me") == {"id": 7}
    assert VendorResponse(204, {}, b"").document("DELETE /hooks/1") == {}
    with pytest.raises(VendorRefused, match="GET /me answered something other"):
        VendorResponse(200, {}, b"<html>login</html>").document("GET /me")
