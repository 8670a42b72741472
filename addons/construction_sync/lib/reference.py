"""How an external system's text is compared with the values it is mapped to.

Text from a payload is data, never a pattern: references are compared for
equality, after the one normalisation below where the documentation says so.
"""


def value_key(text):
    """The form in which value maps compare an external value: surrounding
    blanks removed, case ignored (``" TN "`` and ``"tn"`` are one value)."""
    return (text or "").strip().casefold()


def like_literal(text):
    """``text`` for an ``=ilike`` comparison that matches it exactly, case
    aside: the ``%``, ``_`` and ``\\`` it holds lose their pattern meaning."""
    return (text or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
