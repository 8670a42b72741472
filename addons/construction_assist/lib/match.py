"""Which known record does an external reference most likely name?

A field system writes a worker as ``"J. Doe / EMP-042"``, a machine as
``"CAT 320 #7"``: a badge or code somewhere in it, a name in its own
spelling. :func:`rank` scores candidates by an exact code first, then by
how alike the names are, initials counting for the word they start.
"""

import re
from difflib import SequenceMatcher

from .suggest import normalize


def _words(text):
    return normalize(text).split()


def name_similarity(reference, name):
    """0..1: how alike two names are, ``J Doe`` matching ``John Doe``
    (an initial stands for a word it starts) in any order."""
    ours, theirs = _words(reference), _words(name)
    if not ours or not theirs:
        return 0.0
    matched = 0.0
    remaining = list(theirs)
    for word in ours:
        best, best_score = None, 0.0
        for candidate in remaining:
            if len(word) == 1 or len(candidate) == 1:
                score = 0.9 if word[0] == candidate[0] else 0.0
            else:
                score = SequenceMatcher(None, word, candidate).ratio()
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= 0.75:
            matched += best_score
            remaining.remove(best)
    return matched / max(len(ours), len(theirs))


def _code_key(code):
    return normalize(code).replace(" ", "")


def codes_in(reference):
    """``{key: token}`` of the tokens of ``reference`` that look like a
    badge or code (``EMP-042``), keyed as :func:`rank` compares them."""
    return {
        _code_key(token): token for token in re.findall(r"[A-Za-z]*[-#]?\d[\w-]*", reference or "")
    }


def rank(reference, candidates):
    """``[(score, key, reason)]`` best first; ``candidates`` are
    ``(key, name, codes)`` with the record's own codes (badge, barcode).
    A shared code scores 1.0; otherwise the name's similarity, parts of
    the reference split on ``/`` tried each."""
    wanted = codes_in(reference)
    parts = [part for part in re.split(r"[/|;,]", reference or "") if part.strip()]
    scored = []
    for key, name, codes in candidates:
        shared = sorted(wanted.keys() & {_code_key(code) for code in codes if code})
        if shared:
            scored.append((1.0, key, f"code {wanted[shared[0]]}"))
            continue
        similarity = max([name_similarity(part, name) for part in parts] or [0.0])
        if similarity:
            scored.append((similarity, key, f"name like {name!r}"))
    return sorted(scored, key=lambda item: -item[0])
