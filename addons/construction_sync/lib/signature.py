"""HMAC-SHA256 signatures of HTTP requests with a timestamp.

Scheme v2 signs the request, not only its body. The signed text is seven
lines joined by ``\\n`` (no newline at the end)::

    v2
    <timestamp: the X-Construction-Timestamp header, Unix seconds>
    <method, in capitals: GET, POST>
    <canonical path>
    <canonical query>
    <the Idempotency-Key header, or nothing>
    <hex SHA-256 of the raw body (of no bytes when there is no body)>

and the header is ``X-Construction-Signature: v2=<hex HMAC-SHA256 of that
text with the shared secret>``. The canonical path is the URL path with
its percent-escapes decoded, then encoded again byte by byte as RFC 3986
says: letters, digits, ``-._~`` and ``/`` as they are, every other byte of
its UTF-8 as ``%XX`` in capitals. The canonical query is every
``name=value`` pair of the query string, decoded (``+`` is a space), each
name and value encoded like the path but with ``/`` encoded too, sorted by
name then value and joined by ``&``; nothing when there is no query. A
signature so made is good for one request: its method, path, query, key
and body, at its time.

Scheme v1 (legacy) signs ``<timestamp>.<raw body>`` only, in a header
``sha256=<hex>``: one captured request authorizes any other with the same
body, a GET any GET. A receiver accepts it only when told to
(``accept_v1``).

A timestamp more than :data:`TOLERANCE_SECONDS` away from the receiver's
clock is refused; within that window the receiver refuses a signature it
has seen before (it keeps the ``digest`` :func:`verify` returns).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Construction-Timestamp"
SIGNATURE_HEADER = "X-Construction-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
VERSION = "v2"
LEGACY_VERSION = "v1"
_HEADER = re.compile(r"(v2|sha256)=([0-9a-f]{64})")


class SignatureError(ValueError):
    """``code`` is ``invalid_signature`` or ``stale_timestamp``."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SignedRequest:
    """What a v2 signature covers. ``path`` and the ``query`` pairs are
    decoded (as a web framework hands them over); :meth:`from_url` decodes
    them from a URL."""

    method: str
    path: str
    query: tuple = ()
    idempotency_key: str = ""
    body: bytes = b""

    @classmethod
    def from_url(cls, method, url, body=b"", idempotency_key=""):
        parts = urlsplit(url)
        return cls(
            method,
            unquote(parts.path) or "/",
            tuple(parse_qsl(parts.query, keep_blank_values=True)),
            idempotency_key or "",
            body or b"",
        )


@dataclass(frozen=True)
class Verified:
    """A good, fresh signature: its scheme (``v2`` or ``v1``), its
    timestamp, and its digest (hex) for the receiver's replay check."""

    version: str
    timestamp: int
    digest: str


def _encode(text, safe):
    return quote(text, safe=safe, encoding="utf-8", errors="strict")


def canonical_path(path):
    return _encode(path, "/-_.~")


def canonical_query(pairs):
    return "&".join(
        sorted(f"{_encode(name, '-_.~')}={_encode(value, '-_.~')}" for name, value in pairs)
    )


def string_to_sign(timestamp, request):
    """The v2 text signed for ``request`` at ``timestamp``, as bytes."""
    return "\n".join(
        (
            VERSION,
            str(int(timestamp)),
            request.method.upper(),
            canonical_path(request.path),
            canonical_query(request.query),
            request.idempotency_key or "",
            hashlib.sha256(request.body or b"").hexdigest(),
        )
    ).encode()


def _hmac(secret, message):
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret, timestamp, request):
    """The v2 header value, ``v2=<hex>``, of ``request`` at ``timestamp``."""
    return f"{VERSION}={_hmac(secret, string_to_sign(timestamp, request))}"


def sign_v1(secret, timestamp, body):
    """The legacy v1 header value, ``sha256=<hex>``, of ``body``."""
    return f"sha256={_hmac(secret, str(int(timestamp)).encode() + b'.' + body)}"


def signed_headers(secret, request, now):
    """The two headers that sign ``request`` now (v2)."""
    timestamp = int(now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, request)}


def fresh_timestamp(
    timestamp_header,
    signature_header,
    now,
    timestamp_name=TIMESTAMP_HEADER,
    signature_name=SIGNATURE_HEADER,
):
    """The Unix-seconds timestamp of a signed request; raise
    :class:`SignatureError` when a header is missing, the timestamp is not
    Unix seconds, or it is more than :data:`TOLERANCE_SECONDS` away from
    ``now`` (so a captured request cannot be replayed later). The header
    names are the ones the sender uses, for the error message."""
    if not timestamp_header or not signature_header:
        raise SignatureError(
            "invalid_signature",
            f"{timestamp_name} and {signature_name} headers are required",
        )
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        raise SignatureError(
            "invalid_signature", f"{timestamp_name} must be Unix seconds"
        ) from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError(
            "stale_timestamp",
            f"timestamp {timestamp} is more than {TOLERANCE_SECONDS} s away from "
            f"the server time {int(now)}",
        )
    return timestamp


def verify(secret, timestamp_header, signature_header, request, now, accept_v1=False):
    """The :class:`Verified` signature; raise :class:`SignatureError`
    unless it is good, fresh and of an accepted scheme."""
    timestamp = fresh_timestamp(timestamp_header, signature_header, now)
    match = _HEADER.fullmatch(signature_header.strip())
    if not match:
        raise SignatureError("invalid_signature", f"{SIGNATURE_HEADER} must be v2=<64 hex digits>")
    scheme, digest = match.groups()
    if scheme == "v2":
        expected, version = sign(secret, timestamp, request), VERSION
    elif accept_v1:
        expected, version = sign_v1(secret, timestamp, request.body), LEGACY_VERSION
    else:
        raise SignatureError(
            "invalid_signature",
            "v1 signatures (sha256=) are not accepted: sign method, path, query, "
            "Idempotency-Key and body with v2",
        )
    if not hmac.compare_digest(expected, f"{scheme}={digest}"):
        raise SignatureError("invalid_signature", "the signature does not match the request")
    return Verified(version, timestamp, digest)
