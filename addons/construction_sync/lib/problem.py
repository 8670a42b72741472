"""Errors of the suite's HTTP API, answered as RFC 9457 problem details.

Every code a client may see is listed in :data:`ERROR_CODES` with its HTTP
status and title; the OpenAPI document enumerates the same codes, and a test
keeps the two equal.
"""

import logging

ERROR_CODES = {
    "invalid_json": (400, "The body is not valid JSON"),
    "unauthorized": (401, "Authentication required"),
    "invalid_signature": (401, "The request signature does not match"),
    "stale_timestamp": (401, "The request timestamp is outside the allowed window"),
    "replayed_signature": (401, "The request signature was used before"),
    "forbidden": (403, "Not allowed"),
    "no_system": (403, "The API user is not the service user of any external system"),
    "system_mismatch": (403, "A service user may only post as its own system"),
    "ownership_violation": (403, "Another system owns this object"),
    "event_type_not_allowed": (403, "The system is not granted this event type"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "idempotency_conflict": (409, "The idempotency key was used with another payload"),
    "duplicate_image": (409, "The same image was already uploaded"),
    "client_uuid_conflict": (409, "The client UUID names another photo"),
    "payload_too_large": (413, "The request is too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "schema_version_retired": (410, "The schema version is retired"),
    "unknown_event_type": (422, "Unknown event type"),
    "unknown_schema_version": (422, "Unknown or unapproved schema version"),
    "schema_version_mismatch": (422, "Not the schema version declared for the system"),
    "schema_violation": (422, "The payload does not match its schema"),
    "validation_error": (422, "The request cannot be applied"),
    "batch_too_large": (422, "Too many items in one batch"),
    "rate_limited": (429, "Too many requests"),
    # Field evidence
    "not_an_image": (415, "The file is not an image"),
    "type_mismatch": (415, "The declared type does not match the file's content"),
    "unsupported_image_type": (415, "The image is of a type not accepted"),
    "too_many_pixels": (413, "The image has more pixels than allowed"),
    "truncated_image": (422, "The image is truncated"),
    "gps_out_of_range": (422, "GPS coordinates are out of range"),
    "invalid_time": (422, "The capture time cannot be read"),
    "invalid_geometry": (422, "The geometry is not valid"),
    "bbox_outside_image": (422, "A bounding box lies outside the image"),
    "unknown_site": (422, "Unknown site"),
    "unknown_area": (422, "Unknown area of the site"),
    "unknown_stage": (422, "Unknown or unapproved photo stage"),
    "unknown_category": (422, "Unknown defect category"),
    "unknown_unit": (422, "Unknown unit of measure"),
    "unit_mismatch": (422, "The unit cannot be converted to the one required"),
    "internal_error": (500, "Internal error"),
}

# Codes an accepted event may end with (GET events/<id>), beside the above.
EVENT_ERROR_CODES = {
    "unknown_reference": "An external reference has no binding or value map",
    "business_rule": "The change breaks a business rule",
    "access_denied": "The rights granted to the system do not reach a record the event needs",
    "out_of_order": "A newer fact about the same object was applied already; nothing changed",
    "remote_rejected": "The receiving system refused the delivery",
    "retries_exhausted": "The retries are exhausted",
    "job_failed": "The job applying the event failed or its worker died too often",
    "unmappable": "A platform sent a body its adapter cannot turn into events",
    "ownership_review": "Another system is the system of record: a person reviews the change",
    "ownership_rejected": "A person refused the change: another system is the system of record",
    "duplicate": "Two or more records match by their natural key: a person merges or binds them",
}


class ApiError(Exception):
    """A problem to answer with; ``errors`` are per-field pointers.

    ``loglevel`` makes Odoo's HTTP layer log it as one line at INFO: a
    client's mistake is no server error and carries no traceback worth
    keeping."""

    loglevel = logging.INFO

    def __init__(self, code, detail, *, errors=None, headers=None):
        if code not in ERROR_CODES:
            raise ValueError(f"undocumented API error code {code!r}")
        super().__init__(detail)
        self.code = code
        self.status, self.title = ERROR_CODES[code]
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    def to_dict(self, instance=None):
        body = {
            "type": f"urn:construction-sync:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body
