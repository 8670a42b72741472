from odoo import fields, models


class ConstructionPhotoTag(models.Model):
    _name = "construction.photo.tag"
    _description = "Photo Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A photo tag with this name already exists."),
    ]
