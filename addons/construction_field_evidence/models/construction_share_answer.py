from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.text import clean_notes

# What a client may answer on the share page, and what it makes of the
# site's client communication flag.
ANSWERS = [
    ("acknowledged", "Acknowledged"),
    ("approved", "Scope Approved"),
    ("question", "Question Asked"),
]
MAX_NAME_LENGTH = 100
MAX_MESSAGE_LENGTH = 2000
# Answers one link takes within RATE_WINDOW: a client answers a few times,
# a script posting through a leaked link is stopped.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=10)


class AnswerRateLimited(UserError):
    """Too many answers through one link lately (the page answers 429)."""


class ConstructionShareAnswer(models.Model):
    """A client's answer on the share page: who, what, when, through which
    link. Written by the share page only; the office reads it."""

    _name = "construction.share.answer"
    _description = "Client Answer"
    _order = "create_date desc, id desc"
    _rec_name = "client_name"

    link_id = fields.Many2one(
        "construction.share.link", required=True, index=True, ondelete="cascade", readonly=True
    )
    site_id = fields.Many2one(related="link_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True, index=True)
    answer = fields.Selection(ANSWERS, required=True, readonly=True)
    client_name = fields.Char(string="Name", required=True, readonly=True)
    message = fields.Text(readonly=True)

    @api.model
    def _clean(self, answer, client_name, message):
        """The answer's values from what the client typed, or a UserError
        saying what to change."""
        labels = dict(ANSWERS)
        if answer not in labels:
            raise UserError(self.env._("Choose an answer."))
        client_name = " ".join((client_name or "").split())
        message = clean_notes(message or "") or ""
        if not client_name:
            raise UserError(self.env._("Give your name, so the office knows who answered."))
        if len(client_name) > MAX_NAME_LENGTH:
            raise UserError(
                self.env._("A name has at most %(count)s characters.", count=MAX_NAME_LENGTH)
            )
        if len(message) > MAX_MESSAGE_LENGTH:
            raise UserError(
                self.env._("A message has at most %(count)s characters.", count=MAX_MESSAGE_LENGTH)
            )
        if answer == "question" and not message:
            raise UserError(self.env._("Write your question."))
        return {"answer": answer, "client_name": client_name, "message": message or False}

    @api.model
    def _record(self, link, answer, client_name, message):
        """Record a client's answer through ``link`` (a valid link, sudo):
        the answer, the site's client communication flag and a note on the
        site's chatter with the name and the time. Raises UserError on bad
        input or when the link answered too often lately."""
        vals = self._clean(answer, client_name, message)
        since = fields.Datetime.now() - RATE_WINDOW
        recent = self.sudo().search_count([("link_id", "=", link.id), ("create_date", ">", since)])
        if recent >= RATE_LIMIT:
            raise AnswerRateLimited(
                self.env._(
                    "This page took %(count)s answers in the last %(minutes)s minutes; "
                    "try again later.",
                    count=recent,
                    minutes=int(RATE_WINDOW.total_seconds() // 60),
                )
            )
        record = self.sudo().create(dict(vals, link_id=link.id))
        site = link.site_id.sudo()
        site.write(
            {
                "client_response": record.answer,
                "client_response_by": record.client_name,
                "client_response_at": record.create_date,
            }
        )
        label = dict(self._fields["answer"]._description_selection(self.env))[record.answer]
        # Markup's % escapes what the client typed.
        body = Markup("<p>%s</p>") % self.env._(
            "Client answer through share link #%(link)s: %(answer)s, by %(name)s at %(time)s UTC.",
            link=link.id,
            answer=label,
            name=record.client_name,
            time=record.create_date,
        )
        if record.message:
            body += Markup("<blockquote>%s</blockquote>") % record.message
        site.message_post(body=body, subtype_xmlid="mail.mt_note")
        return record
