"""What a vendor's HTTP answer means for the connector: data, wait, or stop.

The connector layer sends every request to a platform through one method of
the external system (``construction.sync.system._vendor_http``); this module
reads the answer without any Odoo import: how long a rate limit asks us to
wait, and which error a status stands for.

* ``429`` and ``503``: :class:`RateLimited`, with the seconds the vendor asked
  for (``Retry-After`` in whole or fractional seconds or as an HTTP date,
  else a reset time: ``X-RateLimit-Reset`` / ``RateLimit-Reset`` as a Unix
  epoch or as seconds from now), or ``None`` when it said nothing (the caller
  backs off exponentially).
* other ``5xx``, timeouts and refused connections: :class:`VendorUnavailable`,
  worth another try later.
* other ``4xx``: :class:`VendorRefused`, which no retry cures (a revoked
  token, a deleted object): a person must look.
"""

import json
import math
from dataclasses import dataclass

from . import backoff

RESET_HEADERS = ("X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset")
# Largest answer read unless the caller says otherwise (a page of JSON).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# A reset header above this is a Unix time, below it a number of seconds.
EPOCH_THRESHOLD = 1_000_000_000


@dataclass
class VendorResponse:
    status: int
    headers: object
    content: bytes

    def json(self):
        return json.loads(self.content)

    def document(self, request):
        """The answer's JSON, ``{}`` when it is empty; :class:`VendorRefused`
        naming ``request`` ("GET /path") when it is something else."""
        if not self.content:
            return {}
        try:
            return self.json()
        except ValueError:
            raise VendorRefused(f"{request} answered something other than JSON", 200) from None


class VendorError(Exception):
    """A call to a platform that did not give what was asked. ``status`` is
    the HTTP status (0 when no answer came). The message never holds a
    credential: it names the method, the path and the status."""

    retryable = False

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


class VendorUnavailable(VendorError):
    retryable = True


class RateLimited(VendorUnavailable):
    """``seconds`` to wait as the vendor asked, or ``None``."""

    def __init__(self, message, status=429, seconds=None):
        super().__init__(message, status)
        self.seconds = seconds


class VendorRefused(VendorError):
    pass


class VendorTooLarge(VendorRefused):
    """The answer is larger than the caller accepts."""


def reset_after(value, now):
    """Seconds until a rate-limit window resets, from a reset header that
    holds either a Unix time or a number of seconds; ``None`` if unreadable."""
    try:
        reset = float((value or "").strip())
    except ValueError:
        return None
    if not math.isfinite(reset):
        return None
    return max(0.0, reset - now) if reset > EPOCH_THRESHOLD else max(0.0, reset)


def wait_seconds(headers, now):
    """Seconds a rate-limited answer asks to wait, or ``None`` when its
    headers (a case-insensitive mapping) say nothing readable."""
    seconds = backoff.retry_after(headers.get("Retry-After"), now)
    if seconds is not None:
        return seconds
    for name in RESET_HEADERS:
        seconds = reset_after(headers.get(name), now)
        if seconds is not None:
            return seconds
    return None


def check_status(method, url_path, status, headers, now):
    """Raise the :class:`VendorError` an answer stands for; return quietly on 2xx."""
    if 200 <= status < 300:
        return
    what = f"{method} {url_path} answered {status}"
    if status in (429, 503):
        raise RateLimited(what, status, wait_seconds(headers, now))
    if status >= 500 or status == 408:
        raise VendorUnavailable(what, status)
    raise VendorRefused(what, status)
