import re

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

SYSTEM_KINDS = [
    ("field_evidence", "Field Evidence"),
    ("timekeeping", "Timekeeping"),
    ("equipment", "Equipment Telematics"),
    ("estimating", "Estimating"),
    ("procurement", "Procurement"),
    ("accounting", "Accounting"),
    ("other", "Other"),
]


class ConstructionSyncSystem(models.Model):
    _name = "construction.sync.system"
    _description = "External System"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short technical name the platform is known by in payloads and "
        "logs, e.g. fieldcam or hcss_heavyjob.",
    )
    sequence = fields.Integer(default=10)
    kind = fields.Selection(SYSTEM_KINDS, required=True, default="other", tracking=True)
    base_url = fields.Char(string="Base URL", tracking=True)
    owner_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        tracking=True,
        help="Person who answers for this integration: failures are assigned to them.",
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, required=True, index=True
    )
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Html()

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "A system code must be unique per company.",
        ),
    ]

    @api.constrains("code")
    def _check_code(self):
        for system in self:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", system.code):
                raise ValidationError(
                    self.env._(
                        "System code %(code)r may only hold lowercase letters, digits, "
                        "'-' and '_', e.g. fieldcam.",
                        code=system.code,
                    )
                )

    @api.constrains("base_url")
    def _check_base_url(self):
        for system in self.filtered("base_url"):
            if not system.base_url.startswith(("https://", "http://")):
                raise ValidationError(
                    self.env._(
                        "Base URL %(url)r of %(system)s must start with https:// or http://.",
                        url=system.base_url,
                        system=system.name,
                    )
                )
