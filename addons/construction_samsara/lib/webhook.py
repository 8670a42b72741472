"""Samsara's webhook signatures (developers.samsara.com/docs/webhooks,
"Webhook signatures").

Each request carries ``X-Samsara-Timestamp`` (Unix seconds) and
``X-Samsara-Signature: v1=<hex>``, the HMAC-SHA256 of the message
``v1:<timestamp>:<raw body>`` keyed by the webhook's secret key, which
Samsara shows base64-encoded: the key is its decoded bytes. A timestamp more
than five minutes away from the receiver's clock is refused (the hub's own
rule for signed requests), so a captured request cannot be replayed later.
"""

import base64
import binascii
import hashlib
import hmac

from odoo.addons.construction_sync.lib.signature import (
    SignatureError,
    fresh_timestamp,
)

SIGNATURE_HEADER = "X-Samsara-Signature"
TIMESTAMP_HEADER = "X-Samsara-Timestamp"

__all__ = ["SignatureError", "secret_key", "sign", "verify"]


def secret_key(secret):
    """The HMAC key of a webhook's base64 secret key; ValueError when the
    secret is not base64 (a mistyped secret must not sign anything)."""
    try:
        key = base64.b64decode(secret.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the Samsara webhook secret key is not base64") from None
    if not key:
        raise ValueError("the Samsara webhook secret key is empty")
    return key


def sign(secret, timestamp, body):
    """The ``X-Samsara-Signature`` value of ``body`` sent at ``timestamp``."""
    message = b"v1:" + str(int(timestamp)).encode() + b":" + body
    return "v1=" + hmac.new(secret_key(secret), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp_header, signature_header, body, now):
    """Raise :class:`SignatureError` unless the signature is Samsara's and fresh."""
    timestamp = fresh_timestamp(
        timestamp_header, signature_header, now, TIMESTAMP_HEADER, SIGNATURE_HEADER
    )
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature_header.strip().encode()):
        raise SignatureError("invalid_signature", "the signature does not match the body")
