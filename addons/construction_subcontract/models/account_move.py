from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    construction_subcontract_application_id = fields.Many2one(
        "construction.subcontract.pay.application",
        "Subcontractor Pay Application",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    construction_retainage_order_id = fields.Many2one(
        "purchase.order",
        "Retainage Released Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    def _construction_payment_blockers(self, on_date):
        """Why these subcontract bills may not be paid on ``on_date``: a
        subcontractor without a certificate of insurance valid that day, or
        without the unconditional waiver of its previous payment (of its
        final one, for the retainage release)."""
        Document = self.env["construction.subcontract.document"]
        reasons = []
        for move in self:
            application = move.sudo().construction_subcontract_application_id
            order = application.order_id or move.sudo().construction_retainage_order_id
            if not order:
                continue
            vendor = order.partner_id.commercial_partner_id
            if order.construction_requires_insurance and not Document._valid_insurance(
                vendor, on_date
            ):
                reasons.append(
                    self.env._(
                        "%(bill)s: %(vendor)s has no certificate of insurance valid on %(date)s.",
                        bill=move.display_name,
                        vendor=vendor.name,
                        date=on_date,
                    )
                )
            if not order.construction_requires_lien_waivers:
                continue
            if application:
                previous = application._previous()
                if previous and not Document._payment_waiver(previous):
                    reasons.append(
                        self.env._(
                            "%(bill)s: %(vendor)s has not given the unconditional lien waiver "
                            "of the previous payment (%(previous)s).",
                            bill=move.display_name,
                            vendor=vendor.name,
                            previous=previous.name,
                        )
                    )
            elif not Document._final_waiver(order):
                reasons.append(
                    self.env._(
                        "%(bill)s: %(vendor)s has not given the final unconditional lien "
                        "waiver of %(order)s.",
                        bill=move.display_name,
                        vendor=vendor.name,
                        order=order.name,
                    )
                )
        return reasons
