"""CompanyCam's dialect, without Odoo: its webhook signature, and its
projects and photos as the suite's canonical event envelopes.

Shapes follow CompanyCam's public Core API v2 documentation
(https://docs.companycam.com/reference, OpenAPI "Core API": Project, Photo,
ImageURI, Coordinate, Address, Webhook) and its webhook guide
(https://docs.companycam.com/docs/webhooks-1): a delivery is
``{"event_type", "created_at", "payload", "webhook_id"}``, signed in the
``X-CompanyCam-Signature`` header with the base64 HMAC-SHA1 of the raw body,
keyed by the webhook's ``token``.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-CompanyCam-Signature"
DEFAULT_BASE_URL = "https://api.companycam.com/v2"
# Events a webhook registered from Odoo subscribes to.
WEBHOOK_SCOPES = ["project.created", "project.updated", "photo.created", "photo.updated"]
PROJECT_EVENTS = {"project.created", "project.updated"}
PHOTO_EVENTS = {"photo.created", "photo.updated"}


class Unmappable(ValueError):
    """The body is not something the suite can take in; the reason says why."""


def sign(token, body):
    """``X-CompanyCam-Signature`` of ``body`` (bytes) for the webhook ``token``."""
    digest = hmac.new(token.encode(), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(token, header, body):
    """Whether ``header`` is the signature of ``body``; constant time."""
    if not token or not header:
        return False
    return hmac.compare_digest(sign(token, body).encode(), header.strip().encode())


def iso(epoch):
    """ISO 8601 UTC of a Unix timestamp, or None."""
    if epoch in (None, ""):
        return None
    return datetime.fromtimestamp(int(epoch), UTC).isoformat()


def _text(value):
    value = (value or "").strip() if isinstance(value, str) else value
    return value or None


def _coordinates(item):
    point = item.get("coordinates") or {}
    lat, lon = point.get("lat"), point.get("lon")
    if lat is None or lon is None:
        return None, None
    return float(lat), float(lon)


def _geofence(points):
    """A GeoJSON polygon of a CompanyCam geofence (a list of {lat, lon}),
    closed; None when it has fewer than three corners."""
    ring = [[float(point["lon"]), float(point["lat"])] for point in points or []]
    if len({tuple(corner) for corner in ring}) < 3:
        return None
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _envelope(event_type, key, updated_at, payload):
    envelope = {"event_type": event_type, "idempotency_key": key, "payload": payload}
    if updated_at not in (None, ""):
        envelope["occurred_at"] = iso(updated_at)
    return envelope


def project_envelope(project):
    """The ``site.upserted`` envelope of a Project; its dedupe key is the
    project's id and version, so the same version pushed and pulled is one
    event."""
    if not isinstance(project, dict) or not project.get("id"):
        raise Unmappable("a CompanyCam project needs its id")
    address = project.get("address") or {}
    latitude, longitude = _coordinates(project)
    project_id = str(project["id"])
    payload = {
        "external_id": project_id,
        "name": _text(project.get("name")) or f"CompanyCam project {project_id}",
        "street": _text(address.get("street_address_1")),
        "street2": _text(address.get("street_address_2")),
        "city": _text(address.get("city")),
        "state": _text(address.get("state")),
        "zip": _text(address.get("postal_code")),
        "country": _text(address.get("country")),
        "latitude": latitude,
        "longitude": longitude,
        "boundary": _geofence(project.get("geofence")),
        "active": project.get("status", "active") != "deleted" and not project.get("archived"),
        "web_url": _text(project.get("project_url")),
    }
    key = f"project:{project_id}@{project.get('updated_at') or ''}"
    return _envelope("site.upserted", key, project.get("updated_at"), payload)


def original_url(photo):
    """The URL of the photo's original among its ``uris``."""
    for entry in photo.get("uris") or []:
        if isinstance(entry, dict) and entry.get("type") == "original":
            return entry.get("uri") or entry.get("url")
    return None


def photo_envelope(photo):
    """The ``photo.published`` envelope of a Photo (tags come from
    ``GET /photos/{id}/tags`` when the job applies it)."""
    if not isinstance(photo, dict) or not photo.get("id"):
        raise Unmappable("a CompanyCam photo needs its id")
    if not photo.get("project_id"):
        raise Unmappable(f"CompanyCam photo {photo['id']} has no project_id")
    url = original_url(photo)
    if not url:
        raise Unmappable(f"CompanyCam photo {photo['id']} has no original among its uris")
    latitude, longitude = _coordinates(photo)
    photo_id = str(photo["id"])
    payload = {
        "external_id": photo_id,
        "site_external_id": str(photo["project_id"]),
        "image_url": url,
        "md5": _text(photo.get("hash")),
        "captured_at": iso(photo.get("captured_at")),
        "latitude": latitude,
        "longitude": longitude,
        "note": _text(photo.get("description")),
        "filename": urlsplit(url).path.rsplit("/", 1)[-1] or None,
        "web_url": _text(photo.get("photo_url")),
    }
    if isinstance(photo.get("tags"), list):
        payload["tags"] = tag_names(photo["tags"])
    key = f"photo:{photo_id}@{photo.get('updated_at') or ''}"
    return _envelope("photo.published", key, photo.get("updated_at"), payload)


def tag_names(tags):
    """Display names of CompanyCam Tag objects (or plain strings)."""
    names = []
    for tag in tags or []:
        name = tag.get("display_value") or tag.get("value") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def webhook_envelopes(document):
    """``(event_type, webhook_id, [envelopes])`` of a webhook delivery.

    The payload carries the object under its name (``{"photo": {...}}``) as
    the webhook guide shows; a payload that is the object itself is read
    the same way. Raises :class:`Unmappable` with the reason otherwise."""
    if not isinstance(document, dict):
        raise Unmappable("a CompanyCam webhook body is a JSON object")
    event_type = document.get("event_type")
    webhook_id = document.get("webhook_id")
    webhook_id = str(webhook_id) if webhook_id not in (None, "") else None
    payload = document.get("payload")
    if not isinstance(event_type, str) or not isinstance(payload, dict):
        raise Unmappable("a CompanyCam webhook body has an event_type and a payload object")
    if event_type in PROJECT_EVENTS:
        return event_type, webhook_id, [project_envelope(payload.get("project", payload))]
    if event_type in PHOTO_EVENTS:
        return event_type, webhook_id, [photo_envelope(payload.get("photo", payload))]
    raise Unmappable(f"CompanyCam event {event_type!r} is not one the suite takes in")
