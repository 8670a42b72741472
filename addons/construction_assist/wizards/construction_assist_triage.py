from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import match
from ..models.construction_sync_event import REFERENCE_MODELS

# How a record of each model may be named by a field system: its name and
# its codes (badge, barcode, serial number).
CANDIDATE_FIELDS = {
    "hr.employee": ("name", ("barcode", "identification_id", "pin")),
    "maintenance.equipment": ("name", ("serial_no",)),
    "project.project": ("name", ()),
    "project.task": ("name", ()),
    "product.product": ("name", ("default_code", "barcode")),
    "uom.uom": ("name", ()),
}


class ConstructionAssistTriage(models.TransientModel):
    """One group of events to review that share a cause: the system, the
    error and the reference no binding resolves; with the fix proposed for
    the whole group."""

    _name = "construction.assist.triage"
    _description = "Events to Review by Cause"
    _order = "event_count desc, id"

    system_id = fields.Many2one("construction.sync.system", readonly=True)
    error_code = fields.Char(readonly=True)
    pointer = fields.Char("Missing Reference At", readonly=True)
    reference = fields.Char("Written As", readonly=True)
    event_ids = fields.Many2many("construction.sync.event", string="Events", readonly=True)
    event_count = fields.Integer("Count", readonly=True)
    cause = fields.Char(readonly=True)
    fix_record = fields.Reference(
        [(model, model) for model in REFERENCE_MODELS.values()],
        "Bind To",
        help="The record the reference names: proposed by the assist, yours to change.",
    )
    proposed_record = fields.Char(readonly=True)
    confidence = fields.Float(readonly=True)
    reason = fields.Char(readonly=True)

    @api.model
    def action_open(self):
        """Group the events to review that the user may see, then show the
        groups, largest first."""
        groups = self._build(
            self.env["construction.sync.event"].search([("state", "in", ["needs_review", "dead"])])
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Triage"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("id", "in", groups.ids)],
        }

    @api.model
    def _build(self, events):
        by_cause = defaultdict(lambda: self.env["construction.sync.event"])
        for event in events:
            pointer = event._assist_pointer() if event.error_code == "unknown_reference" else ""
            key = pointer.removeprefix("/payload/")
            reference = str(event._payload().get(key, "")) if key in REFERENCE_MODELS else ""
            cause = "" if reference else (event.error_message or "").split(":")[0][:120]
            by_cause[event.system_id, event.error_code or "", pointer, reference, cause] |= event
        vals_list = []
        for (system, code, pointer, reference, cause), grouped in by_cause.items():
            vals = {
                "system_id": system.id,
                "error_code": code,
                "pointer": pointer,
                "reference": reference,
                "cause": cause,
                "event_ids": [fields.Command.set(grouped.ids)],
                "event_count": len(grouped),
            }
            if reference:
                vals.update(self._propose(system, pointer.removeprefix("/payload/"), reference))
            vals_list.append(vals)
        return self.create(vals_list)

    @api.model
    def _propose(self, system, key, reference):
        """The record ``reference`` most likely names, with why."""
        model = REFERENCE_MODELS[key]
        company = system.company_id
        if model == "construction.cost.code":
            suggestions = self.env["construction.assist.model"]._suggest(
                company, [{"description": reference}], k=1
            )[0]
            if not suggestions:
                return {}
            code, confidence, reason = suggestions[0]
            record, score = code, confidence
        else:
            name_field, code_fields = CANDIDATE_FIELDS[model]
            # Badges are HR officers' to read: compared here, never shown
            # (the reason names the code the event itself carries).
            Model = self.env[model].sudo()
            domain = (
                [("company_id", "in", [company.id, False])] if "company_id" in Model._fields else []
            )
            fields_read = [name_field, *(f for f in code_fields if f in Model._fields)]
            candidates = [
                (row["id"], row[name_field], [row[f] for f in fields_read[1:] if row[f]])
                for row in Model.search_read(domain, fields_read, limit=5000)
            ]
            ranked = match.rank(reference, candidates)
            if not ranked or ranked[0][0] < 0.6:
                return {}
            score, record_id, reason = ranked[0]
            record = self.env[model].browse(record_id)
        return {
            "fix_record": f"{model},{record.id}",
            "proposed_record": f"{model},{record.id}",
            "confidence": score,
            "reason": reason,
        }

    def action_apply(self):
        """Bind the reference to the chosen record for the group's system,
        then replay every event of the group."""
        self.ensure_one()
        if not self.fix_record:
            raise UserError(self.env._("Choose the record the reference names first."))
        record = self.fix_record
        self.env["construction.sync.binding"].create(
            {
                "system_id": self.system_id.id,
                "res_model": record._name,
                "res_id": record.id,
                "external_id": self.reference,
            }
        )
        proposed = self.proposed_record == f"{record._name},{record.id}"
        self.env["construction.assist.decision"].sudo().create(
            {
                "company_id": self.system_id.company_id.id,
                "kind": "fix",
                "source": "triage",
                "text": f"{self.reference} → {record.display_name}",
                "reason": self.reason,
                "confidence": self.confidence,
                "state": "accepted" if proposed else "overridden",
                "decided_by_id": self.env.user.id,
                "decided_at": fields.Datetime.now(),
                "hit": 1.0 if proposed else 0.0,
                "hit_top3": 1.0 if proposed else 0.0,
            }
        )
        events = self.event_ids.filtered(lambda e: e.state in ("needs_review", "dead"))
        events.action_replay()
        self.unlink()
        return self.action_open()
