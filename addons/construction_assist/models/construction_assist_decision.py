from odoo import api, fields, models
from odoo.exceptions import UserError

KINDS = [
    ("cost_code", "Cost Code Suggestion"),
    ("anomaly", "Anomaly Flag"),
    ("fix", "Triage Fix"),
]
STATES = [
    ("open", "Open"),
    ("accepted", "Accepted"),
    ("overridden", "Overridden"),
]


class ConstructionAssistDecision(models.Model):
    """What the assist proposed, how sure it was, and what a person did
    with it: the trail of every suggestion and flag, and its accuracy."""

    _name = "construction.assist.decision"
    _description = "Assist Suggestion or Flag"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(KINDS, required=True, index=True)
    state = fields.Selection(STATES, required=True, default="open", index=True)
    event_id = fields.Many2one(
        "construction.sync.event", index="btree_not_null", ondelete="cascade", check_company=True
    )
    category_id = fields.Many2one(
        "construction.defect.category",
        "Defect Category",
        index="btree_not_null",
        ondelete="cascade",
        help="The defect category priced without a cost code that the suggestion is for.",
    )
    source = fields.Char(help="Where it was shown: events to review, import preview, triage.")
    text = fields.Char("Judged", help="The line or figure judged, as it arrived.")
    reason = fields.Char(help="Why: the similar past lines, or the comparison with the history.")
    confidence = fields.Float(help="The confidence of the first proposal (0 to 1).")
    code_1_id = fields.Many2one("construction.cost.code", "Suggestion 1")
    confidence_1 = fields.Float()
    code_2_id = fields.Many2one("construction.cost.code", "Suggestion 2")
    confidence_2 = fields.Float()
    code_3_id = fields.Many2one("construction.cost.code", "Suggestion 3")
    confidence_3 = fields.Float()
    chosen_code_id = fields.Many2one(
        "construction.cost.code", "Cost Code Chosen", readonly=True, index="btree_not_null"
    )
    other_code_id = fields.Many2one(
        "construction.cost.code",
        "Other Cost Code",
        help="None of the suggestions fits: choose the code, then Use Other Code.",
    )
    remember = fields.Boolean(
        "Remember as Value Map",
        help="Accepting also maps this text to the cost code for the system, so the "
        "next line written the same way resolves by itself.",
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    hit = fields.Float(
        "Right First Time",
        aggregator="avg",
        readonly=True,
        help="1 when the first proposal was what the person chose (or a flag they "
        "confirmed), 0 when they chose otherwise; averaged, the accuracy.",
    )
    hit_top3 = fields.Float("In Top 3", aggregator="avg", readonly=True)

    @api.model
    def _record_suggestions(self, company, source, text, suggestions, event=None):
        """Log the suggestions shown for ``text`` (``[(code, confidence,
        reason)]``, best first) as an open decision."""
        vals = {
            "company_id": company.id,
            "kind": "cost_code",
            "source": source,
            "text": text,
            "event_id": event.id if event else False,
        }
        for rank, (code, confidence, reason) in enumerate(suggestions[:3], start=1):
            vals[f"code_{rank}_id"] = code.id
            vals[f"confidence_{rank}"] = confidence
            if rank == 1:
                vals.update(confidence=confidence, reason=reason)
        return self.sudo().create(vals)

    def _decide(self, right, chosen_code=None):
        """Record the person's decision: ``right`` when they took the first
        proposal (or confirmed the flag); ``chosen_code`` the code chosen.
        Accepted when they took any of the proposals, else overridden."""
        for decision in self:
            if decision.state != "open":
                raise UserError(self.env._("This was decided already."))
            top3 = decision.code_1_id | decision.code_2_id | decision.code_3_id
            in_top3 = right or bool(chosen_code and chosen_code in top3)
            decision.sudo().write(
                {
                    "state": "accepted" if in_top3 else "overridden",
                    "decided_by_id": self.env.user.id,
                    "decided_at": fields.Datetime.now(),
                    "chosen_code_id": chosen_code.id if chosen_code else False,
                    "hit": 1.0 if right else 0.0,
                    "hit_top3": 1.0 if in_top3 else 0.0,
                }
            )

    def action_accept(self):
        """Accept suggestion ``assist_rank`` (1 to 3, from the button's
        context). For an event waiting for review, its payload takes the
        code (or a value map when asked), then the event is replayed; for an
        event posted without a cost code, its lines take the code; for a
        defect category, the code becomes the category's, which its priced
        lines carry."""
        self.ensure_one()
        rank = self.env.context.get("assist_rank", 1)
        code = self.other_code_id if rank == "other" else self[f"code_{rank}_id"]
        if not code or not (self.event_id or self.category_id):
            raise UserError(self.env._("There is no such suggestion to accept."))
        # an event's suggestion is a change to the inbox: theirs who may change it
        if self.event_id:
            self.event_id.check_access("write")
        posted = self.event_id.state == "done"
        if posted:
            self.event_id._assist_code_posted_lines(code)
        elif self.event_id:
            self.event_id._assist_use_cost_code(code, self.remember)
        else:
            self.category_id.cost_code_id = code
        self._decide(code == self.code_1_id, code)
        if self.event_id and not posted:
            self.event_id.action_replay()
        return True
