from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..exceptions import check_review_vals, check_reviewer, evidence_errors
from ..lib.exif import check_coordinates
from ..lib.text import clean_notes
from .construction_defect_annotation import OVERLAY_DEPENDS

STATES = [
    ("new", "New"),
    ("needs_review", "Needs Review"),
    ("confirmed", "Confirmed"),
    ("estimated", "Estimated"),
    ("scheduled", "Scheduled"),
    ("repaired", "Repaired"),
    ("verified", "Verified"),
    ("rejected", "Rejected"),
]
# state -> the states it may be reached from through the buttons.
TRANSITIONS = {
    "needs_review": {"new", "rejected"},
    "confirmed": {"new", "needs_review"},
    "estimated": {"confirmed"},
    "scheduled": {"estimated"},
    "repaired": {"scheduled"},
    "verified": {"repaired"},
    "rejected": {"new", "needs_review", "confirmed", "estimated", "scheduled"},
}
# A defect a person confirmed and that is not repaired yet: it may get its repair task.
REPAIRABLE_STATES = {"confirmed", "estimated", "scheduled"}
CLOSED_TASK_STATES = {"1_done", "1_canceled"}
REVIEWED_STATES = {"confirmed", "estimated", "scheduled", "repaired", "verified"}
# What the review decides: written by reviewers only (and by the routing of
# a new detection, which the model does itself).
REVIEW_FIELDS = {"state", "reject_reason", "reviewer_id", "review_reason"}
SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
SOURCES = [("ai", "AI Detection"), ("crew", "Field Crew"), ("office", "Office")]
MEASURES = [("area", "Area"), ("length", "Length"), ("count", "Count"), ("stalls", "Stalls")]


