import json
import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.construction_sync.lib.reference import like_literal

from ..exceptions import EvidenceValidationError, evidence_errors
from ..lib import geometry
from ..lib.address import normalize_street, same_locality
from ..lib.exif import check_coordinates
from ..lib.site_plan import render_svg
from .construction_share_answer import ANSWERS

# Address fields kept trimmed and single-spaced.
ADDRESS_FIELDS = ("street", "street2", "city", "zip")


# How far a platform's project may be from a site and still be that site.
SITE_MATCH_RADIUS_M = 100.0

# Defects a client sees: those a person has confirmed, and what followed.
SHARED_DEFECT_STATES = ("confirmed", "estimated", "scheduled", "repaired", "verified")
# Stages every defect shows side by side, a photo or a dash in each.
SIDE_BY_SIDE_STAGES = ("before", "during", "after")


def normalize_line(value):
    return re.sub(r"\s+", " ", value).strip() if value else value


class ConstructionSite(models.Model):
    _name = "construction.site"
    _description = "Construction Site"
    _inherit = ["mail.thread", "mail.activity.mixin", "construction.sync.master.mixin"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", tracking=True, check_company=True, index=True
    )
    project_id = fields.Many2one("project.project", tracking=True, check_company=True, index=True)
    street = fields.Char()
    street2 = fields.Char()
    city = fields.Char()
    zip = fields.Char()
    state_id = fields.Many2one(
        "res.country.state", domain="[('country_id', '=?', country_id)]", ondelete="restrict"
    )
    country_id = fields.Many2one("res.country", ondelete="restrict")
    address = fields.Char(compute="_compute_address", store=True, help="One-line address.")
    street_key = fields.Char(
        compute="_compute_street_key",
        store=True,
        index=True,
        help="The street lines as platforms' addresses are compared with them: case, "
        "punctuation and spacing ignored, suffixes, directions and unit designators "
        "in one form (100 n main st # 5).",
    )
    latitude = fields.Float(digits=(10, 7), tracking=True)
    longitude = fields.Float(digits=(10, 7), tracking=True)
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        tracking=True,
        help="Zone the site's photos are taken in: a camera time that carries no offset, "
        "from a device that sent no zone and with no GPS time, is read in it (else in the "
        "company's zone).",
    )
    boundary_geojson = fields.Text(
        string="Boundary (GeoJSON)",
        help="GeoJSON Polygon or MultiPolygon of the site, [longitude, latitude] "
        "positions in WGS 84. Self-intersecting outlines are repaired on save.",
    )
    area_m2 = fields.Float(
        string="Area (m²)", compute="_compute_area_m2", store=True, digits=(16, 1)
    )
    area_ids = fields.One2many("construction.site.area", "site_id", string="Areas")
    photo_ids = fields.One2many("construction.photo", "site_id", string="Photos")
    defect_ids = fields.One2many("construction.defect", "site_id", string="Defects")
    share_link_ids = fields.One2many("construction.share.link", "site_id", string="Share Links")
    photo_count = fields.Integer(compute="_compute_counts")
    defect_count = fields.Integer(compute="_compute_counts")
    review_count = fields.Integer(
        compute="_compute_counts", help="Photos and defects waiting for review."
    )
    client_response = fields.Selection(
        ANSWERS,
        string="Client Communication",
        readonly=True,
        index=True,
        copy=False,
        help="The client's last answer on the share page: acknowledged, approved the "
        "scope shown, or asked a question. Separate from estimate approval.",
    )
    client_response_by = fields.Char(
        string="Answered By", readonly=True, copy=False, help="Name the client gave."
    )
    client_response_at = fields.Datetime(string="Answered At", readonly=True, copy=False)
    site_plan = fields.Html(compute="_compute_site_plan", sanitize=False)
    note = fields.Html()

    @api.depends("street", "street2", "zip", "city", "state_id", "country_id")
    def _compute_address(self):
        for site in self:
            locality = " ".join(filter(None, [site.zip, site.city]))
            site.address = ", ".join(
                filter(
                    None,
                    [site.street, site.street2, locality, site.state_id.code, site.country_id.code],
                )
            )

    @api.depends("street", "street2")
    def _compute_street_key(self):
        for site in self:
            site.street_key = normalize_street(f"{site.street or ''} {site.street2 or ''}") or False

    @api.depends("boundary_geojson")
    def _compute_area_m2(self):
        for site in self:
            shape = site._boundary_shape()
            site.area_m2 = geometry.area_m2(shape) if shape is not None else 0.0

    def _compute_counts(self):
        photos = dict(
            self.env["construction.photo"]._read_group(
                [("site_id", "in", self.ids)], ["site_id"], ["__count"]
            )
        )
        defects = dict(
            self.env["construction.defect"]._read_group(
                [("site_id", "in", self.ids)], ["site_id"], ["__count"]
            )
        )
        review = {}
        for model in ("construction.photo", "construction.defect"):
            for site, count in self.env[model]._read_group(
                [("site_id", "in", self.ids), ("state", "=", "needs_review")],
                ["site_id"],
                ["__count"],
            ):
                review[site] = review.get(site, 0) + count
        for site in self:
            site.photo_count = photos.get(site, 0)
            site.defect_count = defects.get(site, 0)
            site.review_count = review.get(site, 0)

    @api.depends(
        "boundary_geojson",
        "area_ids.name",
        "area_ids.outline_geojson",
        "defect_ids.latitude",
        "defect_ids.longitude",
    )
    def _compute_site_plan(self):
        for site in self:
            site.site_plan = site._site_plan_svg()

    def _site_plan_svg(self, defects=None):
        """SVG of the boundary and its areas with a numbered marker per
        located defect (numbered in the order of ``defects``, by default the
        site's)."""
        self.ensure_one()
        defects = (
            self.defect_ids.filtered(lambda d: d.state != "rejected")
            if defects is None
            else defects
        )
        markers = [
            (defect.latitude, defect.longitude, defect.display_name, defect.severity)
            for defect in defects
            if defect.latitude or defect.longitude
        ]
        areas = [(area._outline(), area.name) for area in self.area_ids]
        return render_svg(self._boundary_shape(), markers, areas=areas)

    # ------------------------------------------------------------------
    # Sharing (client page and site condition report)
    # ------------------------------------------------------------------

    def _shared_photos(self):
        """Photos a client may see: the accepted ones of this site."""
        self.ensure_one()
        return self.photo_ids.filtered(lambda photo: photo.state == "accepted")

    def _shared_defects(self):
        self.ensure_one()
        return self.defect_ids.filtered(lambda defect: defect.state in SHARED_DEFECT_STATES).sorted(
            "id"
        )

    def _share_values(self):
        """What the share page and the report show: per defect, its photos
        by stage (before, during, after...), and the numbered site plan."""
        self.ensure_one()
        photos = self._shared_photos()
        defects = self._shared_defects()
        # Before, during and after side by side, filled or not, and any
        # other stage the photos have.
        stages = (
            self.env["construction.photo.stage"].search([("code", "in", SIDE_BY_SIDE_STAGES)])
            | photos.stage_id
        ).sorted()
        rows = []
        for number, defect in enumerate(defects, start=1):
            own = defect.photo_ids & photos
            rows.append(
                {
                    "number": number,
                    "defect": defect,
                    "stages": [
                        (stage, own.filtered(lambda photo, stage=stage: photo.stage_id == stage))
                        for stage in stages
                    ],
                }
            )
        return {
            "site": self,
            "rows": rows,
            "stages": stages,
            "other_photos": photos - defects.photo_ids,
            "site_plan": Markup(self._site_plan_svg(defects)),
        }

    # ------------------------------------------------------------------
    # Geometry
    # ------------------------------------------------------------------

    def _boundary_shape(self):
        """The boundary as a shapely geometry, or None."""
        self.ensure_one()
        if not self.boundary_geojson:
            return None
        with evidence_errors():
            return geometry.parse_boundary(self.boundary_geojson)[0]

    @api.constrains("boundary_geojson")
    def _check_areas_inside(self):
        """A boundary redrawn keeps every area of the site inside it."""
        self.area_ids._check_outline()

    def _normalize_vals(self, vals):
        vals = dict(vals)
        for name in ADDRESS_FIELDS:
            if vals.get(name):
                vals[name] = normalize_line(vals[name])
        if vals.get("zip"):
            vals["zip"] = vals["zip"].upper()
        if vals.get("boundary_geojson"):
            with evidence_errors():
                shape, text, _repaired = geometry.parse_boundary(vals["boundary_geojson"])
            vals["boundary_geojson"] = text
            if not vals.get("latitude") and not vals.get("longitude"):
                point = shape.representative_point()
                vals.setdefault("latitude", point.y)
                vals.setdefault("longitude", point.x)
        if vals.get("latitude") or vals.get("longitude"):
            with evidence_errors():
                check_coordinates(vals.get("latitude", 0.0), vals.get("longitude", 0.0))
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._normalize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._normalize_vals(vals))

    def _locate(self, latitude, longitude):
        """``(inside, distance_m)`` of a point for this site: inside its
        boundary and the distance to the boundary line, or, without a
        boundary, ``(None, distance to the site's point)``."""
        self.ensure_one()
        shape = self._boundary_shape()
        if shape is not None:
            with evidence_errors():
                return geometry.locate(shape, latitude, longitude)
        if self.latitude or self.longitude:
            return None, geometry.haversine_m(self.latitude, self.longitude, latitude, longitude)
        return None, None

    @api.model
    def _from_reference(self, site_id):
        """The site of id ``site_id`` among those the user may see; another
        company's site is as unknown as one that does not exist."""
        try:
            number = int(site_id)
        except (TypeError, ValueError):
            number = 0
        # an id beyond PostgreSQL's integer names no site (found by fuzzing: a 500)
        site = self.search([("id", "=", number)]) if 0 < number < 2**31 else self.browse()
        if not site:
            raise EvidenceValidationError(
                "unknown_site", self.env._("Site %(site)s does not exist.", site=site_id)
            )
        return site

    @api.model
    def _find_nearest(self, latitude, longitude, max_distance_m=500.0, limit=1):
        """The sites nearest a point, nearest first, at most ``max_distance_m``
        away (a point inside a boundary is at distance 0).

        Returns a list of ``(site, distance_m)``, ``limit`` long at most.
        Sites without position are ignored.
        """
        with evidence_errors():
            check_coordinates(latitude, longitude)
        # Sites span a few hundred metres: a box padded by 5 km cannot miss
        # one whose boundary comes within max_distance_m.
        min_lat, max_lat, min_lon, max_lon = geometry.degree_box(
            latitude, longitude, max_distance_m + 5000
        )
        candidates = self.search(
            [
                ("latitude", ">=", min_lat),
                ("latitude", "<=", max_lat),
                ("longitude", ">=", min_lon),
                ("longitude", "<=", max_lon),
            ]
        )
        found = []
        for site in candidates:
            inside, distance = site._locate(latitude, longitude)
            distance = 0.0 if inside else distance
            if distance is not None and distance <= max_distance_m:
                found.append((site, distance))
        found.sort(key=lambda pair: (pair[1], pair[0].id))
        return found[:limit]

    # ------------------------------------------------------------------
    # Platforms (site.upserted)
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``site.upserted``: the site bound to the platform's
        project id, created the first time and updated afterwards; an older
        version arriving late changes nothing."""
        data = event._payload()
        return self.env["construction.sync.resolver"]._upsert(
            event,
            self._name,
            data["external_id"],
            self._match_steps(data, event.company_id),
            lambda site: dict(self._prepare_sync_vals(data), company_id=event.company_id.id),
        )

    def _construction_master_fields(self):
        return {
            "name",
            "active",
            "partner_id",
            "project_id",
            "street",
            "city",
            "zip",
            "country_id",
            "latitude",
            "longitude",
        }

    def _construction_master_codes(self):
        return ["site.upserted"]

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name,
            "customer": self.partner_id.name or None,
            "project": self.project_id.name or None,
            "street": self.street or None,
            "city": self.city or None,
            "zip": self.zip or None,
            "country": self.country_id.code or None,
            "latitude": self.latitude or None,
            "longitude": self.longitude or None,
            "active": self.active,
        }

    @api.model
    def _match_steps(self, data, company):
        """How a platform's project finds the site the office may have made
        before it (see the resolver's ``_match``): by the property's name,
        then its normalized street address (city and postal code agreeing
        where both sides have one), then its position within the configured
        radius. Active sites of ``company`` only."""
        domain = [("company_id", "=", company.id)]

        def by_name():
            wanted = normalize_line(data.get("name") or "")
            if not wanted:
                return self.browse()
            return self.search([*domain, ("name", "=ilike", like_literal(wanted))])

        def by_address():
            street = normalize_street(f"{data.get('street') or ''} {data.get('street2') or ''}")
            if not street:
                return self.browse()
            return self.search([*domain, ("street_key", "=", street)]).filtered(
                lambda site: (
                    same_locality(site.zip, data.get("zip"))
                    and same_locality(site.city, data.get("city"))
                )
            )

        def by_position():
            if data.get("latitude") is None or data.get("longitude") is None:
                return self.browse()
            radius = float(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("construction_field_evidence.site_match_radius_m", SITE_MATCH_RADIUS_M)
            )
            nearest = self.with_company(company)._find_nearest(
                data["latitude"], data["longitude"], radius, limit=10
            )
            return self.browse([site.id for site, _distance in nearest]).filtered_domain(domain)

        return [
            (self.env._("property name"), by_name),
            (self.env._("address"), by_address),
            (self.env._("position"), by_position),
        ]

    @api.model
    def _prepare_sync_vals(self, data):
        country = self.env["res.country"]
        if data.get("country"):
            country = country.search(
                [
                    "|",
                    ("code", "=ilike", like_literal(data["country"])),
                    ("name", "=ilike", like_literal(data["country"])),
                ],
                limit=1,
            )
        state = self.env["res.country.state"]
        if data.get("state"):
            state = state.search(
                [
                    "|",
                    ("code", "=ilike", like_literal(data["state"])),
                    ("name", "=ilike", like_literal(data["state"])),
                    *([("country_id", "=", country.id)] if country else []),
                ],
                limit=1,
            )
        vals = {
            "name": data["name"],
            "street": data.get("street") or False,
            "street2": data.get("street2") or False,
            "city": data.get("city") or False,
            "zip": data.get("zip") or False,
            "country_id": (country or state.country_id).id,
            "state_id": state.id,
            "active": data.get("active", True),
        }
        if data.get("latitude") is not None and data.get("longitude") is not None:
            vals.update(latitude=data["latitude"], longitude=data["longitude"])
        if data.get("boundary"):
            vals["boundary_geojson"] = json.dumps(data["boundary"])
        return vals

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _action_open(self, model, name):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            f"construction_field_evidence.{model.replace('.', '_')}_action"
        )
        action.update(
            {
                "name": name,
                "domain": [("site_id", "in", self.ids)],
                "context": {"default_site_id": self.id},
            }
        )
        return action

    def action_open_photos(self):
        return self._action_open("construction.photo", self.env._("Photos"))

    def action_open_defects(self):
        return self._action_open("construction.defect", self.env._("Defects"))

    def action_share(self):
        """Create a share link for the client and show its URL, once."""
        self.ensure_one()
        _link, url = self.env["construction.share.link"]._issue({"site_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share with the client"),
            "res_model": "construction.share.link.show",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_url": url},
        }
