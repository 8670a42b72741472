from odoo import api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError


class ConstructionSyncSystem(models.Model):
    _inherit = "construction.sync.system"

    platform = fields.Selection(
        selection_add=[("samsara", "Samsara")], ondelete={"samsara": "set default"}
    )
    samsara_timezone = fields.Selection(
        _tz_get,
        "Job Site Time Zone",
        default=lambda self: self.env.user.tz or "UTC",
        help="Engine hours are split at midnight in this time zone and booked on the "
        "local day they ran.",
    )
    samsara_gap_hours = fields.Float(
        "Gap Threshold (h)",
        default=12.0,
        help="No reading for longer than this while the engine-seconds meter moved: the "
        "hours cannot be placed on a day and go to review instead of to cost.",
    )
    samsara_asset_ids = fields.One2many("construction.samsara.asset", "system_id", "Samsara Assets")

    @api.constrains("samsara_gap_hours")
    def _check_samsara_gap_hours(self):
        for system in self.filtered(lambda system: system.platform == "samsara"):
            if system.samsara_gap_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "The gap threshold of %(system)s must be more than 0 hours.",
                        system=system.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """A Samsara system is equipment telematics unless said otherwise:
        its kind decides the event types it is granted by default."""
        for vals in vals_list:
            if vals.get("platform") == "samsara":
                vals.setdefault("kind", "equipment")
        return super().create(vals_list)

    @api.onchange("platform")
    def _onchange_platform_samsara(self):
        if self.platform == "samsara":
            self.kind = "equipment"
            self.base_url = self.base_url or "https://api.samsara.com"

    def action_open_samsara_assets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Samsara Assets"),
            "res_model": "construction.samsara.asset",
            "view_mode": "list,form",
            "domain": [("system_id", "=", self.id)],
            "context": {"default_system_id": self.id},
        }
