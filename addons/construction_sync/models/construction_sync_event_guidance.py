from odoo import api, fields, models

# Where a person fixes what stopped an event, per cause.
FIX_TARGETS = [
    ("binding", "Bindings"),
    ("lock", "Lock Dates"),
    ("system", "External System"),
    ("none", "Nothing to Fix"),
]


class ConstructionSyncEvent(models.Model):
    """What to do about an event that waits for a person, and where."""

    _inherit = "construction.sync.event"

    review_hint = fields.Text(
        "What to Do", compute="_compute_review_hint", help="The next step for a person."
    )
    fix_target = fields.Selection(FIX_TARGETS, compute="_compute_review_hint")

    @api.depends("state", "error_code", "error_locked_period")
    def _compute_review_hint(self):
        for event in self:
            event.review_hint, event.fix_target = event._review_guidance()

    def _review_guidance(self):
        """(hint, fix target) for this event; nothing when it needs no one."""
        self.ensure_one()
        if self.state not in ("needs_review", "dead") or not self.error_code:
            return False, False
        code = self.error_code
        if code == "unknown_reference":
            return self.env._(
                "Odoo does not know a reference this event names. Bind the system's id to "
                "its Odoo record (Bindings), or translate the value (Value Maps), then Replay."
            ), "binding"
        if code == "business_rule" and self.error_locked_period:
            return self.env._(
                "The event is dated in a locked accounting period. Have an adviser move the "
                "company's lock date (Lock Dates), or correct the date in the payload, then "
                "Replay."
            ), "lock"
        if code == "business_rule":
            return self.env._(
                "Odoo refused the change for the reason above. Correct the record it names, "
                "or the payload, then Replay."
            ), "none"
        if code == "access_denied":
            return self.env._(
                "The system may not touch a record this event needs. Grant it the event type "
                "or share the records on its Inbound tab (External System), then Replay."
            ), "system"
        if code == "out_of_order":
            return self.env._(
                "A newer fact about the same object was applied already: nothing to do. Replay "
                "only if this older fact must win."
            ), "none"
        if code in ("remote_rejected", "retries_exhausted", "job_failed"):
            return self.env._(
                "The exchange failed several times. Check the system's address and credentials "
                "with Test Connection (External System), then Replay."
            ), "system"
        return self.env._(
            "The platform sent something its adapter cannot read. Check the payload with the "
            "platform's owner (External System); Replay once it is corrected."
        ), "system"

    def action_open_fix(self):
        """Open the place where what stopped this event is fixed."""
        self.ensure_one()
        target = self.fix_target
        if target == "binding":
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "construction_sync.construction_sync_binding_action"
            )
            action["domain"] = [("system_id", "=", self.system_id.id)]
            action["context"] = {"default_system_id": self.system_id.id}
            return action
        if target == "lock":
            view = self.env.ref("construction_sync.res_company_view_form_lock_dates")
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Lock Dates"),
                "res_model": "res.company",
                "res_id": self.company_id.id,
                "view_mode": "form",
                "views": [(view.id, "form")],
                "target": "new",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.sync.system",
            "res_id": self.system_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_value_maps(self):
        """The value maps of this event's system (and those for every system)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "construction_sync.construction_sync_value_map_action"
        )
        action["domain"] = ["|", ("system_id", "=", self.system_id.id), ("system_id", "=", False)]
        action["context"] = {"default_system_id": self.system_id.id}
        return action
