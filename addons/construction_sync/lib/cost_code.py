"""Canonical CSI MasterFormat cost code numbers.

A canonical number has three two-digit groups and an optional two-digit
suffix: ``32 12 16`` or ``32 12 16.13``. Trailing ``00`` groups mark the
higher levels of the hierarchy::

    32 00 00      level 1, division 32 (Exterior Improvements)
    32 10 00      level 2 (Bases, Ballasts, and Paving)
    32 12 00      level 3 (Flexible Paving)
    32 12 16      level 4, section (Asphalt Paving)
    32 12 16.13   level 5 (Plant-Mix Asphalt Paving)

People and estimating tools write the same number in many ways (``32``,
``321216``, ``32-12-16``, ``32.12.16.13``); :func:`normalize` turns each of
them into the canonical form or says why it cannot.
"""

import re

_ALLOWED = re.compile(r"^[\d\s.\-_]+$")


class CostCodeError(ValueError):
    """A cost code number that cannot be read as MasterFormat."""


def normalize(raw):
    """Return the canonical form of ``raw`` or raise :class:`CostCodeError`."""
    text = (raw or "").strip()
    if not text:
        raise CostCodeError("the number is empty")
    if not _ALLOWED.match(text):
        raise CostCodeError("only digits and the separators space, '.', '-' and '_' are allowed")
    groups = re.findall(r"\d+", text)
    if any(len(group) % 2 for group in groups):
        raise CostCodeError("digits come in groups of two, like '32 12 16'")
    digits = "".join(groups)
    if len(digits) not in (2, 4, 6, 8):
        raise CostCodeError(
            "a number has one to three groups of two digits and an optional "
            "two-digit suffix, like '32', '32 12 16' or '32 12 16.13'"
        )
    digits = digits.ljust(6, "0")
    level2, level3, suffix = digits[2:4], digits[4:6], digits[6:8]
    if level2 == "00" and level3 != "00":
        raise CostCodeError(f"section {level3} needs its level-2 group (the middle pair is 00)")
    if suffix == "00":
        suffix = ""
    if suffix and level3 == "00":
        raise CostCodeError("a suffix is only allowed on a level-4 section")
    canonical = f"{digits[0:2]} {level2} {level3}"
    return f"{canonical}.{suffix}" if suffix else canonical


def level(code):
    """Hierarchy level (1 to 5) of a canonical number."""
    if "." in code:
        return 5
    _division, level2, level3 = code.split(" ")
    if level3 != "00":
        return 4
    if level2 == "00":
        return 1
    return 2 if level2.endswith("0") else 3


def parent_code(code):
    """The canonical number one level up, or ``None`` for a division."""
    if "." in code:
        return code.split(".")[0]
    division, level2, level3 = code.split(" ")
    if level3 != "00":
        return f"{division} {level2} 00"
    if level2 == "00":
        return None
    if not level2.endswith("0"):
        return f"{division} {level2[0]}0 00"
    return f"{division} 00 00"


def ancestors(code):
    """Canonical numbers above ``code``, nearest first."""
    found = []
    current = parent_code(code)
    while current:
        found.append(current)
        current = parent_code(current)
    return found


def descendant_pattern(code):
    """SQL ``LIKE`` pattern of the numbers below ``code``, or ``None`` for a
    level-5 number, which has none."""
    level_ = level(code)
    if level_ == 5:
        return None
    if level_ == 4:
        return code + ".%"
    if level_ == 3:
        return code[:5] + " %"
    if level_ == 2:
        return code[:4] + "_ %"
    return code[:2] + " %"


def division_code(code):
    """The division (level 1) number that ``code`` belongs to."""
    return f"{code[:2]} 00 00"
