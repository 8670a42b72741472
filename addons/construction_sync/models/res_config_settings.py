from odoo import fields, models

from .construction_sync_system import ALLOWED_HOSTS_PARAMETER


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    construction_cost_code_plan_id = fields.Many2one(
        "account.analytic.plan",
        string="Cost Codes Plan",
        default=lambda self: self.env["construction.cost.code"]._cost_code_plan(),
        readonly=True,
    )
    construction_cost_code_applicability = fields.Selection(
        related="construction_cost_code_plan_id.default_applicability",
        readonly=False,
        string="Cost Code on Entries",
    )
    construction_sync_retention_days = fields.Integer(
        string="Keep Applied Events (days)",
        config_parameter="construction_sync.event_retention_days",
        default=30,
    )
    construction_sync_delivery_retention_days = fields.Integer(
        string="Keep Sent Deliveries (days)",
        config_parameter="construction_sync.delivery_retention_days",
        default=90,
    )
    construction_sync_event_link_retention_days = fields.Integer(
        string="Keep Event Links (days)",
        config_parameter="construction_sync.event_link_retention_days",
        default=365,
    )
    construction_sync_variance_retention_days = fields.Integer(
        string="Keep Resolved Variances (days)",
        config_parameter="construction_sync.variance_retention_days",
        default=365,
    )
    construction_sync_max_batch_items = fields.Integer(
        string="Events per Batch",
        config_parameter="construction_sync.max_batch_items",
        default=500,
    )
    construction_sync_max_event_bytes = fields.Integer(
        string="Largest Event (bytes)",
        config_parameter="construction_sync.max_event_bytes",
        default=1048576,
    )
    construction_sync_outbound_allowed_hosts = fields.Char(
        string="Outbound Hosts Inside the Network",
        config_parameter=ALLOWED_HOSTS_PARAMETER,
        groups="base.group_system",
        help="Host names, addresses or networks (e.g. erp.lan, 10.20.0.0/16) that webhook "
        "and base URLs may reach although they are not public Internet addresses. "
        "Anything else inside the network is refused.",
    )

    construction_onboarding_system_count = fields.Integer(
        string="Connected Systems", compute="_compute_construction_onboarding"
    )
    construction_onboarding_cost_code_map_count = fields.Integer(
        string="Cost Code Maps", compute="_compute_construction_onboarding"
    )

    def _compute_construction_onboarding(self):
        """How far the first-run steps are: a system connected, its cost codes mapped."""
        systems = self.env["construction.sync.system"].search_count([])
        cost_code_maps = self.env["construction.sync.value.map"].search_count(
            [("kind", "=", "cost_code")]
        )
        for settings in self:
            settings.construction_onboarding_system_count = systems
            settings.construction_onboarding_cost_code_map_count = cost_code_maps
