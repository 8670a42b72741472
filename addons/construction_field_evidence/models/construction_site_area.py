from odoo import api, fields, models
from odoo.addons.construction_sync.lib.reference import value_key

from ..exceptions import EvidenceValidationError, evidence_errors
from ..lib import geometry


class ConstructionSiteArea(models.Model):
    """A named part of a site ("North lot", "Loading dock"): an outline
    within the site boundary. Photos and defects taken inside it fall into
    it; priced estimate lines and repair tasks group by it."""

    _name = "construction.site.area"
    _description = "Site Area"
    _order = "site_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    site_id = fields.Many2one(
        "construction.site", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    outline_geojson = fields.Text(
        string="Outline (GeoJSON)",
        required=True,
        help="GeoJSON Polygon of the area, [longitude, latitude] positions in WGS 84: "
        "closed rings whose edges do not cross, inside the site boundary.",
    )
    area_m2 = fields.Float(
        string="Area (m²)", compute="_compute_area_m2", store=True, digits=(16, 1)
    )
    photo_ids = fields.One2many("construction.photo", "area_id", string="Photos")
    defect_ids = fields.One2many("construction.defect", "area_id", string="Defects")
    defect_count = fields.Integer(compute="_compute_defect_count")

    _sql_constraints = [
        ("name_uniq", "unique (site_id, name)", "An area's name is unique within its site."),
    ]

    @api.depends("outline_geojson")
    def _compute_area_m2(self):
        for area in self:
            area.area_m2 = geometry.area_m2(area._outline()) if area.outline_geojson else 0.0

    def _compute_defect_count(self):
        counts = dict(
            self.env["construction.defect"]._read_group(
                [("area_id", "in", self.ids)], ["area_id"], ["__count"]
            )
        )
        for area in self:
            area.defect_count = counts.get(area, 0)

    # ------------------------------------------------------------------
    # Outline
    # ------------------------------------------------------------------

    def _outline(self):
        """The outline as a shapely polygon (checked when it was saved)."""
        self.ensure_one()
        with evidence_errors():
            return geometry.parse_area(self.outline_geojson)[0]

    @api.model
    def _normalize_vals(self, vals):
        """The outline stored in one form (counter-clockwise outer ring)."""
        if vals.get("outline_geojson"):
            with evidence_errors():
                vals = dict(vals, outline_geojson=geometry.parse_area(vals["outline_geojson"])[1])
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._normalize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._normalize_vals(vals))

    @api.constrains("outline_geojson", "site_id")
    def _check_outline(self):
        """Refused unless closed, not crossing itself and inside the site's
        boundary (when the site has one)."""
        for area in self:
            with evidence_errors():
                geometry.parse_area(area.outline_geojson, area.site_id._boundary_shape())

    @api.model
    def _assign_by_position(self, records, located, fallback=None):
        """Set ``area_id`` of ``records`` (photos or defects) that are
        ``located`` to the first area of their site (in the areas' order)
        covering their position; else to ``fallback(record)`` when given and
        not empty; else keep an area of the same site (one a platform named)
        and clear any other."""
        sites = records.site_id
        areas = self.search([("site_id", "in", sites.ids)]) if sites else self
        finders = {
            site: geometry.area_finder(
                [(area, area._outline()) for area in areas if area.site_id == site]
            )
            for site in sites
        }
        for record in records:
            found = None
            if record.site_id and located(record):
                found = finders[record.site_id](record.latitude, record.longitude)
            if not found and fallback:
                found = fallback(record)
            if found:
                record.area_id = found
            elif record.area_id.site_id != record.site_id:
                record.area_id = False

    # ------------------------------------------------------------------
    # Resolving an area a platform names
    # ------------------------------------------------------------------

    @api.model
    def _from_name(self, site, name, system=None):
        """The area of ``site`` a platform calls ``name``: its value map of
        kind ``area`` (the system's own before a shared one), else the
        site's area of that name (case and blanks around it ignored).
        Raises ``unknown_area`` naming the site's areas otherwise."""
        system = system or self.env["construction.sync.system"]
        mapped = self.env["construction.sync.resolver"]._find(
            system, self._name, name, kind="area", company=site.company_id
        )
        if mapped and mapped.site_id == site:
            return mapped
        wanted = value_key(name)
        area = site.area_ids.filtered(lambda area: value_key(area.name) == wanted)[:1]
        if not area:
            raise EvidenceValidationError(
                "unknown_area",
                self.env._(
                    "Site %(site)s has no area %(area)r (its areas: %(areas)s). Send one of "
                    "them, or map the platform's name (Synchronization → Value Maps, kind "
                    "Area).",
                    site=site.name,
                    area=name,
                    areas=", ".join(site.area_ids.mapped("name")) or self.env._("none"),
                ),
            )
        return area
