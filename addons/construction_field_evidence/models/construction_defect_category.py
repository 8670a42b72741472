import re

from odoo import api, fields, models
from odoo.addons.construction_sync.lib.reference import value_key
from odoo.exceptions import ValidationError

from ..exceptions import EvidenceValidationError


def normalize_label(label):
    """``Alligator-Cracking `` -> ``alligator cracking``."""
    return re.sub(r"[\s_\-]+", " ", label or "").strip().lower()


class ConstructionDefectCategory(models.Model):
    _name = "construction.defect.category"
    _description = "Defect Category"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable value field platforms send, e.g. pothole.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the category between companies."
    )
    synonyms = fields.Text(
        help="Other labels meaning this category, one per line or comma separated, "
        "e.g. patch, pot hole. Matched without regard to case.",
    )
    description = fields.Text()
    uom_id = fields.Many2one(
        "uom.uom", string="Default Unit", help="Unit in which this condition is measured."
    )
    cost_code_id = fields.Many2one(
        "construction.cost.code", string="Default Cost Code", check_company=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Pricing Product",
        check_company=True,
        help="Product whose price estimates the repair.",
    )
    confidence_threshold = fields.Float(
        default=0.6,
        digits=(3, 2),
        help="AI detections below this confidence (0 to 1) go to the review queue.",
    )
    verify_stage_ids = fields.Many2many(
        "construction.photo.stage",
        string="Required Stages",
        help="Photos a defect of this category needs, one of each stage (a pothole: before "
        "and after). A defect shows the stages it still lacks, and is verified only once it "
        "has them all.",
    )
    allowed_tag_ids = fields.Many2many(
        "construction.photo.tag",
        string="Allowed Tags",
        help="Tags a photo of this condition may carry. Leave empty for free tags; with a "
        "list, an upload naming other tags goes to the review queue with the reason, and "
        "those tags are not created.",
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique nulls not distinct (code, company_id)",
            "A defect category code must be unique per company.",
        ),
        (
            "confidence_threshold_range",
            "CHECK (confidence_threshold >= 0 AND confidence_threshold <= 1)",
            "The confidence threshold is between 0 and 1.",
        ),
    ]

    def _labels(self):
        """Normalized code, name and synonyms of the category."""
        self.ensure_one()
        labels = {normalize_label(self.code), normalize_label(self.name)}
        labels.update(normalize_label(part) for part in re.split(r"[,\n;]", self.synonyms or ""))
        return labels - {""}

    @api.model
    def _resolve_label(self, label):
        """The category whose code, name or synonym is ``label``
        (case-insensitive, spaces, '-' and '_' alike); empty when none is.
        The label is compared with each category's labels, never used as a
        search pattern; the company's own categories win over shared ones."""
        wanted = normalize_label(label)
        if not wanted:
            return self.browse()
        categories = self.search(self._check_company_domain(self.env.company)).sorted(
            lambda category: (not category.company_id, category.sequence)
        )
        return next(
            (category for category in categories if wanted in category._labels()), self.browse()
        )

    def _allowed_tags(self, names):
        """``(tags, refused names)``: the allowed tags of the category that
        ``names`` name (case and blanks ignored), and the names it does not
        allow."""
        by_key = {value_key(tag.name): tag for tag in self.allowed_tag_ids}
        kept = self.env["construction.photo.tag"]
        refused = []
        for name in names:
            tag = by_key.get(value_key(name))
            if tag:
                kept |= tag
            else:
                refused.append(name)
        return kept, refused

    @api.model
    def _construction_sync_match(self, reference, _company):
        """Natural key for the sync resolver: a code, name or synonym (see
        :meth:`_resolve_label`) among the categories the user may see."""
        return self._resolve_label(reference)

    @api.model
    def _resolve(self, code):
        """The category whose code is ``code``; raises ``unknown_category``."""
        category = self._resolve_label(code)
        if not category:
            raise EvidenceValidationError(
                "unknown_category",
                self.env._(
                    "Defect category %(category)r is not an approved category.",
                    category=code or "",
                ),
            )
        return category

    @api.constrains("uom_id", "cost_code_id")
    def _check_units(self):
        for category in self:
            code_unit = category.cost_code_id.uom_id
            if (
                category.uom_id
                and code_unit
                and code_unit.category_id != category.uom_id.category_id
            ):
                raise ValidationError(
                    self.env._(
                        "Category %(category)s is measured in %(unit)s, which cannot be "
                        "converted to %(code_unit)s of cost code %(code)s.",
                        category=category.name,
                        unit=category.uom_id.name,
                        code_unit=code_unit.name,
                        code=category.cost_code_id.display_name,
                    )
                )
