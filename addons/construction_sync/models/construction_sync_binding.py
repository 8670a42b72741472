from odoo import api, fields, models


class ConstructionSyncBinding(models.Model):
    _name = "construction.sync.binding"
    _description = "External ID Binding"
    _order = "system_id, res_model, external_id"
    _rec_name = "external_id"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="system_id.company_id", store=True, index=True, precompute=True
    )
    res_model = fields.Char("Model", required=True, index=True)
    res_id = fields.Many2oneReference("Record ID", model_field="res_model", required=True)
    external_id = fields.Char("External ID", required=True)
    sync_hash = fields.Char(help="Hash of the last payload applied through this binding.")
    synced_at = fields.Datetime("Last Synced")
    source_occurred_at = fields.Datetime(
        "Fact Time",
        help="When the last fact applied through this binding happened in its "
        "system (UTC); an older event arriving later is skipped.",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique (system_id, res_model, external_id)",
            "An external ID is bound to one record per system and model.",
        ),
    ]

    @api.depends("res_model", "res_id", "external_id")
    def _compute_display_name(self):
        for binding in self:
            binding.display_name = f"{binding.system_id.code}:{binding.external_id}"

    def _record(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id).exists()
