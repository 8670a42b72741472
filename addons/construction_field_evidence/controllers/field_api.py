"""Field API: photo uploads, offline batches, site lookup, categories, stages.

Every upload also lands in the sync inbox as an applied ``photo.captured``
or ``defect.detected`` event of the posting system, so the trail from a
field request to what it produced is the same as for queued events.
"""

import base64
import binascii
import functools
import json
from datetime import UTC

from odoo import http
from odoo.addons.construction_sync.controllers.api import (
    api_route,
    current_system,
    json_response,
    max_bytes,
    parse_json,
    raw_body,
    read_json,
)
from odoo.addons.construction_sync.lib import schema as schema_lib
from odoo.addons.construction_sync.lib.problem import ApiError
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import file_open

from ..exceptions import EvidenceValidationError
from ..lib import image as image_lib
from ..models.construction_photo import CATEGORY_MAP_KINDS, MAX_UPLOAD_BYTES
from ..models.ir_attachment import evidence_savepoint

MAX_BATCH_BYTES = 200 * 1024 * 1024
MAX_BATCH_ITEMS = 200
MAX_SITES = 50
MAX_RADIUS_M = 50_000
DETECTION_KEYS = {"label", "confidence", "model", "model_version", "bbox", "photo_client_uuid"}


def _iso(value):
    return value.replace(tzinfo=UTC).isoformat() if value else None


def photo_json(photo, duplicate=False):
    return {
        "id": photo.id,
        "client_uuid": photo.client_uuid or None,
        "checksum": photo.checksum,
        "state": photo.state,
        "site_id": photo.site_id.id or None,
        "area": photo.area_id.name or None,
        "stage": photo.stage_id.code or None,
        "category": photo.category_id.code or None,
        "captured_at": _iso(photo.captured_at),
        "capture_source": photo.capture_source or None,
        "clock_mismatch": photo.clock_mismatch,
        "review_reason": photo.review_reason or None,
        "latitude": photo.latitude if photo.gps_source else None,
        "longitude": photo.longitude if photo.gps_source else None,
        "gps_source": photo.gps_source or None,
        "inside_site": photo.inside_boundary,
        "distance_to_site_m": photo.boundary_distance_m,
        "caption": photo.caption or None,
        "duplicate": duplicate,
    }


def defect_json(defect, duplicate=False):
    return {
        "id": defect.id,
        "name": defect.name,
        "state": defect.state,
        "category": defect.category_id.code or None,
        "review_reason": defect.review_reason or None,
        "site_id": defect.site_id.id or None,
        "area": defect.area_id.name or None,
        "photo_ids": defect.photo_ids.ids,
        "duplicate": duplicate,
    }


@functools.cache
def documented_validator(name):
    """Validator of the schema ``name`` this module's OpenAPI fragment documents."""
    with file_open("construction_field_evidence/openapi/openapi.json") as handle:
        return schema_lib.component_validator(json.load(handle), name)


def evidence_problem(error, pointer=""):
    """The API problem for a model's bad-evidence error."""
    code = getattr(error, "code", None)
    if isinstance(error, EvidenceValidationError) and code:
        return ApiError(code, str(error), errors=[{"pointer": pointer, "message": str(error)}])
    return ApiError(
        "validation_error", str(error), errors=[{"pointer": pointer, "message": str(error)}]
    )


