"""Street addresses compared the way people write them differently.

"100 N. Main Street, Suite 5" and "100 north main st #5" are one address:
case, punctuation and spacing do not count, and each street suffix,
direction and unit designator has one form (the USPS abbreviation, with
every unit designator written ``#``).
"""

import re
import unicodedata

# word -> the one form it is compared in
STREET_WORDS = {
    # suffixes
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "circle": "cir",
    "terrace": "ter",
    "square": "sq",
    # directions
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    # unit designators
    "suite": "#",
    "ste": "#",
    "apartment": "#",
    "apt": "#",
    "unit": "#",
    "#": "#",
}
WORD = re.compile(r"#|[^\W_]+")


def _ascii_words(text):
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return WORD.findall(text.casefold())


def normalize_street(text):
    """The comparable form of a street line: ``"100 N. Main Street, Ste 5"``
    gives ``"100 n main st # 5"``."""
    return " ".join(STREET_WORDS.get(word, word) for word in _ascii_words(text))


def normalize_locality(text):
    """A city or postal code compared without case, accents, punctuation or
    spacing; a ZIP+4 code is compared by its five digits."""
    words = _ascii_words(text)
    if len(words) == 2 and all(word.isdigit() for word in words) and len(words[0]) == 5:
        return words[0]
    return " ".join(words)


def same_locality(first, second):
    """Whether two cities (or two postal codes) agree; a side that lacks
    one agrees with anything."""
    first, second = normalize_locality(first), normalize_locality(second)
    return not first or not second or first == second
