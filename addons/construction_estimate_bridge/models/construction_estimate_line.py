from odoo import api, fields, models
from odoo.addons.construction_sync.models.construction_cost_code import COST_TYPES
from odoo.exceptions import UserError

# Models of the field evidence behind a line, as the sync inbox links them.
EVIDENCE_MODELS = ("construction.defect", "construction.photo")


class ConstructionEstimateLine(models.Model):
    _name = "construction.estimate.line"
    _description = "Construction Estimate Line"
    _order = "estimate_id, sequence, id"
    _check_company_auto = True

    estimate_id = fields.Many2one(
        "construction.estimate", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="estimate_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="estimate_id.currency_id")
    project_id = fields.Many2one(related="estimate_id.project_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    external_line_id = fields.Char(
        "Line Id", index=True, help="Id of the line in the estimating platform."
    )
    parent_id = fields.Many2one(
        "construction.estimate.line",
        string="Assembly",
        index=True,
        ondelete="cascade",
        domain="[('estimate_id', '=', estimate_id)]",
    )
    child_ids = fields.One2many("construction.estimate.line", "parent_id", "Assembly Lines")
    is_assembly = fields.Boolean(
        compute="_compute_is_assembly", store=True, help="Groups other lines; not budgeted itself."
    )
    name = fields.Char("Description", required=True)
    bid_package = fields.Char(index=True)
    is_alternate = fields.Boolean("Alternate")
    alternate_included = fields.Boolean(
        "Included", default=True, help="Whether the client accepted this alternate."
    )
    in_budget = fields.Boolean(compute="_compute_in_budget", store=True)
    cost_code_id = fields.Many2one(
        "construction.cost.code", index=True, check_company=True, ondelete="restrict"
    )
    cost_type = fields.Selection(
        COST_TYPES, compute="_compute_cost_type", store=True, readonly=False
    )
    product_id = fields.Many2one("product.product", check_company=True)
    quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    unit_cost = fields.Monetary()
    amount = fields.Monetary(compute="_compute_amount", store=True, recursive=True)
    vendor_id = fields.Many2one("res.partner", string="Suggested Vendor", check_company=True)
    area_id = fields.Many2one(
        "construction.site.area",
        index=True,
        check_company=True,
        ondelete="restrict",
        help="The area of the site whose defects this line prices (Price Defects): "
        "priced lines are grouped and ordered by area.",
    )
    defect_ids = fields.Many2many(
        "construction.defect",
        "construction_estimate_line_defect_rel",
        "line_id",
        "defect_id",
        string="Defects",
        help="Field defects this line prices (Price Defects).",
    )
    photo_ids = fields.Many2many(
        "construction.photo",
        "construction_estimate_line_photo_rel",
        "line_id",
        "photo_id",
        string="Photos",
        help="Photos of the priced defects: the evidence behind the quantity.",
    )
    notes = fields.Text(
        help="For tools that cannot show markup: each bounding box of the priced defects "
        'as text, e.g. "pothole 0.91, photo #123, box 0.120,0.300,0.250,0.200" '
        "(category, confidence, photo, then x,y,w,h as fractions of the photo).",
    )
    field_correlation = fields.Char(
        compute="_compute_field_correlation",
        search="_search_field_correlation",
        help="Correlation ids of the field requests that reported this line's defects and "
        "photos: the same id is on their events in the sync inbox.",
    )
    purchase_line_ids = fields.One2many(
        "purchase.order.line",
        "construction_estimate_line_id",
        string="Purchase Lines",
        readonly=True,
        help="Purchase order lines ordering this line (Requests for Quotation).",
    )

    @api.depends("defect_ids", "photo_ids")
    def _compute_field_correlation(self):
        # Inbox links are read as the superuser: estimators see the
        # correlation ids of their evidence, not the sync inbox itself.
        links = (
            self.env["construction.sync.event.link"]
            .sudo()
            .search(
                [
                    "|",
                    "&",
                    ("res_model", "=", "construction.defect"),
                    ("res_id", "in", self.defect_ids.ids),
                    "&",
                    ("res_model", "=", "construction.photo"),
                    ("res_id", "in", self.photo_ids.ids),
                ]
            )
        )
        by_record = {}
        for link in links:
            by_record.setdefault((link.res_model, link.res_id), []).append(link.correlation_id)
        for line in self:
            found = [
                correlation
                for record in (*line.defect_ids, *line.photo_ids)
                for correlation in by_record.get((record._name, record.id), [])
            ]
            line.field_correlation = ", ".join(dict.fromkeys(found)) or False

    def _search_field_correlation(self, operator, value):
        if operator not in ("=", "ilike", "=ilike", "like", "=like", "in"):
            raise UserError(self.env._("Search the field correlation for an id, or a part of one."))
        links = (
            self.env["construction.sync.event.link"]
            .sudo()
            .search([("correlation_id", operator, value), ("res_model", "in", EVIDENCE_MODELS)])
        )
        ids = {model: [] for model in EVIDENCE_MODELS}
        for link in links:
            ids[link.res_model].append(link.res_id)
        return [
            "|",
            ("defect_ids", "in", ids["construction.defect"]),
            ("photo_ids", "in", ids["construction.photo"]),
        ]

    @api.depends("child_ids")
    def _compute_is_assembly(self):
        for line in self:
            line.is_assembly = bool(line.child_ids)

    @api.depends("is_assembly", "is_alternate", "alternate_included")
    def _compute_in_budget(self):
        for line in self:
            line.in_budget = not line.is_assembly and (
                not line.is_alternate or line.alternate_included
            )

    @api.depends("cost_code_id")
    def _compute_cost_type(self):
        for line in self:
            line.cost_type = line.cost_code_id.cost_type or line.cost_type

    @api.depends("quantity", "unit_cost", "child_ids.amount", "is_assembly")
    def _compute_amount(self):
        for line in self:
            if line.is_assembly:
                line.amount = sum(line.child_ids.filtered("in_budget").mapped("amount"))
            else:
                line.amount = line.currency_id.round(line.quantity * line.unit_cost)

    def _budget_quantity(self, unit):
        """The line's quantity in ``unit``, that of its cost code's budget
        line; ``UserError`` when the two units measure different things."""
        self.ensure_one()
        return self.uom_id._construction_convert(
            self.quantity,
            unit,
            self.env._(
                "Estimate line %(line)s of %(estimate)s",
                line=self.name,
                estimate=self.estimate_id.display_name,
            ),
            self.env._("cost code %(code)s", code=self.cost_code_id.display_name),
        )

    def _diff_values(self):
        """The line as :mod:`..lib.revision_diff` compares it."""
        self.ensure_one()
        return {
            "cost_code": self.cost_code_id.code or "",
            "name": self.name,
            "quantity": self.quantity,
            "unit": self.uom_id.name or "",
            "unit_cost": self.unit_cost,
            "amount": self.amount,
            "in_budget": self.in_budget,
        }

    @api.model
    def _import_values(self, estimate, line, records, cost_types):
        """Values of the estimate line created from a parsed file line."""
        cost_code = records["cost_code"]
        uom = records["uom"] or (cost_code.uom_id if cost_code else None)
        values = {
            "estimate_id": estimate.id,
            "sequence": line.row,
            "external_line_id": line.line_id,
            "name": line.name or (cost_code.name if cost_code else line.line_id),
            "bid_package": line.bid_package,
            "is_alternate": line.alternate,
            "alternate_included": line.included,
            "cost_code_id": cost_code.id if cost_code else False,
            "product_id": records["product"].id if records["product"] else False,
            "quantity": line.quantity,
            "uom_id": uom.id if uom else False,
            "unit_cost": line.unit_cost or 0.0,
            "vendor_id": records["vendor"].id if records["vendor"] else False,
        }
        if line.cost_type.lower() in cost_types:
            values["cost_type"] = line.cost_type.lower()
        return values
