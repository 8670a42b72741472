from odoo import Command, models


class ConstructionDefect(models.Model):
    _inherit = "construction.defect"

    def action_verify(self):
        """A verified repair proposes its share of the schedule line that
        bills it, with its after photos as evidence."""
        result = super().action_verify()
        self._propose_billing_progress()
        return result

    def _propose_billing_progress(self):
        after = self.env.ref("construction_field_evidence.photo_stage_after")
        Progress = self.env["construction.billing.progress"].sudo()
        Markup = self.env["construction.billing.markup"].sudo()
        vals_list = []
        for defect in self.sudo():
            photos = defect.photo_ids.filtered(
                lambda photo: photo.stage_id == after and photo.state != "rejected"
            )
            for line in defect.estimate_line_ids.filtered("sale_line_id"):
                markups = Markup._percents(line.company_id)
                vals_list.append(
                    {
                        "sale_line_id": line.sale_line_id.id,
                        "basis": "amount",
                        "amount": line.currency_id.round(
                            line._billing_price(markups) / len(line.defect_ids)
                        ),
                        "source": "defect",
                        "defect_id": defect.id,
                        "photo_ids": [Command.set(photos.ids)],
                        "note": self.env._("Repair of %s verified.", defect.display_name),
                    }
                )
        return Progress.create(vals_list)
