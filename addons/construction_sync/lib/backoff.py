"""Retry delays: exponential backoff with jitter, and ``Retry-After``."""

import random
import re
from datetime import UTC
from email.utils import parsedate_to_datetime

# Delta seconds with a fraction, e.g. "0.5" or "1.25".
FRACTION = re.compile(r"\d+\.\d+")


def delay(attempt, base=10, cap=3600, rng=random.random):
    """Seconds to wait before retry number ``attempt`` (1-based): full
    jitter over an exponentially growing window, never below ``base / 2``."""
    window = min(cap, base * 2 ** (attempt - 1))
    return max(base / 2, window * rng())


def retry_after(header, now):
    """Seconds from a ``Retry-After`` header (delta seconds, whole or
    fractional, or an HTTP date), or ``None`` when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return int(header)
    if FRACTION.fullmatch(header):
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int(when.timestamp() - now))
