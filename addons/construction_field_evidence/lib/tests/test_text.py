from ..text import build_caption, clean_notes


def test_notes_lose_control_characters_and_repeated_breaks():
    raw = "Pothole\x00 near curb  \r\n\r\n\r\n\tdepth 5cm\x1b[0m\x7f\n\n\nlane 3\x85 "
    assert clean_notes(raw) == "Pothole near curb\n\tdepth 5cm[0m\nlane 3"


def test_empty_notes_stay_empty():
    assert clean_notes("") == ""
    assert clean_notes(False) is False


def test_caption_from_category_stage_tags_and_site():
    assert (
        build_caption("Pothole", "Before", ["curb", "lane 3", "curb"], "Maple Plaza")
        == "Pothole, before: curb, lane 3 (Maple Plaza)"
    )
    assert build_caption(None, "After", ["striping"]) == "After: striping"
    assert build_caption(tags=["drain"]) == "Drain"
    assert build_caption() == ""
