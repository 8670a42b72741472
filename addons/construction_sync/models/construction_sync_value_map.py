from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.reference import value_key

VALUE_MAP_KINDS = {
    "cost_code": ("Cost Code", "construction.cost.code"),
    "uom": ("Unit of Measure", "uom.uom"),
    "defect_category": ("Defect Category", "construction.defect.category"),
    "photo_stage": ("Photo Stage", "construction.photo.stage"),
    "area": ("Site Area", "construction.site.area"),
    "employee": ("Employee", "hr.employee"),
    "project": ("Project", "project.project"),
    "task": ("Task", "project.task"),
    "equipment": ("Equipment", "maintenance.equipment"),
    "product": ("Product", "product.product"),
    "synonym": ("Synonym", None),
}


class ConstructionSyncValueMap(models.Model):
    _name = "construction.sync.value.map"
    _description = "Value Map"
    _inherit = ["mail.thread"]
    _order = "system_id, kind, external_value"
    _rec_name = "external_value"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system",
        ondelete="cascade",
        index=True,
        tracking=True,
        help="Leave empty for a mapping every system shares.",
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [(kind, label) for kind, (label, _model) in VALUE_MAP_KINDS.items()],
        required=True,
        tracking=True,
    )
    external_value = fields.Char(required=True, tracking=True)
    external_key = fields.Char(
        compute="_compute_external_key",
        store=True,
        precompute=True,
        index=True,
        help="The external value as it is compared: blanks around it and case ignored.",
    )
    internal_reference = fields.Reference(
        selection="_selection_internal_reference",
        tracking=True,
        help="The Odoo record the external value stands for.",
    )
    internal_value = fields.Char(
        tracking=True,
        help="For synonyms: the value the suite understands.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "value_uniq",
            "unique nulls not distinct (system_id, kind, external_key)",
            "An external value is mapped once per system and kind (case and blanks "
            "around it do not count).",
        ),
    ]

    @api.depends("external_value")
    def _compute_external_key(self):
        for value_map in self:
            value_map.external_key = value_key(value_map.external_value)

    @api.model
    def _selection_internal_reference(self):
        return [
            (model, label)
            for label, model in VALUE_MAP_KINDS.values()
            if model and model in self.env
        ]

    @api.constrains("kind", "internal_reference", "internal_value")
    def _check_target(self):
        for value_map in self:
            model = VALUE_MAP_KINDS[value_map.kind][1]
            if model and (
                not value_map.internal_reference or value_map.internal_reference._name != model
            ):
                raise ValidationError(
                    self.env._(
                        "The %(kind)s value %(value)r must point to a record of %(model)s.",
                        kind=value_map.kind,
                        value=value_map.external_value,
                        model=model,
                    )
                )
            if not model and not value_map.internal_value:
                raise ValidationError(
                    self.env._(
                        "The %(kind)s value %(value)r needs the internal value it stands for.",
                        kind=value_map.kind,
                        value=value_map.external_value,
                    )
                )

    @api.model
    def _lookup_many(self, system, kind, references):
        """``{reference: value map}`` of ``system`` (empty: shared maps only):
        its own mapping first, then a shared one. The reference is compared
        by :func:`..lib.reference.value_key`, never as a pattern."""
        keys = {reference: value_key(reference) for reference in references}
        candidates = self.search(
            [
                ("kind", "=", kind),
                ("external_key", "in", list(set(keys.values()))),
                ("system_id", "in", [system.id, False] if system else [False]),
            ]
        ).sorted(lambda value_map: not value_map.system_id)
        by_key = {}
        for value_map in candidates:
            by_key.setdefault(value_map.external_key, value_map)
        return {reference: by_key[key] for reference, key in keys.items() if key in by_key}
