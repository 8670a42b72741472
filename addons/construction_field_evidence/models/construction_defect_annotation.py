from collections import defaultdict

from odoo import Command, api, fields, models

from ..exceptions import evidence_errors
from ..lib.geometry import check_bbox
from ..lib.markup import Box, flatten

# What a drawn box shows, as the dependencies of a record's box overlay
# (``annotation_ids``) are written.
OVERLAY_DEPENDS = tuple(
    f"annotation_ids.{name}"
    for name in (
        "photo_id",
        "x",
        "y",
        "width",
        "height",
        "label",
        "confidence",
        "defect_id.category_id",
        "defect_id.confidence",
    )
)


class ConstructionDefectAnnotation(models.Model):
    _name = "construction.defect.annotation"
    _description = "Defect Bounding Box"
    _order = "defect_id, id"
    _check_company_auto = True

    defect_id = fields.Many2one(
        "construction.defect", required=True, index=True, ondelete="cascade", check_company=True
    )
    photo_id = fields.Many2one(
        "construction.photo", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="defect_id.company_id", store=True, index=True)
    x = fields.Float(required=True, digits=(6, 4), help="Left edge, fraction of the width.")
    y = fields.Float(required=True, digits=(6, 4), help="Top edge, fraction of the height.")
    width = fields.Float(required=True, digits=(6, 4), help="Fraction of the image width.")
    height = fields.Float(required=True, digits=(6, 4), help="Fraction of the image height.")
    label = fields.Char()
    confidence = fields.Float(digits=(3, 2))

    @api.constrains("x", "y", "width", "height")
    def _check_box(self):
        for annotation in self:
            with evidence_errors():
                check_bbox(annotation.x, annotation.y, annotation.width, annotation.height)

    @api.model_create_multi
    def create(self, vals_list):
        self.env["construction.photo"]._check_known(
            [vals["photo_id"] for vals in vals_list if vals.get("photo_id")]
        )
        annotations = super().create(vals_list)
        photos_by_defect = defaultdict(lambda: self.env["construction.photo"])
        for annotation in annotations:
            if annotation.photo_id not in annotation.defect_id.photo_ids:
                photos_by_defect[annotation.defect_id] |= annotation.photo_id
        for defect, photos in photos_by_defect.items():
            # The box is the user's and so is its photo (both checked above):
            # filing the photo under the defect is part of drawing the box,
            # for a platform too, which otherwise never changes a defect.
            defect.sudo().photo_ids = [Command.link(photo.id) for photo in photos]
        return annotations

    def write(self, vals):
        if "photo_id" in vals:
            self.env["construction.photo"]._check_known([vals["photo_id"]])
        return super().write(vals)

    def _markup_box(self):
        """The box as drawn and written out: labelled with its defect's
        category (the reviewed one) and the detector's confidence."""
        self.ensure_one()
        defect = self.defect_id
        return Box(
            self.x,
            self.y,
            self.width,
            self.height,
            defect.category_id.name or self.label or defect.detected_label or "",
            self.confidence or defect.confidence,
        )

    def _flattened(self):
        """Lines a tool without markup keeps (see :func:`lib.markup.flatten`)."""
        return [flatten(annotation._markup_box(), annotation.photo_id.id) for annotation in self]

    def _overlay(self, photos):
        """What the box overlay widget shows: each of ``photos`` with the
        boxes of ``self`` drawn on it, the photos with boxes first."""
        entries = []
        for photo in photos.filtered(lambda photo: photo._origin):
            boxes = [
                annotation._markup_box()
                for annotation in self
                if annotation.photo_id._origin == photo._origin
            ]
            entries.append(
                {
                    "photo_id": photo._origin.id,
                    "name": photo.display_name,
                    "boxes": [
                        {
                            "x": box.x,
                            "y": box.y,
                            "width": box.width,
                            "height": box.height,
                            "caption": box.caption,
                        }
                        for box in boxes
                    ],
                }
            )
        return sorted(entries, key=lambda entry: not entry["boxes"])
