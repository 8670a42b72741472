import base64
import contextlib
import contextvars
import hashlib
import logging
from datetime import UTC, datetime, timedelta

from odoo import Command, api, fields, models
from odoo.addons.construction_sync.exceptions import UnknownReferenceError
from odoo.addons.construction_sync.lib.vendor_http import VendorError
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.sql import create_index

from ..exceptions import (
    EvidenceValidationError,
    check_review_vals,
    check_reviewer,
    evidence_errors,
)
from ..lib import geometry, markup
from ..lib import image as image_lib
from ..lib.exif import check_coordinates, format_offset, resolve_capture_time, to_utc
from ..lib.text import build_caption, clean_notes
from .construction_defect_annotation import OVERLAY_DEPENDS
from .construction_site import SHARED_DEFECT_STATES
from .ir_attachment import evidence_change, evidence_change_allowed, known_checksums

_logger = logging.getLogger(__name__)

STATES = [
    ("new", "New"),
    ("needs_review", "Needs Review"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
]
CAPTURE_SOURCES = [
    ("exif", "EXIF with its offset"),
    ("exif_local", "EXIF in the device's zone"),
    ("gps", "GPS clock (UTC)"),
    ("site_zone", "EXIF in the site's zone"),
    ("company_zone", "EXIF in the company's zone"),
    ("exif_unzoned", "EXIF, zone unknown (read as UTC)"),
    ("device", "Device"),
    ("upload", "Upload time"),
]
GPS_SOURCES = [("exif", "EXIF"), ("device", "Device"), ("manual", "Manual")]
# How far from the nearest site a photo may be taken and still be filed under it.
SITE_SEARCH_RADIUS_M = 250.0
# Largest original accepted, from a field upload or a platform's URL.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# The original and its renditions, stored as attachments.
IMAGE_FIELDS = ("image", "image_preview", "image_thumbnail")
# What the original is: derived from its bytes, never written afterwards.
ORIGINAL_FIELDS = {*IMAGE_FIELDS, "checksum", "mimetype", "width", "height", "file_size"}
# The preview with the boxes drawn: derived, cached, written by the code only.
DERIVED_FIELDS = {"image_annotated"}
# What the review decides: written by reviewers only.
REVIEW_FIELDS = {"state", "reject_reason", "review_reason"}
# Value-map kinds a platform's words for a photo go through (construction.sync.value.map).
STAGE_MAP_KINDS = ("photo_stage",)
CATEGORY_MAP_KINDS = ("defect_category", "synonym")
RETENTION_PARAMETER = "construction_field_evidence.photo_retention_days"
# Minutes the camera clock may differ from the GPS clock before the photo is flagged.
CLOCK_TOLERANCE_PARAMETER = "construction_field_evidence.clock_tolerance_minutes"
CLOCK_TOLERANCE_MINUTES = 5
# The zone of a company whose partner has none.
TIMEZONE_PARAMETER = "construction_field_evidence.photo_timezone"

# The upload being stored by _create_from_upload, already inspected: its
# bytes object and what inspect() found. create() takes that very object
# (compared by identity) as the image instead of base64, so the bytes are
# neither encoded, decoded nor inspected again. A context variable of the
# running code: no RPC caller can set it.
_inspected_upload = contextvars.ContextVar("construction_inspected_upload", default=None)


@contextlib.contextmanager
def inspected_upload(data, info):
    token = _inspected_upload.set((data, info))
    try:
        yield
    finally:
        _inspected_upload.reset(token)


class ConstructionPhoto(models.Model):
    _name = "construction.photo"
    _description = "Site Photo"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "captured_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: self.env._("Photo"))
    site_id = fields.Many2one(
        "construction.site", index=True, tracking=True, check_company=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    project_id = fields.Many2one(related="site_id.project_id")
    area_id = fields.Many2one(
        "construction.site.area",
        compute="_compute_area_id",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        check_company=True,
        ondelete="set null",
        domain="[('site_id', '=', site_id)]",
        help="The part of the site the photo shows: the area its GPS position falls "
        "in, or the one the platform named.",
    )
    state = fields.Selection(
        STATES, default="new", required=True, index=True, tracking=True, copy=False
    )
    reject_reason = fields.Text(tracking=True, copy=False)
    review_reason = fields.Char(
        readonly=True,
        copy=False,
        tracking=True,
        help="Why the upload waits in the review queue, e.g. tags its condition does not allow.",
    )

    # The original is evidence: kept as uploaded, never re-encoded.
    image = fields.Binary(string="Original", attachment=True, required=True, copy=False)
    image_preview = fields.Binary(string="Preview", attachment=True, readonly=True, copy=False)
    image_thumbnail = fields.Binary(string="Thumbnail", attachment=True, readonly=True, copy=False)
    image_annotated = fields.Binary(
        string="Annotated Preview",
        attachment=True,
        readonly=True,
        copy=False,
        help="The preview with the bounding boxes of the defects a client sees drawn on "
        "it, as the share page and the site condition report show it; drawn when "
        "first shown, again when the boxes change.",
    )
    mimetype = fields.Char(readonly=True)
    width = fields.Integer(readonly=True, help="Width as displayed (EXIF orientation applied).")
    height = fields.Integer(readonly=True)
    file_size = fields.Integer(readonly=True, help="Size of the original in bytes.")
    checksum = fields.Char(
        string="SHA-256",
        readonly=True,
        index=True,
        copy=False,
        help="SHA-256 of the original: the same bytes are never stored twice.",
    )

    captured_at = fields.Datetime(
        string="Captured", index=True, tracking=True, help="Capture time, stored in UTC."
    )
    capture_source = fields.Selection(
        CAPTURE_SOURCES,
        readonly=True,
        index=True,
        help="Where the capture time comes from. A camera writes its local time: its zone "
        "is the EXIF offset, else the device's zone, else the GPS clock gives the time, "
        "else the site's zone, else the company's.",
    )
    capture_timezone = fields.Char(
        help="Time zone the photo was taken in, as an offset (+02:00) or a zone name.",
    )
    clock_mismatch = fields.Boolean(
        string="Camera Clock Off",
        readonly=True,
        index=True,
        copy=False,
        help="The camera's clock and the GPS clock the photo carries disagree by more than "
        "the tolerance (Settings): the GPS time was kept.",
    )
    clock_drift_minutes = fields.Integer(
        string="Camera Clock Drift (min)",
        readonly=True,
        copy=False,
        help="Camera time minus GPS time, in minutes, when the photo carries both.",
    )
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    gps_source = fields.Selection(
        GPS_SOURCES, string="GPS Source", help="Empty when the photo has no position."
    )
    gps_accuracy = fields.Float(string="GPS Accuracy (m)", digits=(8, 1))
    inside_boundary = fields.Boolean(
        compute="_compute_location_check",
        store=True,
        precompute=True,
        help="Taken inside the site boundary (edges included).",
    )
    boundary_distance_m = fields.Float(
        string="Distance to Boundary (m)",
        compute="_compute_location_check",
        store=True,
        precompute=True,
        digits=(10, 1),
        help="Distance from the photo's position to the site boundary line.",
    )

    stage_id = fields.Many2one(
        "construction.photo.stage",
        index=True,
        tracking=True,
        ondelete="restrict",
        domain="[('approved', '=', True)]",
    )
    tag_ids = fields.Many2many("construction.photo.tag", string="Tags")
    category_id = fields.Many2one(
        "construction.defect.category",
        string="Condition",
        check_company=True,
        help="Condition the photo shows; also used in the caption.",
    )
    caption = fields.Char(compute="_compute_caption", store=True, precompute=True)
    note = fields.Text(string="Field Notes")
    uploader_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    source_system_id = fields.Many2one(
        "construction.sync.system", check_company=True, index=True, ondelete="restrict"
    )
    client_uuid = fields.Char(
        string="Client UUID",
        copy=False,
        index=True,
        help="Identifier given by the field app, unique per source system.",
    )
    source_md5 = fields.Char(
        "Source MD5",
        readonly=True,
        copy=False,
        help="MD5 of the original as the source platform gave it; the downloaded "
        "bytes were checked against it.",
    )
    defect_ids = fields.Many2many(
        "construction.defect",
        "construction_defect_photo_rel",
        "photo_id",
        "defect_id",
        string="Defects",
    )
    annotation_ids = fields.One2many("construction.defect.annotation", "photo_id")
    box_overlay = fields.Json(
        string="Photo with Boxes", compute="_compute_box_overlay", compute_sudo=False
    )

    _sql_constraints = [
        (
            "checksum_company_uniq",
            "unique (checksum, company_id)",
            "This photo was already uploaded: the same image is stored once per company.",
        ),
        (
            "client_uuid_system_uniq",
            "unique (source_system_id, client_uuid)",
            "A client UUID is unique per source system.",
        ),
    ]

    def init(self):
        """Photos of a state newest first (Photo Review), off an index in
        that order: with the state's own index alone, the first page walked
        the capture time index past every photo of the other states, 4,000
        rows for its 80 at 200,000 photos (bench/inbox_growth.py, photos)."""
        result = super().init()
        create_index(
            self.env.cr,
            f"{self._table}_state_captured_at_index",
            self._table,
            ["state", "captured_at DESC", "id DESC"],
        )
        return result

    @api.depends("category_id.name", "stage_id.name", "tag_ids.name", "site_id.name")
    def _compute_caption(self):
        for photo in self:
            photo.caption = build_caption(
                photo.category_id.name,
                photo.stage_id.name,
                photo.tag_ids.mapped("name"),
                photo.site_id.name,
            )

    @api.depends(*OVERLAY_DEPENDS)
    def _compute_box_overlay(self):
        for photo in self:
            photo.box_overlay = photo.annotation_ids._overlay(photo)

    @api.depends("site_id.boundary_geojson", "latitude", "longitude", "gps_source")
    def _compute_location_check(self):
        shapes = {}  # a batch of uploads usually shares one site: parse it once
        for photo in self:
            inside, distance = False, 0.0
            site = photo.site_id
            if site and photo.gps_source:
                if site not in shapes:
                    shapes[site] = site._boundary_shape()
                if shapes[site] is not None:
                    with evidence_errors():
                        inside, distance = geometry.locate(
                            shapes[site], photo.latitude, photo.longitude
                        )
                else:
                    inside, distance = site._locate(photo.latitude, photo.longitude)
            photo.inside_boundary = bool(inside)
            photo.boundary_distance_m = distance or 0.0

    @api.depends("site_id.area_ids.outline_geojson", "latitude", "longitude", "gps_source")
    def _compute_area_id(self):
        self.env["construction.site.area"]._assign_by_position(
            self, lambda photo: bool(photo.gps_source)
        )

    @api.constrains("stage_id")
    def _check_stage_approved(self):
        for photo in self.filtered("stage_id"):
            if not photo.stage_id.approved:
                raise EvidenceValidationError(
                    "unknown_stage",
                    self.env._(
                        "Stage %(stage)s is not approved for photos.", stage=photo.stage_id.name
                    ),
                )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _prepare_image_vals(self, vals):
        """Inspect the original and derive size, checksum, previews and,
        where the caller gave none, capture time and GPS from EXIF.

        Returns the values without the images, and the images' bytes by
        field (stored by :meth:`_store_images`)."""
        vals = self._clean_vals(vals)
        if not vals.get("image"):
            return vals, {}
        upload = _inspected_upload.get()
        with evidence_errors():
            if upload and vals["image"] is upload[0]:
                data, info = upload
                del vals["image"]
            else:
                data = base64.b64decode(vals.pop("image"))
                info = image_lib.inspect(data, vals.get("mimetype"))
            preview, thumbnail = image_lib.make_derivatives(data, info.exif.orientation)
        width, height = image_lib.upright_size(info.width, info.height, info.exif.orientation)
        vals.update(
            {
                "mimetype": info.mimetype,
                "width": width,
                "height": height,
                "file_size": len(data),
                "checksum": info.checksum,
            }
        )
        images = dict(zip(IMAGE_FIELDS, (data, preview, thumbnail), strict=True))
        exif = info.exif
        if not vals.get("captured_at"):
            vals.update(self._capture_time_vals(exif, vals))
        else:
            vals.setdefault("capture_source", "device")
        if not vals.get("gps_source") and exif.latitude is not None:
            vals.update(
                latitude=exif.latitude,
                longitude=exif.longitude,
                gps_source="exif",
                gps_accuracy=exif.gps_accuracy or 0.0,
            )
        return vals, images

    def _capture_time_vals(self, exif, vals):
        """Capture time, its source and zone from the camera's EXIF time (see
        :func:`..lib.exif.resolve_capture_time`), in the device's zone given
        as ``capture_timezone``, else the site's, else the company's; the
        upload time when the photo carries none."""
        device_zone = vals.get("capture_timezone") or None
        if device_zone:
            self._check_zone(device_zone)
        if exif.captured_local is None:  # no zone to look up
            return {"captured_at": fields.Datetime.now(), "capture_source": "upload"}
        site = self.env["construction.site"].browse(vals.get("site_id")).sudo()
        company = (
            self.env["res.company"].browse(vals.get("company_id")) or site.company_id
        ).sudo() or self.env.company.sudo()
        parameters = self.env["ir.config_parameter"].sudo()
        tolerance = int(
            parameters.get_param(CLOCK_TOLERANCE_PARAMETER, CLOCK_TOLERANCE_MINUTES) or 0
        )
        capture = resolve_capture_time(
            exif,
            device_zone=device_zone,
            site_zone=site.tz or None,
            company_zone=company.partner_id.tz or parameters.get_param(TIMEZONE_PARAMETER) or None,
            tolerance=timedelta(minutes=tolerance),
        )
        return {
            "captured_at": capture.utc,
            "capture_source": capture.source,
            "capture_timezone": capture.zone or False,
            "clock_mismatch": capture.clock_mismatch,
            "clock_drift_minutes": round(capture.clock_drift.total_seconds() / 60)
            if capture.clock_drift is not None
            else 0,
        }

    def _check_zone(self, zone):
        try:
            to_utc(datetime(2000, 1, 1), zone)
        except ValueError as error:
            raise EvidenceValidationError(
                "invalid_time",
                self.env._(
                    "Time zone %(zone)r is neither an offset (+02:00) nor a zone name "
                    "(America/Chicago).",
                    zone=zone,
                ),
            ) from error

    @api.model
    def _clean_vals(self, vals):
        vals = dict(vals)
        if vals.get("note"):
            vals["note"] = clean_notes(vals["note"])
        return vals

    def _store_images(self, images_list):
        """Store each photo's images as the attachments of its image fields,
        from their bytes: no base64 round trips, and none of the resizing
        that Odoo's attachments apply to large images on the way in
        (base.image_autoresize_max_px), for the original is evidence and
        stays byte for byte what the camera wrote."""
        Attachment = self.env["ir.attachment"].sudo()
        hashed = Attachment._hold_files(
            [data for images in images_list for data in images.values()]
        )
        with known_checksums(hashed), evidence_change("create", self.ids):
            Attachment.with_context(image_no_postprocess=True).create(
                [
                    {
                        "name": field,
                        "res_model": self._name,
                        "res_field": field,
                        "res_id": photo.id,
                        "type": "binary",
                        "raw": data,
                        "mimetype": photo.mimetype if field == "image" else "image/jpeg",
                    }
                    for photo, images in zip(self, images_list, strict=True)
                    for field, data in images.items()
                ]
            )
        self.invalidate_recordset(list(IMAGE_FIELDS))

    def _check_location_vals(self, vals):
        if vals.get("gps_source") or "latitude" in vals or "longitude" in vals:
            with evidence_errors():
                check_coordinates(vals.get("latitude", 0.0), vals.get("longitude", 0.0))
        if vals.get("gps_accuracy", 0.0) < 0:
            raise ValidationError(
                self.env._("GPS accuracy is a distance in metres, never negative.")
            )

    def _check_not_duplicate(self, vals_list):
        """Refuse an image already stored in the company, in one search.

        The search sees every photo of the company, for the same bytes are
        stored once whoever uploaded them; the message names the earlier
        photo only to a user who may read it. A field platform's service
        user reaches its own system's photos only, and learns nothing of
        another source's photo but that the image is taken."""
        checksums = [vals["checksum"] for vals in vals_list if vals.get("checksum")]
        if not checksums:
            return
        if len(set(checksums)) < len(checksums):
            raise ValidationError(self.env._("The same image is twice in this upload."))
        existing = (
            self.sudo().with_context(active_test=False).search([("checksum", "in", checksums)])
        )
        default_company = self.env.company.id
        taken = {(photo.checksum, photo.company_id.id): photo for photo in existing}
        for vals in vals_list:
            photo = taken.get((vals.get("checksum"), vals.get("company_id", default_company)))
            if photo:
                raise self._duplicate_error(photo)

    def _duplicate_error(self, photo):
        """The error for an image already stored as ``photo`` (any source):
        it names the photo only to a user who may read it."""
        if not photo.with_env(self.env)._filtered_access("read"):
            return EvidenceValidationError(
                "duplicate_image",
                self.env._(
                    "This image was already uploaded by another source; "
                    "the same image is stored once per company."
                ),
            )
        return EvidenceValidationError(
            "duplicate_image",
            self.env._(
                "This image was already uploaded as photo %(photo)s (#%(id)s).",
                photo=photo.name,
                id=photo.id,
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        sites = self.env["construction.site"].browse(
            {vals["site_id"] for vals in vals_list if vals.get("site_id")}
        )
        company_of_site = {site.id: site.company_id.id for site in sites}
        prepared, images_list = [], []
        for vals in vals_list:
            check_review_vals(self, vals, REVIEW_FIELDS)
            if not vals.get("image"):
                raise ValidationError(self.env._("A photo needs its image."))
            if vals.get("source_system_id"):
                # what a platform sends waits for a reviewer
                vals = dict(vals, state=vals.get("state") or "needs_review")
            vals, images = self._prepare_image_vals(vals)
            if vals.get("site_id") and "company_id" not in vals:
                vals["company_id"] = company_of_site[vals["site_id"]]
            self._check_location_vals(vals)
            prepared.append(vals)
            images_list.append(images)
        self._check_not_duplicate(prepared)
        photos = super().create(prepared)
        photos._store_images(images_list)
        return photos

    def write(self, vals):
        if (ORIGINAL_FIELDS | DERIVED_FIELDS) & vals.keys():
            raise UserError(
                self.env._(
                    "The original of a photo is evidence and cannot be replaced; "
                    "upload the new image as another photo."
                )
            )
        check_review_vals(self, vals, REVIEW_FIELDS)
        vals = self._clean_vals(vals)
        if {"latitude", "longitude", "gps_source"} & vals.keys():
            for photo in self:
                photo._check_location_vals(
                    {
                        "gps_source": vals.get("gps_source", photo.gps_source),
                        "latitude": vals.get("latitude", photo.latitude),
                        "longitude": vals.get("longitude", photo.longitude),
                    }
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        if not evidence_change_allowed("unlink", self.ids):
            raise AccessError(
                self.env._(
                    "Photos are evidence: they are removed only by the retention purge "
                    "(Settings > Construction > Photo retention). Reject a photo to keep "
                    "it out of reviews and share links."
                )
            )

    # ------------------------------------------------------------------
    # Boxes drawn (client share page and site condition report)
    # ------------------------------------------------------------------

    def _shared_boxes(self):
        """The boxes a client sees on this photo: those of its defects a
        person confirmed, labelled with the confirmed category."""
        self.ensure_one()
        return [
            annotation._markup_box()
            for annotation in self.sudo().annotation_ids
            if annotation.defect_id.state in SHARED_DEFECT_STATES
        ]

    def _annotated_image(self):
        """JPEG bytes of the preview with :meth:`_shared_boxes` drawn on it.

        Drawn on the preview (itself made from the original, which stays
        untouched) and kept as the ``image_annotated`` attachment, keyed by
        the image and the boxes: the share page and the PDF report serve the
        same bytes, drawn again only when a box changes."""
        self.ensure_one()
        photo = self.sudo()
        preview = base64.b64decode(photo.with_context(bin_size=False).image_preview or b"")
        boxes = photo._shared_boxes()
        if not boxes or not preview:
            return preview
        key = markup.markup_key(photo.checksum, boxes)
        Attachment = self.env["ir.attachment"].sudo()
        cached = Attachment.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", photo.id),
                ("res_field", "=", "image_annotated"),
            ]
        )
        current = cached.filtered(lambda attachment: attachment.description == key)[:1]
        if current:
            return current.raw
        data = markup.draw_boxes(preview, boxes)
        cached.unlink()
        Attachment.with_context(image_no_postprocess=True).create(
            {
                "name": "image_annotated",
                "res_model": self._name,
                "res_field": "image_annotated",
                "res_id": photo.id,
                "type": "binary",
                "raw": data,
                "mimetype": "image/jpeg",
                "description": key,
            }
        )
        return data

    def _annotated_image_base64(self):
        """:meth:`_annotated_image`, for a data URI in the PDF report."""
        return base64.b64encode(self._annotated_image())

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------

    @api.model
    def _cron_purge_expired(self):
        """Remove the photos uploaded before the retention period, with their
        original and renditions. No period (0, the default) keeps every
        photo. Returns how many were removed."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAMETER) or 0)
        if days <= 0:
            return 0
        expired = (
            self.sudo()
            .with_context(active_test=False)
            .search([("create_date", "<", fields.Datetime.now() - timedelta(days=days))])
            .filtered(lambda photo: not photo.project_id.construction_legal_hold)
        )
        expired._purge(self.env._("kept longer than the %(days)s days of retention", days=days))
        return len(expired)

    @api.model
    def _retention_purge(self, cutoff, held_projects, batch_size, max_batches):
        """Delete the annotated previews drawn before ``cutoff``: derived
        from the preview and its boxes, they are drawn again when next shown.
        The original, its preview and thumbnail are evidence and stay (only
        the photo retention above removes them), and so does every rendition
        of a photo of a project on legal hold."""
        held = (
            self.with_context(active_test=False)
            .search([("project_id", "in", held_projects.ids)])
            .ids
            if held_projects
            else []
        )
        return self.env["construction.sync.purge"]._in_batches(
            self.env["ir.attachment"].sudo(),
            [
                ("res_model", "=", self._name),
                ("res_field", "in", sorted(DERIVED_FIELDS)),
                ("create_date", "<", cutoff),
                ("res_id", "not in", held),
            ],
            batch_size,
            max_batches,
        )

    def _purge(self, reason):
        """Remove the photos and their images, the only way they go: each
        leaves its trace, who, when and the SHA-256 of its original, on its
        site's chatter and in the log."""
        now = fields.Datetime.now()
        for photo in self.sudo():
            trace = self.env._(
                "Photo %(name)s (#%(id)s) was removed by the retention purge (%(reason)s) on "
                "%(now)s UTC by %(user)s: SHA-256 of its original %(checksum)s, %(size)s "
                "bytes, uploaded %(uploaded)s UTC by %(uploader)s.",
                name=photo.name,
                id=photo.id,
                reason=reason,
                now=now,
                user=self.env.user.name,
                checksum=photo.checksum,
                size=photo.file_size,
                uploaded=photo.create_date,
                uploader=photo.uploader_id.name or "-",
            )
            _logger.info("%s", trace)
            if photo.site_id:
                photo.site_id.message_post(body=trace, subtype_xmlid="mail.mt_note")
        with evidence_change("unlink", self.ids):
            self.sudo().unlink()

    # ------------------------------------------------------------------
    # Field upload (called by the field API)
    # ------------------------------------------------------------------

    @api.model
    def _create_from_upload(
        self,
        image_bytes,
        declared_mimetype,
        metadata,
        system=None,
        require_site=False,
        checksum=None,
    ):
        """The photo for one upload from a field platform.

        ``metadata`` keys (all optional): client_uuid, site_id, area (the
        platform's name of an area of the site), stage (code or name),
        category (code, name or synonym), tags (names),
        captured_at (ISO 8601; with an offset, or with ``timezone``),
        timezone, latitude, longitude, gps_accuracy, filename, note.

        Returns the existing photo when the same client UUID of ``system``
        was uploaded before with the same bytes, or the same bytes by a
        source the caller may read (nothing is changed then); the same
        client UUID with other bytes raises ``client_uuid_conflict``, the
        same bytes from a source it may not read raise ``duplicate_image``
        without naming that photo. With ``require_site``, a photo no site
        can be found for raises ``unknown_site`` before anything is stored.
        ``checksum`` is the SHA-256 of the bytes when the caller hashed them
        as it read them. The bytes are inspected once, and decoded once for
        the renditions.
        Raises :class:`EvidenceValidationError` with a ``code`` on bad input.
        """
        system = system or self.env["construction.sync.system"]
        metadata = metadata or {}
        client_uuid = metadata.get("client_uuid")
        if system and client_uuid:
            existing = self.search(
                [("source_system_id", "=", system.id), ("client_uuid", "=", client_uuid)], limit=1
            )
            if existing:
                if existing.checksum != (checksum or image_lib.sha256(image_bytes)):
                    raise EvidenceValidationError(
                        "client_uuid_conflict",
                        self.env._(
                            "Client UUID %(uuid)s was first used for other bytes (photo "
                            "%(id)s); a client UUID names one photo: give a new photo a "
                            "new UUID.",
                            uuid=client_uuid,
                            id=existing.id,
                        ),
                    )
                return existing
        with evidence_errors():
            info = image_lib.inspect(image_bytes, declared_mimetype, checksum=checksum)
        # Every source's photos, before the previews are made: the same
        # bytes are stored once per company, whoever uploaded them first.
        existing = self.sudo().search(
            [("checksum", "=", info.checksum), ("company_id", "=", self.env.company.id)], limit=1
        )
        if existing:
            if existing.with_env(self.env)._filtered_access("read"):
                return existing.with_env(self.env)
            raise self._duplicate_error(existing)
        vals = {
            "name": metadata.get("filename") or self.env._("Photo"),
            "image": image_bytes,
            "mimetype": declared_mimetype,
            "source_system_id": system.id,
            "client_uuid": client_uuid or False,
            "note": metadata.get("note") or False,
        }
        words, review_reason = self._platform_vals(
            system, metadata.get("stage"), metadata.get("category"), metadata.get("tags")
        )
        vals.update(words)
        vals.update(self._device_time_vals(metadata, info.exif))
        if metadata.get("latitude") is not None or metadata.get("longitude") is not None:
            if info.exif.latitude is None:
                vals.update(
                    latitude=metadata.get("latitude"),
                    longitude=metadata.get("longitude"),
                    gps_source="device",
                    gps_accuracy=metadata.get("gps_accuracy") or 0.0,
                )
            with evidence_errors():
                check_coordinates(metadata.get("latitude"), metadata.get("longitude"))
        site = self._upload_site(metadata, vals, info.exif)
        if site and metadata.get("area"):
            vals["area_id"] = (
                self.env["construction.site.area"]._from_name(site, metadata["area"], system).id
            )
        if site:
            vals["site_id"] = site.id
        elif require_site:
            # refused before the images are stored: nothing reaches the filestore
            raise EvidenceValidationError(
                "unknown_site",
                self.env._(
                    "A field photo needs its site: send site_id, or GPS (in EXIF or the "
                    "metadata) near a site."
                ),
            )
        # Machine uploads, as Odoo's mail gateway creates records: the
        # service user does not follow every photo it sends, and no
        # "created" note repeats what the photo's uploader, its creation
        # time and its applied event already say.
        with inspected_upload(image_bytes, info):
            photo = (
                self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
                .create(vals)
                .with_env(self.env)
            )
        if review_reason:
            photo._route_to_review(review_reason)
        return photo

    @api.model
    def _platform_vals(self, system, stage=None, category=None, tags=None):
        """Stage, condition and tags of a photo in a platform's words: the
        one place every path (field upload, batch, connectors) turns them
        into records, through ``system``'s value maps (kinds photo_stage,
        defect_category and synonym), then the suite's natural keys.

        A tag that a photo_stage map names gives the stage when none is
        sent, one a defect_category or synonym map names gives the
        condition; neither is kept as a tag. A condition that lists its
        allowed tags takes those only: the others are not created, and
        the reason is returned for the review queue.

        Returns ``(vals, review reason or "")``."""
        Resolver = self.env["construction.sync.resolver"]
        names = list(
            dict.fromkeys(
                name.strip() for name in tags or () if isinstance(name, str) and name.strip()
            )
        )
        stages = Resolver._labels(system, STAGE_MAP_KINDS, names)
        categories = Resolver._labels(system, CATEGORY_MAP_KINDS, names)
        stage_label = (
            Resolver._label(system, STAGE_MAP_KINDS, stage)
            if stage
            else next(iter(stages.values()), None)
        )
        category_label = (
            Resolver._label(system, CATEGORY_MAP_KINDS, category)
            if category
            else next(iter(categories.values()), None)
        )
        vals = {}
        if stage_label:
            vals["stage_id"] = self.env["construction.photo.stage"]._resolve(stage_label).id
        condition = self.env["construction.defect.category"]
        if category_label:
            condition = condition._resolve(category_label)
            vals["category_id"] = condition.id
        free = [name for name in names if name not in stages and name not in categories]
        if condition.allowed_tag_ids:
            kept, refused = condition._allowed_tags(free)
        else:
            kept, refused = self._find_or_create_tags(free), []
        if tags is not None:
            vals["tag_ids"] = [Command.set(kept.ids)]
        reason = ""
        if refused:
            reason = self.env._(
                "tags not allowed for %(condition)s: %(tags)s (allowed: %(allowed)s)",
                tags=", ".join(refused),
                condition=condition.name,
                allowed=", ".join(condition.allowed_tag_ids.mapped("name")),
            )
        return vals, reason

    def _route_to_review(self, reason):
        """The model's own routing of an upload to the review queue, with
        its reason: a platform may not set a photo's review fields."""
        self.sudo().write({"state": "needs_review", "review_reason": reason})

    def _device_time_vals(self, metadata, exif):
        """Capture time: EXIF with its offset first, else the device's time,
        else EXIF local time in the device's zone (done in create)."""
        zone = metadata.get("timezone")
        if exif.captured_utc or not metadata.get("captured_at"):
            return {"capture_timezone": zone} if zone and not exif.captured_utc else {}
        try:
            moment = datetime.fromisoformat(str(metadata["captured_at"]).replace("Z", "+00:00"))
            if moment.tzinfo:
                zone = zone or format_offset(moment.utcoffset())
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            elif zone:
                moment = to_utc(moment, zone)
        except ValueError as error:
            raise EvidenceValidationError(
                "invalid_time",
                self.env._(
                    "Capture time %(time)r is not an ISO 8601 time with a known time zone "
                    "(%(error)s).",
                    time=metadata["captured_at"],
                    error=str(error),
                ),
            ) from error
        return {"captured_at": moment, "capture_source": "device", "capture_timezone": zone}

    def _upload_site(self, metadata, vals, exif):
        Site = self.env["construction.site"]
        if metadata.get("site_id"):
            return Site._from_reference(metadata["site_id"])
        latitude = exif.latitude if exif.latitude is not None else vals.get("latitude")
        longitude = exif.longitude if exif.longitude is not None else vals.get("longitude")
        if latitude is None or longitude is None:
            return Site
        nearest = Site._find_nearest(latitude, longitude, SITE_SEARCH_RADIUS_M)
        return nearest[0][0] if nearest else Site

    @api.model
    def _check_known(self, commands):
        """Refuse the photos ``commands`` (of an x2many field, or ids) name
        that do not exist or that the user may not read, with one answer for
        both: an id tells a platform nothing of another system's photos."""
        ids = set()
        for command in commands or ():
            if isinstance(command, int):
                ids.add(command)
            elif command[0] == Command.SET:
                ids.update(command[2])
            elif command[0] in (Command.LINK, Command.UPDATE):
                ids.add(command[1])
        photos = self.browse(ids)
        unknown = photos - photos.exists()._filtered_access("read")
        if unknown:
            raise AccessError(
                self.env._(
                    "No photo %(ids)s that you may use: check the photo ids.",
                    ids=", ".join(f"#{photo_id}" for photo_id in sorted(unknown.ids)),
                )
            )

    @api.model
    def _find_or_create_tags(self, names):
        Tag = self.env["construction.photo.tag"]
        names = list(dict.fromkeys(name.strip() for name in names if name and name.strip()))
        existing = Tag.with_context(active_test=False).search([("name", "in", names)])
        known = set(existing.mapped("name"))
        return existing | Tag.sudo().create([{"name": name} for name in names if name not in known])

    # ------------------------------------------------------------------
    # Platforms (photo.published)
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_published(self, event):
        """Handler of ``photo.published``, in its queue job: the photo bound
        to the platform's photo id. The first version downloads the
        original and stores it the way a field upload is stored, on the site
        bound to the platform's project (fetched from the platform first when
        no event brought it yet), waiting for review; a later version changes
        its note and tags (and the stage or condition its tags' value maps
        name, where the photo has none), never its original."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        binding, photo = Resolver._binding(system, self._name, data["external_id"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        Exchange = self.env["construction.sync.exchange"]
        try:
            data = dict(data, **system._adapter()._fetch_details(system, "photo.published", data))
        except VendorError as error:
            raise Exchange._job_error(error) from error
        if photo:
            words, review_reason = self._platform_vals(system, tags=data.get("tags") or [])
            # what a reviewer set stays: the platform's tags only fill a gap
            words = {
                field: value
                for field, value in words.items()
                if field == "tag_ids" or not photo[field]
            }
            photo.write(dict(words, note=data.get("note") or False))
            if review_reason:
                photo._route_to_review(review_reason)
        else:
            photo = self._create_published(event, data)
        Resolver._bind(event, binding, photo, data["external_id"])
        return photo

    def _create_published(self, event, data):
        system = event.system_id
        site = self._published_site(event, data["site_external_id"])
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("construction_field_evidence.max_upload_bytes", MAX_UPLOAD_BYTES)
        )
        try:
            response = system._vendor_http("GET", data["image_url"], max_bytes=limit)
        except VendorError as error:
            raise self.env["construction.sync.exchange"]._job_error(error) from error
        image = response.content
        md5 = (data.get("md5") or "").lower()
        if md5 and hashlib.md5(image, usedforsecurity=False).hexdigest() != md5:
            raise UserError(
                self.env._(
                    "The original of %(system)s photo %(photo)s does not match the MD5 the "
                    "platform gave (%(md5)s): it was not stored. Replay the event to "
                    "download it again.",
                    system=system.name,
                    photo=data["external_id"],
                    md5=md5,
                )
            )
        metadata = {
            "client_uuid": data["external_id"],
            "site_id": site.id,
            "captured_at": data.get("captured_at"),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "note": data.get("note"),
            "tags": data.get("tags") or [],
            "filename": data.get("filename"),
        }
        mimetype = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        photo = self.with_company(site.company_id)._create_from_upload(
            image, mimetype, metadata, system
        )
        if md5 and not photo.source_md5:
            photo.source_md5 = md5
        return photo

    def _published_site(self, event, site_external_id):
        """The site bound to the platform's project; a project no event has
        brought yet is fetched from the platform and applied first."""
        Resolver = self.env["construction.sync.resolver"]
        _binding, site = Resolver._binding(event.system_id, "construction.site", site_external_id)
        if not site:
            # The exchange and the events it brings are the engine's own
            # bookkeeping; the fetched site.upserted is applied by its own
            # handler with the system's rights.
            self.env["construction.sync.exchange"].sudo()._fetch_and_apply(
                event.system_id, "site.upserted", site_external_id
            )
            _binding, site = Resolver._binding(
                event.system_id, "construction.site", site_external_id
            )
        if not site:
            raise UnknownReferenceError(
                self.env._(
                    "%(system)s project %(project)s could not be made a site; see its "
                    "fetched event, then replay this one.",
                    system=event.system_id.name,
                    project=site_external_id,
                )
            )
        return site

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------

    def action_submit(self):
        self._check_state({"new"}, self.env._("submit for review"))
        self.write({"state": "needs_review"})

    def action_accept(self):
        self._check_state({"new", "needs_review"}, self.env._("accept"))
        missing = self.filtered(lambda photo: not photo.site_id or not photo.stage_id)
        if missing:
            raise UserError(
                self.env._(
                    "Set the site and the stage of %(photos)s before accepting.",
                    photos=", ".join(missing.mapped("display_name")),
                )
            )
        # the reason it waited is answered (it stays in the chatter)
        self.write({"state": "accepted", "reject_reason": False, "review_reason": False})

    def action_reject(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the photo is rejected."))
        self._check_state({"new", "needs_review", "accepted"}, self.env._("reject"))
        self.write({"state": "rejected", "reject_reason": reason.strip()})

    def action_reset_review(self):
        self._check_state({"accepted", "rejected"}, self.env._("send back to review"))
        self.write({"state": "needs_review"})

    def action_open_reject_wizard(self):
        return self.env["construction.review.wizard"]._open_for(self)

    def _check_state(self, allowed, verb):
        check_reviewer(self.env, verb)
        wrong = self.filtered(lambda photo: photo.state not in allowed)
        if wrong:
            labels = dict(STATES)
            raise UserError(
                self.env._(
                    "Cannot %(verb)s %(photo)s: it is %(state)s.",
                    verb=verb,
                    photo=wrong[0].display_name,
                    state=labels[wrong[0].state],
                )
            )
