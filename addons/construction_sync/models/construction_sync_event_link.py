from odoo import api, fields, models


class ConstructionSyncEventLink(models.Model):
    _name = "construction.sync.event.link"
    _description = "Record Produced by a Sync Event"
    _order = "id"

    event_id = fields.Many2one(
        "construction.sync.event", required=True, ondelete="cascade", index=True
    )
    correlation_id = fields.Char(related="event_id.correlation_id", store=True, index=True)
    res_model = fields.Char("Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="res_model", required=True, index=True
    )

    _sql_constraints = [
        (
            "record_uniq",
            "unique (event_id, res_model, res_id)",
            "A record is linked once to the event that produced it.",
        ),
    ]

    @api.depends("res_model", "res_id")
    def _compute_display_name(self):
        for link in self:
            record = self.env[link.res_model].browse(link.res_id).exists()
            link.display_name = record.display_name if record else f"{link.res_model},{link.res_id}"

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.model
    def _events_of(self, records):
        """The sync events that produced ``records``."""
        return self.search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        ).event_id
