from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Who put a project on legal hold, when and why: set by a Sync Manager only.
LEGAL_HOLD_FIELDS = {
    "construction_legal_hold",
    "construction_legal_hold_reason",
    "construction_legal_hold_by_id",
    "construction_legal_hold_at",
}


class ProjectProject(models.Model):
    _name = "project.project"
    _inherit = ["project.project", "construction.sync.master.mixin"]

    construction_event_count = fields.Integer(
        "Sync Events",
        compute="_compute_construction_event_count",
        groups="construction_sync.group_construction_sync_controller,"
        "construction_sync.group_construction_sync_manager",
    )
    construction_event_review_count = fields.Integer(
        "Events to Review",
        compute="_compute_construction_event_count",
        groups="construction_sync.group_construction_sync_controller,"
        "construction_sync.group_construction_sync_manager",
    )

    construction_legal_hold = fields.Boolean(
        "Legal Hold",
        readonly=True,
        copy=False,
        tracking=True,
        help="The retention purge keeps every record of a project on legal hold (its "
        "events, deliveries, links, variances, photos' renditions and share links), "
        "whatever its age, until a Sync Manager lifts the hold.",
    )
    construction_legal_hold_reason = fields.Text(
        "Legal Hold Reason", readonly=True, copy=False, tracking=True
    )
    construction_legal_hold_by_id = fields.Many2one(
        "res.users", "Legal Hold Set By", readonly=True, copy=False, tracking=True
    )
    construction_legal_hold_at = fields.Datetime("Legal Hold Since", readonly=True, copy=False)

    def write(self, vals):
        if LEGAL_HOLD_FIELDS & vals.keys():
            self._check_legal_hold_right()
        return super().write(vals)

    def _check_legal_hold_right(self):
        if not self.env.su and not self.env.user.has_group(
            "construction_sync.group_construction_sync_manager"
        ):
            raise AccessError(
                self.env._("Only a Sync Manager places or lifts a legal hold on a project.")
            )

    def action_construction_place_legal_hold(self):
        """Ask why, then keep every record of the project from the retention purge."""
        self.ensure_one()
        self._check_legal_hold_right()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Place Legal Hold"),
            "res_model": "construction.legal.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_project_id": self.id},
        }

    def _construction_place_legal_hold(self, reason):
        """Keep every record of these projects from the retention purge,
        saying who did it, when and why (tracked in the chatter). A Sync
        Manager need not manage projects to do it: the hold is written as
        superuser once the right is checked."""
        self._check_legal_hold_right()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the project is put on legal hold."))
        self.filtered(lambda project: not project.construction_legal_hold).sudo().write(
            {
                "construction_legal_hold": True,
                "construction_legal_hold_reason": reason,
                "construction_legal_hold_by_id": self.env.uid,
                "construction_legal_hold_at": fields.Datetime.now(),
            }
        )

    def action_construction_lift_legal_hold(self):
        """Let the retention purge reach these projects' records again."""
        self._check_legal_hold_right()
        self.filtered("construction_legal_hold").sudo().write(
            {
                "construction_legal_hold": False,
                "construction_legal_hold_reason": False,
                "construction_legal_hold_by_id": False,
                "construction_legal_hold_at": False,
            }
        )
        return True

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the project's exact name."""
        return self.search([("name", "=", reference), ("company_id", "in", [company.id, False])])

    def _construction_event_ids(self):
        """Ids of the events naming these projects, per project: events name a
        project by the sending system's external id, found through its
        binding (as the field KPIs do). Record rules apply on the search that
        follows, so a user counts only the events they may read."""
        if not self.ids:
            return {}
        # One query for every project: the payload's project reference is
        # JSON, which the ORM cannot join on a binding.
        self.env.cr.execute(
            """
            SELECT b.res_id, array_agg(e.id)
              FROM construction_sync_event e
              JOIN construction_sync_binding b
                ON b.system_id = e.system_id
               AND b.res_model = 'project.project'
               AND b.external_id = e.payload::jsonb ->> 'project'
             WHERE b.res_id IN %s
             GROUP BY b.res_id
            """,
            [tuple(self.ids)],
        )
        return dict(self.env.cr.fetchall())

    def _compute_construction_event_count(self):
        event_ids = self._construction_event_ids()
        Event = self.env["construction.sync.event"]
        readable = Event.search([("id", "in", [i for ids in event_ids.values() for i in ids])])
        for project in self:
            ids = set(event_ids.get(project.id, ()))
            events = readable.filtered(lambda event, ids=ids: event.id in ids)
            project.construction_event_count = len(events)
            project.construction_event_review_count = len(
                events.filtered(lambda event: event.state in ("needs_review", "dead"))
            )

    def action_construction_open_events(self):
        """The sync events about this project, those to review first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_sync.construction_sync_event_action"
        )
        action["domain"] = [("id", "in", self._construction_event_ids().get(self.id, []))]
        if self.construction_event_review_count:
            action["context"] = {"search_default_needs_review": 1, "search_default_dead": 1}
        return action

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``project.upserted``: the project bound to the
        system's id, else the one of that exact name, updated; else a new
        one. Its customer is the system's customer reference, resolved like
        every reference (binding, then VAT number or e-mail)."""
        data = event._payload()
        Resolver = self.env["construction.sync.resolver"]
        company = event.company_id

        def by_name():
            return self.search([("name", "=", data["name"]), ("company_id", "=", company.id)])

        def prepare(project):
            vals = self._construction_master_vals(data, {}, project, company)
            if data.get("customer"):
                vals["partner_id"] = Resolver._resolve(
                    event.system_id,
                    "res.partner",
                    data["customer"],
                    "/payload/customer",
                    natural=True,
                ).id
            return vals

        return Resolver._upsert(
            event, self._name, data["external_id"], [(self.env._("name"), by_name)], prepare
        )

    def _construction_master_fields(self):
        return {"name", "partner_id", "active"}

    def _construction_master_codes(self):
        return ["project.upserted"]

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name,
            "customer": self.partner_id.name or None,
            "active": self.active,
        }
