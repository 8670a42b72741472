from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round


class ConstructionDefectPricingWizard(models.TransientModel):
    _name = "construction.defect.pricing.wizard"
    _description = "Price Defects into an Estimate"

    estimate_id = fields.Many2one(
        "construction.estimate",
        required=True,
        default=lambda self: self._default_estimate_id(),
        domain="[('state', '=', 'draft')]",
        help="Draft estimate that receives one priced line per site, area and defect category.",
    )
    site_id = fields.Many2one(
        "construction.site",
        default=lambda self: self._default_record("construction.site"),
        help="Price every confirmed defect of this site instead of a selection.",
    )
    defect_ids = fields.Many2many(
        "construction.defect",
        string="Defects",
        default=lambda self: self._default_defect_ids(),
    )
    refused_reasons = fields.Text(compute="_compute_refused_reasons", string="Refused")

    @api.model
    def _default_record(self, model):
        context = self.env.context
        return context.get("active_id") if context.get("active_model") == model else False

    @api.model
    def _default_estimate_id(self):
        """The estimate the action was opened from, else the one draft
        estimate of the project the defects' sites belong to."""
        estimate_id = self._default_record("construction.estimate")
        if estimate_id:
            return estimate_id
        commands = self._default_defect_ids()
        defects = self.env["construction.defect"].browse(commands[0][2] if commands else [])
        projects = defects.site_id.project_id
        if len(projects) != 1:
            return False
        drafts = self.env["construction.estimate"].search(
            [("project_id", "=", projects.id), ("state", "=", "draft")], limit=2
        )
        return drafts.id if len(drafts) == 1 else False

    @api.model
    def _default_defect_ids(self):
        context = self.env.context
        if context.get("active_model") == "construction.defect":
            return [Command.set(context.get("active_ids", []))]
        site_id = self._default_record("construction.site")
        if site_id:
            return [Command.set(self._site_defects(site_id).ids)]
        return []

    @api.model
    def _site_defects(self, site_id):
        return self.env["construction.defect"].search(
            [("site_id", "=", site_id), ("state", "=", "confirmed")]
        )

    @api.onchange("site_id")
    def _onchange_site_id(self):
        if self.site_id:
            self.defect_ids = self._site_defects(self.site_id.id)

    @api.depends("defect_ids", "estimate_id")
    def _compute_refused_reasons(self):
        for wizard in self:
            wizard.refused_reasons = "\n".join(
                self.env._("%(defect)s: %(reason)s", defect=defect.name, reason=reason)
                for defect, reason in wizard._refusals().items()
            )

    def _refusals(self):
        """Defects that cannot be priced, with the reason a person can act on."""
        self.ensure_one()
        labels = dict(self.env["construction.defect"]._fields["state"].selection)
        project = self.estimate_id.project_id
        refused = {}
        for defect in self.defect_ids:
            category, product = defect.category_id, defect.category_id.product_id
            if defect.state != "confirmed":
                reason = self.env._(
                    "it is %(state)s; only confirmed defects are priced",
                    state=labels[defect.state],
                )
            elif not product:
                reason = self.env._(
                    "category %(category)s has no pricing product", category=category.name
                )
            elif not defect.quantity or not defect.uom_id:
                reason = self.env._("measure it first (quantity and unit)")
            elif defect.uom_id.category_id != product.uom_id.category_id:
                reason = self.env._(
                    "%(unit)s cannot be converted to %(product_unit)s, the unit of %(product)s",
                    unit=defect.uom_id.name,
                    product_unit=product.uom_id.name,
                    product=product.display_name,
                )
            elif project and defect.site_id.project_id != project:
                reason = self.env._(
                    "its site belongs to %(site_project)s, not to %(project)s",
                    site_project=defect.site_id.project_id.display_name or self.env._("no project"),
                    project=project.display_name,
                )
            else:
                continue
            refused[defect] = reason
        return refused

    def action_price(self):
        """Create or update one priced estimate line per site, area and
        category, linked to its defects and their photos, the estimate's
        priced lines ordered by site, area and category; the defects become
        Estimated."""
        self.ensure_one()
        estimate = self.estimate_id
        if estimate.state != "draft":
            raise UserError(
                self.env._("%(estimate)s is not a draft.", estimate=estimate.display_name)
            )
        if not self.defect_ids:
            raise UserError(self.env._("Select confirmed defects, or a site that has some."))
        refused = self._refusals()
        if refused:
            raise UserError(
                self.env._(
                    "Nothing was priced; these defects cannot be:\n%(reasons)s",
                    reasons="\n".join(
                        f"• {defect.name}: {reason}" for defect, reason in refused.items()
                    ),
                )
            )
        groups = defaultdict(lambda: self.env["construction.defect"])
        for defect in self.defect_ids:
            groups[defect.site_id, defect.area_id, defect.category_id] |= defect
        existing = {line.external_line_id: line for line in estimate.line_ids}
        Line = self.env["construction.estimate.line"]
        to_create = []
        for (site, area, category), defects in groups.items():
            key = f"defects/{site.id or 0}/{category.id}" + (f"/{area.id}" if area else "")
            line = existing.get(key)
            all_defects = defects | (line.defect_ids if line else defects.browse())
            values = self._line_values(site, category, all_defects, area)
            if line:
                line.write(values)
            else:
                to_create.append(dict(values, estimate_id=estimate.id, external_line_id=key))
        Line.create(to_create)
        self._order_priced_lines(estimate)
        self.defect_ids.action_estimate()
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.estimate",
            "res_id": estimate.id,
            "view_mode": "form",
        }

    @api.model
    def _order_priced_lines(self, estimate):
        """The estimate's priced lines after its imported ones, grouped by
        site, then by area in the site's order (lines of no area last),
        then by category."""
        priced = estimate.line_ids.filtered(
            lambda line: (line.external_line_id or "").startswith("defects/")
        )
        ordered = priced.sorted(
            lambda line: (
                line.defect_ids[:1].site_id.name or "",
                not line.area_id,
                line.area_id.sequence,
                line.area_id.id,
                line.name,
            )
        )
        for offset, line in enumerate(ordered):
            if line.sequence != 1000 + offset:
                line.sequence = 1000 + offset

    @api.model
    def _line_values(self, site, category, defects, area=None):
        product = category.product_id
        quantity = sum(defect._quantity_in(product.uom_id) for defect in defects)
        place = f"{site.name}, {area.name}" if area else site.name or "-"
        return {
            "name": self.env._("%(category)s repair, %(site)s", category=category.name, site=place),
            "area_id": area.id if area else False,
            "cost_code_id": category.cost_code_id.id,
            "product_id": product.id,
            "quantity": float_round(quantity, precision_rounding=product.uom_id.rounding),
            "uom_id": product.uom_id.id,
            "unit_cost": product.standard_price,
            "vendor_id": product._prepare_sellers()[:1].partner_id.id,
            "defect_ids": [Command.set(defects.ids)],
            "photo_ids": [Command.set(defects.photo_ids.ids)],
            # The boxes flattened, for tools that cannot show markup.
            "notes": "\n".join(defects.annotation_ids.sorted("id")._flattened()) or False,
        }
