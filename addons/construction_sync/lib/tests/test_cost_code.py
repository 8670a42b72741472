import pytest

from ..cost_code import (
    CostCodeError,
    ancestors,
    descendant_pattern,
    division_code,
    level,
    normalize,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("32 12 16", "32 12 16"),
        ("321216", "32 12 16"),
        ("32-12-16", "32 12 16"),
        (" 32_12_16 ", "32 12 16"),
        ("32.12.16.13", "32 12 16.13"),
        ("32 12 16.13", "32 12 16.13"),
        ("32121613", "32 12 16.13"),
        ("32 12 16.00", "32 12 16"),
        ("32", "32 00 00"),
        ("3212", "32 12 00"),
        ("00 21 13", "00 21 13"),
    ],
)
def test_normalize_accepts_the_ways_people_write_a_number(raw, canonical):
    assert normalize(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("32 12 1", "groups of two"),
        ("ABC", "only digits"),
        ("32/12/16", "only digits"),
        ("32 12 16 13 11", "one to three groups"),
        ("32 00 16", "level-2 group"),
        ("32 12 00.13", "suffix"),
    ],
)
def test_normalize_refuses_with_a_reason(raw, reason):
    with pytest.raises(CostCodeError, match=reason):
        normalize(raw)


@pytest.mark.parametrize(
    ("code", "expected_level", "expected_ancestors"),
    [
        ("32 00 00", 1, []),
        ("32 10 00", 2, ["32 00 00"]),
        ("32 12 00", 3, ["32 10 00", "32 00 00"]),
        ("32 01 00", 3, ["32 00 00"]),
        ("32 12 16", 4, ["32 12 00", "32 10 00", "32 00 00"]),
        ("32 12 16.13", 5, ["32 12 16", "32 12 00", "32 10 00", "32 00 00"]),
    ],
)
def test_hierarchy_follows_masterformat_levels(code, expected_level, expected_ancestors):
    assert level(code) == expected_level
    assert ancestors(code) == expected_ancestors
    assert division_code(code) == "32 00 00"


@pytest.mark.parametrize(
    ("code", "pattern"),
    [
        ("32 00 00", "32 %"),
        ("32 10 00", "32 1_ %"),
        ("32 12 00", "32 12 %"),
        ("32 12 16", "32 12 16.%"),
        ("32 12 16.13", None),
    ],
)
def test_descendants_are_found_by_a_like_pattern(code, pattern):
    assert descendant_pattern(code) == pattern
