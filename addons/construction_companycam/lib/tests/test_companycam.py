"""CompanyCam's dialect, checked without Odoo. Shapes from CompanyCam's Core
API v2 reference (Project, Photo, ImageURI, Tag) and its webhook guide
(https://docs.companycam.com/docs/webhooks-1)."""

import base64
import hashlib
import hmac
import json

import pytest

from ..companycam import (
    Unmappable,
    photo_envelope,
    project_envelope,
    sign,
    tag_names,
    verify,
    webhook_envelopes,
)

PHOTO = {
    "id": "4782987471",
    "project_id": "94772883",
    "status": "active",
    "coordinates": {"lat": 28.425852468018288, "lon": -81.47155671113255},
    "uris": [
        {"type": "thumbnail", "uri": "https://static.companycam.com/VuS0small.jpg"},
        {"type": "original", "uri": "https://static.companycam.com/VuS0rPvrnNA1490797262.jpg"},
    ],
    "hash": "00ab337b7399151e5d4aa3bd4226e8dd",
    "description": "The front of the house",
    "photo_url": "https://app.companycam.com/photos/8675309",
    "captured_at": 1152230396,
    "created_at": 1152230608,
    "updated_at": 1152230400,
}


def test_signature_is_base64_hmac_sha1_of_the_raw_body_keyed_by_the_token():
    body = b'{"event_type":"photo.created","created_at":1661361759}'
    expected = base64.b64encode(hmac.new(b"123456", body, hashlib.sha1).digest()).decode()
    assert sign("123456", body) == expected
    assert verify("123456", expected, body)
    assert verify("123456", f" {expected}\n", body), "surrounding blanks are not the signature"
    assert not verify("123456", expected, body + b" ")
    assert not verify("654321", expected, body)
    assert not verify("123456", None, body)
    assert not verify("", sign("", body), body), "no token, no trust"


def test_photo_is_a_published_photo_keyed_by_its_id_and_version():
    envelope = photo_envelope(PHOTO)
    assert envelope["event_type"] == "photo.published"
    assert envelope["idempotency_key"] == "photo:4782987471@1152230400"
    assert envelope["occurred_at"] == "2006-07-07T00:00:00+00:00"
    payload = envelope["payload"]
    assert payload["image_url"] == "https://static.companycam.com/VuS0rPvrnNA1490797262.jpg"
    assert payload["filename"] == "VuS0rPvrnNA1490797262.jpg"
    assert payload["site_external_id"] == "94772883"
    assert payload["md5"] == "00ab337b7399151e5d4aa3bd4226e8dd"
    assert payload["captured_at"] == "2006-07-06T23:59:56+00:00"
    assert (payload["latitude"], payload["longitude"]) == (28.425852468018288, -81.47155671113255)
    assert payload["note"] == "The front of the house"
    assert "tags" not in payload, "tags are fetched by the job"
    assert (
        photo_envelope(dict(PHOTO, description="x"))["idempotency_key"]
        == (envelope["idempotency_key"])
    ), "the same version pushed and pulled has one key"
    with pytest.raises(Unmappable, match="no original"):
        photo_envelope(dict(PHOTO, uris=[PHOTO["uris"][0]]))
    with pytest.raises(Unmappable, match="no project_id"):
        photo_envelope(dict(PHOTO, project_id=None))


def test_project_is_a_site_with_its_address_and_geofence():
    project = {
        "id": "94772883",
        "name": "Psych Office",
        "status": "active",
        "archived": False,
        "address": {"street_address_1": "810 P St", "city": "Lincoln", "postal_code": "68508"},
        "coordinates": {"lat": 40.815462, "lon": -96.70965},
        "geofence": [
            {"lat": 28.4258, "lon": -81.4715},
            {"lat": 18.4258, "lon": -81.4715},
            {"lat": 8.4258, "lon": -91.4715},
        ],
        "updated_at": 1395792000,
    }
    payload = project_envelope(project)["payload"]
    assert payload["boundary"] == {
        "type": "Polygon",
        "coordinates": [
            [[-81.4715, 28.4258], [-81.4715, 18.4258], [-91.4715, 8.4258], [-81.4715, 28.4258]]
        ],
    }
    assert (payload["name"], payload["street"], payload["zip"], payload["active"]) == (
        "Psych Office",
        "810 P St",
        "68508",
        True,
    )
    assert (
        project_envelope(dict(project, geofence=project["geofence"][:2]))["payload"]["boundary"]
        is None
    )
    assert not project_envelope(dict(project, archived=True))["payload"]["active"]
    assert (
        project_envelope(dict(project, name=None))["payload"]["name"]
        == "CompanyCam project 94772883"
    )


def test_webhook_body_carries_the_object_under_its_name():
    body = {
        "event_type": "photo.updated",
        "created_at": 1,
        "payload": {"photo": PHOTO},
        "webhook_id": 42,
    }
    event, delivery, envelopes = webhook_envelopes(json.loads(json.dumps(body)))
    assert (event, delivery, envelopes) == ("photo.updated", "42", [photo_envelope(PHOTO)])
    bare = dict(body, payload=PHOTO)
    assert webhook_envelopes(bare)[2] == [photo_envelope(PHOTO)]
    with pytest.raises(Unmappable, match=r"'todo_list\.created'"):
        webhook_envelopes(dict(body, event_type="todo_list.created"))
    with pytest.raises(Unmappable):
        webhook_envelopes([body])


def test_tag_names_are_the_display_values():
    assert tag_names(
        [{"display_value": "Front Side", "value": "front side"}, {"value": "roof"}, "Curb", ""]
    ) == [
        "Front Side",
        "roof",
        "Curb",
    ]