class ConstructionDefect(models.Model):
    _name = "construction.defect"
    _description = "Site Defect"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True, copy=False, readonly=True, default=lambda self: self.env._("New")
    )
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
        readonly=False,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="set null",
        domain="[('site_id', '=', site_id)]",
        help="The part of the site the defect is in: the area its position falls in, "
        "else the one its photos share, or the one the platform named.",
    )
    category_id = fields.Many2one(
        "construction.defect.category", index=True, tracking=True, check_company=True
    )
    detected_label = fields.Char(
        readonly=True, help="Label the detector or the field app sent, as it was sent."
    )
    severity = fields.Selection(SEVERITIES, default="medium", required=True, tracking=True)
    priority = fields.Selection(PRIORITIES, default="0", tracking=True)
    source = fields.Selection(SOURCES, default="office", required=True)
    source_system_id = fields.Many2one(
        "construction.sync.system",
        check_company=True,
        index=True,
        readonly=True,
        ondelete="restrict",
        help="External system that reported the defect through the field API; "
        "its service user reaches the defects of its own system only.",
    )
    confidence = fields.Float(digits=(3, 2), help="Detector confidence, 0 to 1.")
    model_name = fields.Char(string="Detection Model")
    model_version = fields.Char()
    review_reason = fields.Char(
        readonly=True, help="Why the detection was routed to the review queue."
    )
    reviewer_id = fields.Many2one(
        "res.users", readonly=True, copy=False, help="Person who confirmed the defect."
    )
    photo_ids = fields.Many2many(
        "construction.photo",
        "construction_defect_photo_rel",
        "defect_id",
        "photo_id",
        string="Photos",
        check_company=True,
    )
    # Computed as the reader: a platform sees no cover of another system's photo.
    cover_photo_id = fields.Many2one(
        "construction.photo", compute="_compute_cover_photo_id", compute_sudo=False
    )
    cover_thumbnail = fields.Binary(
        string="Cover", compute="_compute_cover_photo_id", compute_sudo=False
    )
    annotation_ids = fields.One2many(
        "construction.defect.annotation", "defect_id", string="Annotations"
    )
    # Computed as the reader, like the cover: its own photos only.
    box_overlay = fields.Json(
        string="Photos with Boxes", compute="_compute_box_overlay", compute_sudo=False
    )
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
    quantity = fields.Float(digits="Product Unit of Measure", tracking=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", tracking=True)
    measure = fields.Selection(MEASURES, compute="_compute_measure", store=True)
    category_quantity = fields.Float(
        compute="_compute_category_quantity",
        digits="Product Unit of Measure",
        help="The measured quantity in the category's default unit.",
    )
    notes = fields.Text(string="Crew Notes")
    state = fields.Selection(
        STATES, default="new", required=True, index=True, tracking=True, copy=False
    )
    reject_reason = fields.Text(tracking=True, copy=False)
    task_id = fields.Many2one(
        "project.task",
        string="Repair Task",
        check_company=True,
        copy=False,
        index=True,
        tracking=True,
        help="The project task that repairs this defect (Create Repair Task); it is done "
        "only once this defect has its after photo.",
    )
    missing_stage_ids = fields.Many2many(
        "construction.photo.stage",
        string="Missing Stages",
        compute="_compute_missing_stage_ids",
        help="Stages its category requires with no photo yet (a rejected photo does not "
        "count); the defect is verified only once none is missing.",
    )

    @api.depends("photo_ids")
    def _compute_cover_photo_id(self):
        for defect in self:
            cover = defect.photo_ids._filtered_access("read")[:1]
            defect.cover_photo_id = cover
            defect.cover_thumbnail = cover.image_thumbnail

    @api.depends("photo_ids", "category_id", "confidence", *OVERLAY_DEPENDS)
    def _compute_box_overlay(self):
        for defect in self:
            defect.box_overlay = defect.annotation_ids._overlay(
                defect.photo_ids._origin._filtered_access("read")
            )

    @api.depends("site_id.area_ids.outline_geojson", "latitude", "longitude", "photo_ids.area_id")
    def _compute_area_id(self):
        def photos_area(defect):
            areas = defect.photo_ids.area_id.filtered(lambda area: area.site_id == defect.site_id)
            return areas if len(areas) == 1 else None

        self.env["construction.site.area"]._assign_by_position(
            self, lambda defect: bool(defect.latitude or defect.longitude), photos_area
        )

    @api.depends("uom_id")
    def _compute_measure(self):
        stall = self.env.ref(
            "construction_field_evidence.uom_parking_stall", raise_if_not_found=False
        )
        kinds = {
            self.env.ref("uom.uom_categ_surface"): "area",
            self.env.ref("uom.uom_categ_length"): "length",
            self.env.ref("uom.product_uom_categ_unit"): "count",
        }
        for defect in self:
            if stall and defect.uom_id == stall:
                defect.measure = "stalls"
            else:
                defect.measure = kinds.get(defect.uom_id.category_id, False)

    @api.depends("quantity", "uom_id", "category_id.uom_id")
    def _compute_category_quantity(self):
        for defect in self:
            target = defect.category_id.uom_id
            if defect.uom_id and target and defect.uom_id.category_id == target.category_id:
                defect.category_quantity = defect.uom_id._compute_quantity(
                    defect.quantity, target, round=False
                )
            else:
                defect.category_quantity = defect.quantity

    @api.onchange("category_id")
    def _onchange_category_id(self):
        if self.category_id.uom_id and not self.uom_id:
            self.uom_id = self.category_id.uom_id

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("uom_id", "category_id")
    def _check_unit(self):
        for defect in self:
            expected = defect.category_id.uom_id
            if defect.uom_id and expected and defect.uom_id.category_id != expected.category_id:
                raise ValidationError(
                    self.env._(
                        "%(category)s is measured as %(kind)s (e.g. %(unit)s); "
                        "%(given)s cannot be converted to it.",
                        category=defect.category_id.name,
                        kind=expected.category_id.name,
                        unit=expected.name,
                        given=defect.uom_id.name,
                    )
                )

    @api.constrains("quantity", "confidence")
    def _check_ranges(self):
        for defect in self:
            if defect.quantity < 0:
                raise ValidationError(self.env._("A measured quantity cannot be negative."))
            if not 0 <= defect.confidence <= 1:
                raise ValidationError(
                    self.env._(
                        "Confidence is between 0 and 1, not %(value)s.", value=defect.confidence
                    )
                )

    @api.constrains("state", "reviewer_id", "category_id", "confidence", "source")
    def _check_reviewed(self):
        """A detection the review queue holds is confirmed by a person only."""
        for defect in self.filtered(lambda d: d.state in REVIEWED_STATES):
            if not defect.category_id:
                raise ValidationError(
                    self.env._("Choose the category of %(defect)s first.", defect=defect.name)
                )
            if defect.source == "ai" and defect._review_reason() and not defect.reviewer_id:
                raise ValidationError(
                    self.env._(
                        "%(defect)s must be confirmed by a reviewer: %(reason)s",
                        defect=defect.name,
                        reason=defect._review_reason(),
                    )
                )

    @api.depends("category_id.verify_stage_ids", "photo_ids.stage_id", "photo_ids.state")
    def _compute_missing_stage_ids(self):
        for defect in self:
            defect.missing_stage_ids = defect.category_id.verify_stage_ids - defect._stages_shown()

    def _stages_shown(self):
        """The stages of this defect's photos that are not rejected."""
        return self.photo_ids.filtered(lambda p: p.state != "rejected").stage_id

    def _missing_repair_stages(self):
        """The photo stages the repair of this defect still lacks: those its
        category's verification asks for, and the after photo always."""
        self.ensure_one()
        after = self.env.ref("construction_field_evidence.photo_stage_after")
        return self.missing_stage_ids | (after - self._stages_shown())

    @api.constrains("state", "photo_ids", "category_id")
    def _check_verification_photos(self):
        for defect in self.filtered(lambda d: d.state == "verified"):
            missing = defect._missing_repair_stages()
            if missing:
                raise ValidationError(
                    self.env._(
                        "%(defect)s cannot be verified without a photo of stage %(stages)s.",
                        defect=defect.name,
                        stages=", ".join(missing.mapped("name")),
                    )
                )

    def _review_reason(self):
        """Why this detection needs a person, or an empty string."""
        self.ensure_one()
        if self.source != "ai":
            return ""
        return self._detection_review_reason(self.category_id, self.detected_label, self.confidence)

    @api.model
    def _detection_review_reason(self, category, label, confidence):
        if not category:
            return self.env._("unknown label %(label)r", label=label or "")
        if confidence < category.confidence_threshold:
            return self.env._(
                "confidence %(confidence).2f is below the %(category)s threshold %(threshold).2f",
                confidence=confidence,
                category=category.name,
                threshold=category.confidence_threshold,
            )
        return ""

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _prepare_vals(self, vals):
        check_review_vals(self, vals, REVIEW_FIELDS)
        if "photo_ids" in vals:
            self.env["construction.photo"]._check_known(vals["photo_ids"])
        vals = dict(vals)
        if vals.get("notes"):
            vals["notes"] = clean_notes(vals["notes"])
        if "latitude" in vals or "longitude" in vals:
            with evidence_errors():
                check_coordinates(vals.get("latitude", 0.0), vals.get("longitude", 0.0))
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        Category = self.env["construction.defect.category"]
        new_name = self.env._("New")
        prepared = []
        for vals in vals_list:
            vals = self._prepare_vals(vals)
            if not vals.get("category_id") and vals.get("detected_label"):
                vals["category_id"] = Category._resolve_label(vals["detected_label"]).id
            if vals.get("source") == "ai" and vals.get("state", "new") == "new":
                vals.update(self._route_detection(vals))
            if vals.get("name", new_name) == new_name:
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("construction.defect")
            prepared.append(vals)
        return super().create(prepared)

    def write(self, vals):
        vals = self._prepare_vals(vals)
        return super().write(vals)

    @api.model
    def _route_detection(self, vals):
        """Values routing a new AI detection: a sure detection of a known
        category is confirmed, any other waits in the review queue."""
        category = self.env["construction.defect.category"].browse(vals.get("category_id"))
        reason = self._detection_review_reason(
            category, vals.get("detected_label"), vals.get("confidence", 0.0)
        )
        routed = {"state": "needs_review" if reason else "confirmed", "review_reason": reason}
        if category.uom_id and not vals.get("uom_id"):
            routed["uom_id"] = category.uom_id.id
        return routed

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _move_to(self, state, extra=None):
        labels = dict(STATES)
        check_reviewer(
            self.env, self.env._("move defects to %(state)s", state=labels[state].lower())
        )
        wrong = self.filtered(lambda defect: defect.state not in TRANSITIONS[state])
        if wrong:
            raise UserError(
                self.env._(
                    "%(defect)s is %(state)s and cannot become %(target)s.",
                    defect=wrong[0].name,
                    state=labels[wrong[0].state],
                    target=labels[state],
                )
            )
        self.write(dict(extra or {}, state=state))

    def action_submit(self):
        self._move_to("needs_review")

    def action_confirm(self):
        self._move_to("confirmed", {"reviewer_id": self.env.user.id, "reject_reason": False})

    def action_estimate(self):
        unmeasured = self.filtered(lambda defect: not defect.quantity or not defect.uom_id)
        if unmeasured:
            raise UserError(
                self.env._(
                    "Measure %(defect)s (quantity and unit) before estimating it.",
                    defect=unmeasured[0].name,
                )
            )
        self._move_to("estimated")

    def action_schedule(self):
        """Scheduled for repair: each defect of a site with a project gets
        its repair task first."""
        self.filtered(
            lambda defect: not defect.task_id and defect.project_id
        ).action_create_repair_tasks()
        self._move_to("scheduled")

    def action_create_repair_tasks(self):
        """Repair tasks on each defect's project for the defects that have
        none: one per defect, or one per area of a site (the company's
        Repair Tasks setting), an open task of the same area taking the new
        defects in. Returns the tasks."""
        check_reviewer(self.env, self.env._("create repair tasks"))
        labels = dict(STATES)
        for defect in self:
            if defect.state not in REPAIRABLE_STATES:
                raise UserError(
                    self.env._(
                        "%(defect)s is %(state)s: only a confirmed defect gets a repair task.",
                        defect=defect.name,
                        state=labels[defect.state],
                    )
                )
            if not defect.project_id:
                raise UserError(
                    self.env._(
                        "Set the project of site %(site)s before creating the repair task of "
                        "%(defect)s.",
                        site=defect.site_id.name or self.env._("(none)"),
                        defect=defect.name,
                    )
                )
        Task = self.env["project.task"]
        pending = self.filtered(lambda defect: not defect.task_id)
        per_area = pending.filtered(
            lambda defect: defect.company_id.construction_repair_task_grouping == "area"
        )
        singles = pending - per_area
        created = Task.create(
            [
                defect._prepare_repair_task_vals(
                    " ".join(
                        filter(None, [defect.name, defect.category_id.name, defect.area_id.name])
                    )
                )
                for defect in singles
            ]
        )
        for defect, task in zip(singles, created, strict=True):
            defect.task_id = task
        tasks = created
        groups = {}
        for defect in per_area:
            groups.setdefault((defect.project_id, defect.site_id, defect.area_id), defect)
            groups[defect.project_id, defect.site_id, defect.area_id] |= defect
        for (project, site, area), defects in groups.items():
            task = Task.search(
                [
                    ("project_id", "=", project.id),
                    ("state", "not in", list(CLOSED_TASK_STATES)),
                    ("construction_defect_ids.site_id", "=", site.id),
                    ("construction_defect_ids.area_id", "=", area.id),
                ],
                limit=1,
            )
            if not task:
                place = f"{site.name}, {area.name}" if area else site.name
                task = Task.create(defects[:1]._prepare_repair_task_vals(place))
            defects.task_id = task
            tasks |= task
        return tasks

    def _prepare_repair_task_vals(self, subject):
        self.ensure_one()
        return {
            "name": self.env._("Repair: %(subject)s", subject=subject),
            "project_id": self.project_id.id,
            "partner_id": self.site_id.partner_id.id,
            "company_id": self.company_id.id,
        }

    def action_open_repair_task(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "project.task",
            "res_id": self.task_id.id,
            "view_mode": "form",
        }

    def action_repair(self):
        self._move_to("repaired")

    def action_verify(self):
        self._move_to("verified")

    def action_reject(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the defect is rejected."))
        self._move_to("rejected", {"reject_reason": reason.strip()})

    def action_correct_category(self, category):
        """A reviewer's correction: the right category, then confirmed."""
        check_reviewer(self.env, self.env._("correct the category of a defect"))
        self.write({"category_id": category.id, "uom_id": category.uom_id.id or False})
        self.action_confirm()

    def action_open_review_wizard(self):
        return self.env["construction.review.wizard"]._open_for(self)

    def action_open_correct_wizard(self):
        """The review decision, set to correcting the category."""
        return self.env["construction.review.wizard"]._open_for(self, "correct")

    def action_open_reject_wizard(self):
        """The review decision, set to rejecting the detection."""
        return self.env["construction.review.wizard"]._open_for(self, "reject")

    def _quantity_in(self, uom):
        """The measured quantity expressed in ``uom`` (same kind of unit)."""
        self.ensure_one()
        return self.uom_id._compute_quantity(self.quantity, uom, round=False)
