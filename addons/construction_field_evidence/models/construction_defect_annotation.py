from collections import defaultdict

from odoo import api, fields, models

from ..exceptions import evidence_errors
from ..lib.geometry import check_bbox


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
        annotations = super().create(vals_list)
        photos_by_defect = defaultdict(lambda: self.env["construction.photo"])
        for annotation in annotations:
            if annotation.photo_id not in annotation.defect_id.photo_ids:
                photos_by_defect[annotation.defect_id] |= annotation.photo_id
        for defect, photos in photos_by_defect.items():
            defect.photo_ids = [(4, photo.id) for photo in photos]
        return annotations
