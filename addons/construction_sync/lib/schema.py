"""Payload validation with JSON Schema (draft 2020-12), and the one parser
of JSON that comes in from outside."""

import functools
import json
import math

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["event_type", "payload"],
    "properties": {
        "event_type": {"type": "string", "minLength": 1, "maxLength": 64},
        "schema_version": {"type": "integer", "minimum": 1},
        "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 128},
        "correlation_id": {"type": "string", "minLength": 1, "maxLength": 128},
        "occurred_at": {"type": "string", "format": "date-time"},
        "system": {"type": "string"},
        "payload": {"type": "object"},
    },
    "additionalProperties": False,
}


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number (RFC 8259 has no NaN or Infinity)")


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large for a JSON number this API accepts")
    return number


def loads(text):
    """Parse JSON received from outside; raise ``ValueError`` with the reason.

    Python's ``json`` accepts ``NaN``, ``Infinity`` and ``-Infinity``, and
    reads ``1e400`` as infinity: none of them is JSON (RFC 8259), PostgreSQL's
    ``jsonb`` refuses them, and a non-finite number slips through every
    ``minimum`` / ``maximum`` of a schema. They are refused here, where JSON
    enters, rather than found later where the payload is used."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def check_schema(schema_text):
    """Parse and check a schema; raise ``ValueError`` with the reason."""
    try:
        schema = json.loads(schema_text)
    except ValueError as error:
        raise ValueError(f"not JSON: {error}") from error
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise ValueError(error.message) from error
    return schema


@functools.lru_cache(maxsize=256)
def validator_for(schema_text):
    """A ready validator for a schema text; checking and compiling a schema
    costs far more than validating a payload, so each text is done once."""
    return _validator(check_schema(schema_text))


def _validator(schema):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


ENVELOPE_VALIDATOR = _validator(ENVELOPE_SCHEMA)


def component_validator(openapi_document, name):
    """A validator for the schema ``name`` of an OpenAPI document's
    components; its ``$ref`` to sibling components resolve in the document."""
    return _validator(
        {"$ref": f"#/components/schemas/{name}", "components": openapi_document["components"]}
    )


def pointer(path):
    """JSON Pointer (RFC 6901) of a jsonschema error path."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def nul_violations(document, prefix=""):
    """``{"pointer", "message"}`` of every string, key or value, holding a
    NUL character: valid JSON, but no PostgreSQL text can store it."""
    found = []
    if isinstance(document, str):
        if "\x00" in document:
            found.append({"pointer": prefix, "message": "NUL (U+0000) is not allowed in text"})
    elif isinstance(document, dict):
        for key, value in document.items():
            here = prefix + pointer([key])
            if "\x00" in key:
                found.append({"pointer": here, "message": "NUL (U+0000) is not allowed in a key"})
            found += nul_violations(value, here)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += nul_violations(value, f"{prefix}/{index}")
    return found


def violations(validator, document, prefix=""):
    """Every violation of ``validator``'s schema as ``{"pointer", "message"}``,
    sorted by pointer."""
    found = [
        {"pointer": prefix + pointer(error.absolute_path), "message": error.message}
        for error in validator.iter_errors(document)
    ]
    return sorted(found, key=lambda item: (item["pointer"], item["message"]))
