import pytest

from ..signature import SignatureError, sign, verify

SECRET = "s3cret-webhook"
BODY = b'{"event_type":"cost_code.upserted"}'


def test_fresh_good_signature_passes():
    header = sign(SECRET, 1_700_000_000, BODY)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    verify(SECRET, "1700000000", header, BODY, now=1_700_000_299)


@pytest.mark.parametrize(
    ("timestamp", "header", "body", "now", "code"),
    [
        ("1700000000", None, BODY, 1_700_000_000, "invalid_signature"),
        (None, "sha256=00", BODY, 1_700_000_000, "invalid_signature"),
        ("yesterday", "sha256=00", BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", "sha256=" + "0" * 64, BODY, 1_700_000_000, "invalid_signature"),
        ("1700000000", "SIGNED", BODY + b" ", 1_700_000_000, "invalid_signature"),
        ("1700000000", "SIGNED", BODY, 1_700_000_301, "stale_timestamp"),
        ("1700000000", "SIGNED", BODY, 1_699_999_699, "stale_timestamp"),
    ],
)
def test_bad_or_stale_signatures_are_refused(timestamp, header, body, now, code):
    if header == "SIGNED":
        header = sign(SECRET, 1_700_000_000, BODY)
    with pytest.raises(SignatureError) as caught:
        verify(SECRET, timestamp, header, body, now=now)
    assert caught.value.code == code


def test_another_secret_does_not_verify():
    header = sign("other", 1_700_000_000, BODY)
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, "1700000000", header, BODY, now=1_700_000_000)
