"""HMAC-SHA256 signatures of raw request bodies with a timestamp.

The signed message is ``<timestamp>.<raw body>``; the header carries
``sha256=<hex digest>``. A timestamp more than :data:`TOLERANCE_SECONDS`
away from the receiver's clock is refused, so a captured request cannot be
replayed later.
"""

import hashlib
import hmac

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Construction-Timestamp"
SIGNATURE_HEADER = "X-Construction-Signature"


class SignatureError(ValueError):
    """``code`` is ``invalid_signature`` or ``stale_timestamp``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def sign(secret, timestamp, body):
    message = str(int(timestamp)).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret, timestamp_header, signature_header, body, now):
    """Raise :class:`SignatureError` unless the signature is good and fresh."""
    if not timestamp_header or not signature_header:
        raise SignatureError(
            "invalid_signature",
            f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers are required",
        )
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        raise SignatureError(
            "invalid_signature", f"{TIMESTAMP_HEADER} must be Unix seconds"
        ) from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError(
            "stale_timestamp",
            f"timestamp {timestamp} is more than {TOLERANCE_SECONDS} s away from "
            f"the server time {int(now)}",
        )
    if not hmac.compare_digest(sign(secret, timestamp, body), signature_header.strip()):
        raise SignatureError("invalid_signature", "the signature does not match the body")
