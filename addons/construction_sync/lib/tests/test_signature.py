import hashlib
import hmac

import pytest

from ..signature import (
    SignatureError,
    SignedRequest,
    sign,
    sign_v1,
    signed_headers,
    string_to_sign,
    verify,
)

SECRET = "s3cret-webhook"
BODY = b'{"event_type":"cost_code.upserted"}'
NOW = 1_700_000_000
POST = SignedRequest("POST", "/construction/api/v1/events", (), "key-1", BODY)
GET = SignedRequest("GET", "/construction/api/v1/events/12")


def test_the_signed_text_is_the_documented_seven_lines():
    request = SignedRequest(
        "post",
        "/construction/api/v1/field/sites/ä b",
        (("radius", "50"), ("lat", "40.1"), ("lat", "-3"), ("q", "a/b c+d")),
        "key-1",
        BODY,
    )
    assert string_to_sign(NOW, request).decode().split("\n") == [
        "v2",
        "1700000000",
        "POST",
        "/construction/api/v1/field/sites/%C3%A4%20b",
        "lat=-3&lat=40.1&q=a%2Fb%20c%2Bd&radius=50",
        "key-1",
        hashlib.sha256(BODY).hexdigest(),
    ]
    expected = hmac.new(SECRET.encode(), string_to_sign(NOW, request), "sha256").hexdigest()
    assert sign(SECRET, NOW, request) == f"v2={expected}"


def test_a_url_signs_like_the_request_the_server_decodes():
    """A client signs the URL it sends; the server signs what its framework
    decoded: the same text either way."""
    from_url = SignedRequest.from_url(
        "GET",
        "https://odoo.example/construction/api/v1/cost-codes?limit=5&updated_since=2025-01-01T00%3A00%3A00%2B00%3A00",
    )
    decoded = SignedRequest(
        "GET",
        "/construction/api/v1/cost-codes",
        (("updated_since", "2025-01-01T00:00:00+00:00"), ("limit", "5")),
    )
    assert string_to_sign(NOW, from_url) == string_to_sign(NOW, decoded)
    assert string_to_sign(NOW, SignedRequest.from_url("GET", "http://h")).split(b"\n")[3] == b"/"


def test_fresh_good_signature_passes_and_gives_its_digest():
    header = sign(SECRET, NOW, POST)
    assert header.startswith("v2=") and len(header) == 3 + 64
    verified = verify(SECRET, str(NOW), header, POST, now=NOW + 299)
    assert (verified.version, verified.timestamp, verified.digest) == ("v2", NOW, header[3:])
    headers = signed_headers(SECRET, GET, NOW + 0.7)
    verify(
        SECRET, headers["X-Construction-Timestamp"], headers["X-Construction-Signature"], GET, NOW
    )


@pytest.mark.parametrize(
    "other",
    [
        SignedRequest("GET", POST.path, (), "key-1", BODY),
        SignedRequest("POST", "/construction/api/v1/events/batch", (), "key-1", BODY),
        SignedRequest("POST", POST.path, (("dry_run", "1"),), "key-1", BODY),
        SignedRequest("POST", POST.path, (), "key-2", BODY),
        SignedRequest("POST", POST.path, (), "", BODY),
        SignedRequest("POST", POST.path, (), "key-1", BODY + b" "),
    ],
    ids=["method", "path", "query", "key", "no key", "body"],
)
def test_a_signature_is_good_for_its_own_request_only(other):
    header = sign(SECRET, NOW, POST)
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, str(NOW), header, other, now=NOW)
    assert caught.value.code == "invalid_signature"


def test_a_signed_get_authorizes_no_other_get():
    header = sign(SECRET, NOW, GET)
    other = SignedRequest("GET", "/construction/api/v1/events/13")
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(NOW), header, other, now=NOW)
    other_page = SignedRequest("GET", "/construction/api/v1/cost-codes", (("offset", "100"),))
    page = SignedRequest("GET", "/construction/api/v1/cost-codes", (("offset", "0"),))
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(NOW), sign(SECRET, NOW, page), other_page, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "header", "now", "code"),
    [
        (str(NOW), None, NOW, "invalid_signature"),
        (None, "v2=" + "0" * 64, NOW, "invalid_signature"),
        ("yesterday", "v2=" + "0" * 64, NOW, "invalid_signature"),
        (str(NOW), "v2=" + "0" * 64, NOW, "invalid_signature"),
        (str(NOW), "v2=ABC", NOW, "invalid_signature"),
        (str(NOW), "v3=" + "0" * 64, NOW, "invalid_signature"),
        (str(NOW), "SIGNED", NOW + 301, "stale_timestamp"),
        (str(NOW), "SIGNED", NOW - 301, "stale_timestamp"),
    ],
)
def test_bad_or_stale_signatures_are_refused(timestamp, header, now, code):
    if header == "SIGNED":
        header = sign(SECRET, NOW, POST)
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, timestamp, header, POST, now=now)
    assert caught.value.code == code


def test_another_secret_does_not_verify():
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(NOW), sign("other", NOW, POST), POST, now=NOW)


def test_v1_is_refused_unless_the_receiver_accepts_it():
    header = sign_v1(SECRET, NOW, BODY)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    with pytest.raises(SignatureError, match="v1 signatures"):
        verify(SECRET, str(NOW), header, POST, now=NOW)
    verified = verify(SECRET, str(NOW), header, POST, now=NOW, accept_v1=True)
    assert (verified.version, verified.digest) == ("v1", header[7:])
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, str(NOW), header, SignedRequest("POST", "/", body=b"{}"), NOW, True)
