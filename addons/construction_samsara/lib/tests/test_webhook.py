"""Samsara's webhook signature scheme (developers.samsara.com/docs/webhooks,
"Webhook signatures"): ``X-Samsara-Signature: v1=<hex HMAC-SHA256>`` of
``v1:<X-Samsara-Timestamp>:<raw body>``, keyed by the base64-decoded secret."""

import base64

import pytest

from ..webhook import SignatureError, secret_key, sign, verify

KEY = b"samsara-webhook-key"
SECRET = base64.b64encode(KEY).decode()  # as Samsara shows it: c2Ftc2FyYS13ZWJob29rLWtleQ==
BODY = b'{"eventId":"bf72239c-bebd-4c22-b64c-6fc692ef7c46","eventType":"Ping"}'
# Computed apart from this code, with
#   printf 'v1:1700000000:<BODY>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of KEY>
KNOWN = "v1=fd0758ae12fcb71547829fe13a541daafe595ce6eb6d6001704026107bf88e6c"


def test_the_signature_is_samsaras_v1_hmac_over_timestamp_and_raw_body():
    assert sign(SECRET, 1_700_000_000, BODY) == KNOWN
    verify(SECRET, "1700000000", KNOWN, BODY, now=1_700_000_299)
    verify(SECRET, "1700000000", f"  {KNOWN}\n", BODY, now=1_700_000_000)


def test_the_key_is_the_decoded_secret_not_its_text():
    undecoded = base64.b64encode(SECRET.encode()).decode()
    assert sign(undecoded, 1_700_000_000, BODY) != KNOWN
    assert secret_key(SECRET) == KEY


@pytest.mark.parametrize(
    ("timestamp", "header", "body", "now", "code"),
    [
        ("1700000000", None, BODY, 1_700_000_000, "invalid_signature"),
        (None, KNOWN, BODY, 1_700_000_000, "invalid_signature"),
        ("yesterday", KNOWN, BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", "v1=" + "0" * 64, BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", KNOWN.replace("v1=", "v0="), BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", KNOWN, BODY + b" ", 1_700_000_000, "invalid_signature"),
        ("1700000001", KNOWN, BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", KNOWN, BODY, 1_700_000_301, "stale_timestamp"),
        ("1700000000", KNOWN, BODY, 1_699_999_699, "stale_timestamp"),
    ],
)
def test_bad_or_stale_signatures_are_refused(timestamp, header, body, now, code):
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, timestamp, header, body, now=now)
    assert caught.value.code == code


@pytest.mark.parametrize("secret", ["not base64!", "", "   "])
def test_a_secret_that_is_not_base64_signs_nothing(secret):
    with pytest.raises(ValueError, match="Samsara webhook secret key"):
        sign(secret, 1_700_000_000, BODY)
