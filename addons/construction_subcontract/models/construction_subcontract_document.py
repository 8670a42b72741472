from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Days before a certificate expires that its buyer is asked to renew it.
EXPIRY_NOTICE_DAYS = 30


class ConstructionSubcontractDocument(models.Model):
    _name = "construction.subcontract.document"
    _description = "Subcontractor Compliance Document"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, date_expiry desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    kind = fields.Selection(
        [("insurance", "Certificate of Insurance"), ("lien_waiver", "Lien Waiver")],
        required=True,
        default="insurance",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Subcontractor",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_company", "=", True)],
    )
    order_id = fields.Many2one(
        "purchase.order",
        "Subcontract",
        index="btree_not_null",
        check_company=True,
        domain=[("construction_subcontract", "=", True)],
        help="The subcontract this document is for; empty for all of the subcontractor's.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_start = fields.Date("Valid From", tracking=True)
    date_expiry = fields.Date("Expires On", tracking=True)
    waiver_condition = fields.Selection(
        [("conditional", "Conditional"), ("unconditional", "Unconditional")], tracking=True
    )
    waiver_scope = fields.Selection([("progress", "Progress"), ("final", "Final")], tracking=True)
    pay_application_id = fields.Many2one(
        "construction.subcontract.pay.application",
        "Payment",
        index="btree_not_null",
        check_company=True,
        help="The pay application whose payment this waiver covers.",
    )
    attachment = fields.Binary(attachment=True, required=True)
    attachment_name = fields.Char()
    expiry_notified = fields.Boolean(readonly=True, copy=False)

    @api.constrains("kind", "date_expiry", "waiver_condition", "waiver_scope", "order_id")
    def _check_kind(self):
        for document in self:
            if document.kind == "insurance" and not document.date_expiry:
                raise ValidationError(self.env._("A certificate of insurance has an expiry date."))
            if document.kind == "lien_waiver" and not (
                document.waiver_condition and document.waiver_scope and document.order_id
            ):
                raise ValidationError(
                    self.env._(
                        "A lien waiver says whether it is conditional, whether it is a "
                        "progress or the final waiver, and of which subcontract."
                    )
                )

    def write(self, vals):
        if "date_expiry" in vals:
            vals["expiry_notified"] = False
        return super().write(vals)

    @api.model
    def _valid_insurance(self, partner, on_date):
        """A certificate of insurance of ``partner`` valid on ``on_date``."""
        return self.sudo().search(
            [
                ("kind", "=", "insurance"),
                ("partner_id", "=", partner.commercial_partner_id.id),
                "|",
                ("date_start", "=", False),
                ("date_start", "<=", on_date),
                ("date_expiry", ">=", on_date),
            ],
            limit=1,
        )

    @api.model
    def _payment_waiver(self, application):
        """The unconditional waiver of the payment of ``application``."""
        return self.sudo().search(
            [
                ("kind", "=", "lien_waiver"),
                ("waiver_condition", "=", "unconditional"),
                ("order_id", "=", application.order_id.id),
                "|",
                ("pay_application_id", "=", application.id),
                ("waiver_scope", "=", "final"),
            ],
            limit=1,
        )

    @api.model
    def _final_waiver(self, order):
        """The final unconditional waiver of ``order``."""
        return self.sudo().search(
            [
                ("kind", "=", "lien_waiver"),
                ("waiver_condition", "=", "unconditional"),
                ("waiver_scope", "=", "final"),
                ("order_id", "=", order.id),
            ],
            limit=1,
        )

    @api.model
    def _cron_expiring_certificates(self):
        """An activity to the buyer of the subcontractor's open subcontracts
        for each certificate of insurance that expires within the notice."""
        today = fields.Date.context_today(self)
        documents = self.sudo().search(
            [
                ("kind", "=", "insurance"),
                ("expiry_notified", "=", False),
                ("date_expiry", ">=", today),
                ("date_expiry", "<=", today + timedelta(days=EXPIRY_NOTICE_DAYS)),
            ]
        )
        orders = (
            self.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("construction_subcontract", "=", True),
                    ("state", "in", ("purchase", "done")),
                    ("partner_id.commercial_partner_id", "in", documents.partner_id.ids),
                ]
            )
        )
        for document in documents:
            buyers = (
                orders.filtered(
                    lambda order, doc=document: (
                        order.partner_id.commercial_partner_id == doc.partner_id
                        and order.company_id == doc.company_id
                    )
                ).user_id
                or document.create_uid
            )
            for buyer in buyers:
                document.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=document.date_expiry,
                    user_id=buyer.id,
                    summary=self.env._("Certificate of insurance expires"),
                    note=self.env._(
                        "%(document)s of %(vendor)s expires on %(date)s: ask for the renewed "
                        "certificate, or its bills will not be paid.",
                        document=document.name,
                        vendor=document.partner_id.name,
                        date=document.date_expiry,
                    ),
                )
        documents.write({"expiry_notified": True})
