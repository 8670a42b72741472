"""Crew notes and generated captions."""

import re

# C0 and C1 control characters, DEL included, except tab and line feed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TRAILING_SPACE = re.compile(r"[ \t]+\n")
REPEATED_BREAKS = re.compile(r"\n{2,}")


def clean_notes(text):
    """Crew notes without control characters, trailing blanks or repeated
    line breaks (blank lines collapse into a single line break)."""
    if not text:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    text = TRAILING_SPACE.sub("\n", text)
    text = REPEATED_BREAKS.sub("\n", text)
    return text.strip()


def build_caption(category=None, stage=None, tags=(), site=None):
    """A one-line caption such as ``Pothole, before: curb, lane 3 (Maple Plaza)``."""
    head = ", ".join(part for part in (category, stage and stage.lower()) if part)
    tags = [tag for tag in dict.fromkeys(tags) if tag]
    caption = head
    if tags:
        caption = f"{caption}: {', '.join(tags)}" if caption else ", ".join(tags)
    if site:
        caption = f"{caption} ({site})" if caption else site
    return caption[:1].upper() + caption[1:]
