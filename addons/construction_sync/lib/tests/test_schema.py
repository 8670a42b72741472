import json

import pytest

from ..schema import (
    ENVELOPE_VALIDATOR,
    check_schema,
    loads,
    nul_violations,
    pointer,
    validator_for,
    violations,
)

SCHEMA_TEXT = json.dumps(
    {
        "type": "object",
        "required": ["code", "hours"],
        "properties": {
            "code": {"type": "string"},
            "hours": {"type": "number", "minimum": 0},
            "crew": {"type": "array", "items": {"type": "string"}},
        },
    }
)
SCHEMA = validator_for(SCHEMA_TEXT)


def test_valid_document_has_no_violation():
    assert violations(SCHEMA, {"code": "32 12 16", "hours": 8}) == []


def test_each_violation_has_a_json_pointer_into_the_body():
    found = violations(SCHEMA, {"hours": -1, "crew": ["ok", 3]}, "/payload")
    assert [item["pointer"] for item in found] == ["/payload", "/payload/crew/1", "/payload/hours"]
    assert "'code' is a required property" in found[0]["message"]


def test_envelope_checks_dates_and_unknown_keys():
    found = violations(
        ENVELOPE_VALIDATOR,
        {"event_type": "x", "payload": {}, "occurred_at": "yesterday", "extra": 1},
    )
    assert {item["pointer"] for item in found} == {"", "/occurred_at"}


def test_pointer_escapes_special_characters():
    assert pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"


@pytest.mark.parametrize(("text", "reason"), [("{", "not JSON"), ('{"type": 12}', "12")])
def test_bad_schemas_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        check_schema(text)


def test_a_schema_text_is_compiled_once():
    assert validator_for(SCHEMA_TEXT) is SCHEMA


def test_nul_characters_are_found_in_keys_and_values_at_any_depth():
    document = {"a": ["ok", "b\x00d"], "k\x00": 1, "deep": {"x": [{"y": "\x00"}]}, "n": None}
    assert [item["pointer"] for item in nul_violations(document)] == [
        "/a/1",
        "/k\x00",
        "/deep/x/0/y",
    ]
    assert nul_violations({"clean": ["text", 1, 2.5, True, None]}) == []


@pytest.mark.parametrize(
    "text", ['{"hours": NaN}', '{"hours": Infinity}', "[-Infinity]", '{"hours": 1e400}', "-1E999"]
)
def test_numbers_json_does_not_have_are_refused(text):
    # Python's json reads all of them; none is JSON, and each passes "minimum": 0.
    with pytest.raises(ValueError):
        loads(text)


def test_ordinary_json_parses_as_usual():
    assert loads('{"hours": 7.5, "count": 3, "big": 1e300, "ok": [true, null]}') == {
        "hours": 7.5,
        "count": 3,
        "big": 1e300,
        "ok": [True, None],
    }
