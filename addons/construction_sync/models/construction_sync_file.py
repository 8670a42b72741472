from odoo import api, fields, models

FILE_STATES = [("done", "Imported"), ("failed", "Failed")]


class ConstructionSyncFile(models.Model):
    """A file a file source took: its content's SHA-256 (a file is imported
    once, whatever its name), what it gave, or why it gave nothing."""

    _name = "construction.sync.file"
    _description = "Imported File"
    _order = "id desc"
    _check_company_auto = True

    source_id = fields.Many2one(
        "construction.sync.file.source", required=True, index=True, ondelete="cascade"
    )
    system_id = fields.Many2one(related="source_id.system_id", store=True, index=True)
    company_id = fields.Many2one(related="source_id.company_id", store=True, index=True)
    name = fields.Char("File Name", required=True, readonly=True)
    sha256 = fields.Char("SHA-256", required=True, readonly=True)
    size = fields.Integer(readonly=True)
    state = fields.Selection(FILE_STATES, required=True, readonly=True)
    error = fields.Text(readonly=True)
    exchange_id = fields.Many2one(
        "construction.sync.exchange", readonly=True, ondelete="set null", index="btree_not_null"
    )
    event_count = fields.Integer("Events", readonly=True)
    res_model = fields.Char("Made Model", readonly=True)
    res_id = fields.Many2oneReference("Made Record", model_field="res_model", readonly=True)
    result_name = fields.Char("Made", compute="_compute_result_name")

    _sql_constraints = [
        (
            "sha256_uniq",
            "unique (source_id, sha256)",
            "A file source imports the same content once.",
        ),
    ]

    @api.depends("res_model", "res_id")
    def _compute_result_name(self):
        for record in self:
            made = record.res_model and record.env[record.res_model].browse(record.res_id).exists()
            record.result_name = made.display_name if made else False

    def action_open_result(self):
        self.ensure_one()
        if self.res_model:
            return {
                "type": "ir.actions.act_window",
                "res_model": self.res_model,
                "res_id": self.res_id,
                "view_mode": "form",
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "construction.sync.event",
            "view_mode": "list,form",
            "domain": [("exchange_id", "=", self.exchange_id.id)],
        }