class FieldApi(http.Controller):
    # ------------------------------------------------------------------
    # Photos
    # ------------------------------------------------------------------

    @api_route("/field/photos", ["POST"])
    def upload_photo(self):
        """One photo as multipart/form-data: ``image`` (the file) and
        ``metadata`` (a JSON object)."""
        raw_body(max_bytes("construction_field_evidence.max_upload_bytes", MAX_UPLOAD_BYTES))
        system = current_system()
        system._check_rate(1)
        upload = request.httprequest.files.get("image")
        if upload is None:
            raise ApiError(
                "schema_violation",
                "Send the photo as the multipart field 'image'.",
                errors=[{"pointer": "/image", "message": "required"}],
            )
        metadata = parse_json(request.httprequest.form.get("metadata") or "{}", "metadata")
        if not isinstance(metadata, dict):
            raise ApiError("schema_violation", "metadata must be a JSON object.")
        image_bytes, checksum = image_lib.read_hashed(upload.stream)
        photo, created = self._store_photo(
            system, image_bytes, upload.mimetype, metadata, "", checksum
        )
        return json_response(photo_json(photo, duplicate=not created), 201 if created else 200)

    def _store_photo(self, system, image_bytes, mimetype, metadata, pointer, checksum=None):
        Photo = request.env["construction.photo"]
        Event = request.env["construction.sync.event"].sudo()
        Event._admit(system, "photo.captured", metadata, pointer, payload_pointer=pointer)
        try:
            with evidence_savepoint(request.env):
                photo = Photo._create_from_upload(
                    image_bytes, mimetype, metadata, system, require_site=True, checksum=checksum
                )
                # a photo found again was created by an earlier transaction
                created = photo.create_date == request.env.cr.now()
        except ValidationError as error:
            code = getattr(error, "code", None)
            if code in ("unknown_site", "unknown_area"):
                pointer += "/site_id" if code == "unknown_site" else "/area"
            raise evidence_problem(error, pointer) from error
        key = f"photo:{metadata.get('client_uuid') or photo.checksum}"
        payload = dict(metadata, checksum=photo.checksum, photo_id=photo.id)
        Event._record_applied(
            system, "photo.captured", key, payload, photo, metadata.get("correlation_id")
        )
        return photo, created

    # ------------------------------------------------------------------
    # Offline batch
    # ------------------------------------------------------------------

    @api_route("/field/batch", ["POST"])
    def upload_batch(self):
        body = read_json(max_bytes("construction_field_evidence.max_batch_bytes", MAX_BATCH_BYTES))
        system = current_system()
        if not isinstance(body, dict):
            raise ApiError("schema_violation", 'Send {"photos": [...], "observations": [...]}.')
        photos = body.get("photos") or []
        observations = body.get("observations") or []
        if not isinstance(photos, list) or not isinstance(observations, list):
            raise ApiError("schema_violation", "photos and observations are arrays.")
        correlation_id = body.get("correlation_id")
        if correlation_id is not None and (
            not isinstance(correlation_id, str) or not 0 < len(correlation_id) <= 128
        ):
            raise ApiError(
                "schema_violation",
                "correlation_id is a string of 1 to 128 characters.",
                errors=[{"pointer": "/correlation_id", "message": "1 to 128 characters"}],
            )
        if len(photos) + len(observations) > MAX_BATCH_ITEMS:
            raise ApiError(
                "batch_too_large",
                f"A batch holds at most {MAX_BATCH_ITEMS} photos and observations.",
            )
        system._check_rate(len(photos) + len(observations))
        photo_results, by_uuid = [], {}
        for index, item in enumerate(photos):
            pointer = f"/photos/{index}"
            try:
                photo, created = self._batch_photo(system, item, pointer, correlation_id)
            except ApiError as error:
                photo_results.append(
                    {"index": index, "status": "rejected", "error": error.to_dict()}
                )
                continue
            if photo.client_uuid:
                by_uuid[photo.client_uuid] = photo
            photo_results.append(
                {
                    "index": index,
                    "status": "accepted" if created else "duplicate",
                    "photo": photo_json(photo, duplicate=not created),
                }
            )
        observation_results = []
        for index, item in enumerate(observations):
            pointer = f"/observations/{index}"
            try:
                with request.env.cr.savepoint():
                    defect, created = self._batch_observation(
                        system, item, by_uuid, pointer, correlation_id
                    )
            except ApiError as error:
                observation_results.append(
                    {"index": index, "status": "rejected", "error": error.to_dict()}
                )
                continue
            observation_results.append(
                {
                    "index": index,
                    "status": "accepted" if created else "duplicate",
                    "defect": defect_json(defect, duplicate=not created),
                }
            )
        return json_response({"photos": photo_results, "observations": observation_results})

    def _batch_photo(self, system, item, pointer, correlation_id=None):
        if not isinstance(item, dict) or not item.get("image_base64"):
            raise ApiError(
                "schema_violation",
                "Each photo needs image_base64, mimetype and its metadata.",
                errors=[{"pointer": f"{pointer}/image_base64", "message": "required"}],
            )
        try:
            image_bytes = base64.b64decode(item["image_base64"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ApiError(
                "schema_violation",
                "image_base64 is not base64.",
                errors=[{"pointer": f"{pointer}/image_base64", "message": str(error)}],
            ) from error
        metadata = {k: v for k, v in item.items() if k not in ("image_base64", "mimetype")}
        if correlation_id and not metadata.get("correlation_id"):
            metadata["correlation_id"] = correlation_id
        return self._store_photo(system, image_bytes, item.get("mimetype") or "", metadata, pointer)

    def _batch_observation(self, system, item, photos_by_uuid, pointer, correlation_id=None):
        """A crew's or a detector's observation: one defect, bound to its
        client UUID so that a resent batch finds it again. Its event carries
        the observation's correlation id, else the batch's."""
        if not isinstance(item, dict) or not item.get("client_uuid"):
            raise ApiError(
                "schema_violation",
                "Each observation needs its client_uuid.",
                errors=[{"pointer": f"{pointer}/client_uuid", "message": "required"}],
            )
        problems = schema_lib.violations(documented_validator("Observation"), item, pointer)
        if problems:
            raise ApiError(
                "schema_violation", "The observation does not match its schema.", errors=problems
            )
        Event = request.env["construction.sync.event"].sudo()
        Resolver = request.env["construction.sync.resolver"]
        binding, defect = Resolver._binding(system, "construction.defect", item["client_uuid"])
        if defect:
            return defect, False
        Event._admit(system, "defect.detected", item, pointer, payload_pointer=pointer)
        Defect = request.env["construction.defect"]
        photos = request.env["construction.photo"]
        for offset, uuid in enumerate(item.get("photo_client_uuids") or []):
            photo = photos_by_uuid.get(uuid) or photos.search(
                [("source_system_id", "=", system.id), ("client_uuid", "=", uuid)], limit=1
            )
            if not photo:
                raise ApiError(
                    "validation_error",
                    f"Photo {uuid!r} is neither in this batch nor uploaded before.",
                    errors=[
                        {"pointer": f"{pointer}/photo_client_uuids/{offset}", "message": "unknown"}
                    ],
                )
            photos |= photo
        detections = item.get("detections") or []
        first = detections[0] if detections else {}
        vals = {
            "site_id": item.get("site_id") or photos[:1].site_id.id or False,
            "severity": item.get("severity") or "medium",
            "notes": item.get("notes") or False,
            "latitude": item.get("latitude") or 0.0,
            "longitude": item.get("longitude") or 0.0,
            "quantity": item.get("quantity") or 0.0,
            "photo_ids": [(6, 0, photos.ids)],
            "source": "ai" if detections else "crew",
            "source_system_id": system.id,
        }
        label = item.get("category") or first.get("label")
        if label:
            label = Resolver._label(system, CATEGORY_MAP_KINDS, label)
        if detections:
            category = request.env["construction.defect.category"]._resolve_label(label)
            vals.update(
                category_id=category.id,
                detected_label=first.get("label"),
                confidence=first.get("confidence") or 0.0,
                model_name=first.get("model") or False,
                model_version=first.get("model_version") or False,
            )
        elif label:
            try:
                vals["category_id"] = request.env["construction.defect.category"]._resolve(label).id
            except ValidationError as error:
                raise evidence_problem(error, f"{pointer}/category") from error
        vals.update(self._observation_quantity(system, item, vals.get("category_id"), pointer))
        if not vals["site_id"]:
            raise ApiError(
                "unknown_site",
                "An observation needs a site: give site_id or attach photos filed under a site.",
                errors=[{"pointer": f"{pointer}/site_id", "message": "required"}],
            )
        try:
            site = request.env["construction.site"]._from_reference(vals["site_id"])
        except ValidationError as error:
            raise evidence_problem(error, f"{pointer}/site_id") from error
        vals["site_id"] = site.id
        if item.get("area"):
            try:
                area = request.env["construction.site.area"]._from_name(site, item["area"], system)
            except ValidationError as error:
                raise evidence_problem(error, f"{pointer}/area") from error
            vals["area_id"] = area.id
        try:
            defect = Defect.create(vals)
            self._annotate(defect, detections, photos_by_uuid, photos, pointer)
        except ValidationError as error:
            raise evidence_problem(error, pointer) from error
        event = Event._record_applied(
            system,
            "defect.detected",
            f"observation:{item['client_uuid']}",
            item,
            defect,
            item.get("correlation_id") or correlation_id,
        )
        Resolver._bind(event, binding, defect, item["client_uuid"])
        return defect, True

    def _observation_quantity(self, system, item, category_id, pointer):
        """``quantity`` and ``uom_id`` of an observation's defect: the
        quantity in its category's unit, converted from the ``unit`` the
        observation gives (a unit name, or the system's value map of kind
        unit); without a unit, the quantity is in the category's unit."""
        category = request.env["construction.defect.category"].browse(category_id)
        quantity = item.get("quantity") or 0.0
        reference = item.get("unit")
        if not reference:
            return {"quantity": quantity, "uom_id": category.uom_id.id}
        uom = request.env["construction.sync.resolver"]._find(
            system, "uom.uom", reference, kind="uom", natural=True
        )
        if not uom:
            raise ApiError(
                "unknown_unit",
                f"Unit {reference!r} is neither an Odoo unit nor mapped for this system.",
                errors=[{"pointer": f"{pointer}/unit", "message": "unknown"}],
            )
        try:
            quantity = uom._construction_convert(
                quantity,
                category.uom_id,
                request.env._("The observation's quantity"),
                request.env._("category %(category)s", category=category.name),
            )
        except UserError as error:
            raise ApiError(
                "unit_mismatch",
                str(error),
                errors=[{"pointer": f"{pointer}/unit", "message": str(error)}],
            ) from error
        return {"quantity": quantity, "uom_id": (category.uom_id or uom).id}

    def _annotate(self, defect, detections, photos_by_uuid, photos, pointer):
        vals_list = []
        for offset, detection in enumerate(detections):
            if not detection.get("bbox"):
                continue
            uuid = detection.get("photo_client_uuid")
            photo = photos_by_uuid.get(uuid) if uuid else photos[:1]
            if not photo:
                raise ApiError(
                    "validation_error",
                    "A bounding box needs the photo it was drawn on.",
                    errors=[
                        {
                            "pointer": f"{pointer}/detections/{offset}/photo_client_uuid",
                            "message": "unknown",
                        }
                    ],
                )
            box = detection["bbox"]
            vals_list.append(
                {
                    "defect_id": defect.id,
                    "photo_id": photo.id,
                    "x": box.get("x", 0.0),
                    "y": box.get("y", 0.0),
                    "width": box.get("w", box.get("width", 0.0)),
                    "height": box.get("h", box.get("height", 0.0)),
                    "label": detection.get("label") or False,
                    "confidence": detection.get("confidence") or 0.0,
                }
            )
        if vals_list:
            request.env["construction.defect.annotation"].create(vals_list)

    # ------------------------------------------------------------------
    # Reference data
    # ------------------------------------------------------------------

    @api_route("/field/sites", ["GET"])
    def sites_near(self, lat=None, lon=None, radius="500", limit="10"):
        current_system()
        try:
            latitude, longitude = float(lat), float(lon)
            radius, limit = float(radius), min(int(limit), MAX_SITES)
            if not (0 <= radius <= MAX_RADIUS_M and limit >= 1):
                raise ValueError(radius, limit)
        except (TypeError, ValueError) as error:
            raise ApiError(
                "validation_error",
                "lat and lon are required decimal degrees; radius is from 0 to "
                f"{MAX_RADIUS_M:g} m; limit is an integer from 1 to {MAX_SITES}.",
            ) from error
        try:
            found = request.env["construction.site"]._find_nearest(
                latitude, longitude, radius, limit
            )
        except ValidationError as error:
            raise evidence_problem(error, "/lat") from error
        return json_response(
            {
                "items": [
                    {
                        "id": site.id,
                        "name": site.name,
                        "address": site.address or None,
                        # the site's project by name, for a service user
                        # that may read no project of Odoo's
                        "project": site.sudo().project_id.name or None,
                        "distance_m": round(distance, 1),
                    }
                    for site, distance in found
                ]
            }
        )

    @api_route("/field/categories", ["GET"])
    def categories(self):
        current_system()
        categories = request.env["construction.defect.category"].search([])
        return json_response(
            {
                "items": [
                    {
                        "code": category.code,
                        "name": category.name,
                        "synonyms": [
                            synonym.strip()
                            for synonym in (category.synonyms or "").replace("\n", ",").split(",")
                            if synonym.strip()
                        ],
                        "unit": category.uom_id.name or None,
                        "confidence_threshold": category.confidence_threshold,
                    }
                    for category in categories
                ]
            }
        )

    @api_route("/field/stages", ["GET"])
    def stages(self):
        current_system()
        stages = request.env["construction.photo.stage"].search([("approved", "=", True)])
        return json_response(
            {"items": [{"code": stage.code, "name": stage.name} for stage in stages]}
        )
