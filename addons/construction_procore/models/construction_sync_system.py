from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.construction_sync.lib.vendor_http import VendorError
from odoo.addons.queue_job.job import identity_exact

from ..lib import procore

ENVIRONMENTS = [("production", "Production"), ("sandbox", "Sandbox")]


class ConstructionSyncSystem(models.Model):
    _inherit = "construction.sync.system"

    platform = fields.Selection(
        selection_add=[("procore", "Procore")], ondelete={"procore": "set default"}
    )
    procore_environment = fields.Selection(
        ENVIRONMENTS,
        default="production",
        help="Production and sandbox are separate Procore environments, each with its "
        "own API and login address and its own OAuth credentials.",
    )
    procore_login_url = fields.Char(
        "Procore Login URL",
        help="Where access tokens are asked for (POST /oauth/token).",
    )
    procore_company_id = fields.Char(
        "Procore Company ID",
        help="Sent as the Procore-Company-Id header on every call.",
    )
    procore_client_id = fields.Char(
        "Procore Client ID",
        groups="base.group_system",
        copy=False,
        help="Client ID of the Procore service account (client credentials); its "
        "client secret is the system's Credentials.",
    )
    procore_access_token = fields.Char(groups="base.group_system", copy=False, readonly=True)
    procore_token_expires_at = fields.Datetime(
        groups="base.group_system", copy=False, readonly=True
    )
    procore_job_cost_pushed_at = fields.Datetime(
        "Job Cost Pushed At",
        readonly=True,
        copy=False,
        help="When the actual job cost was last pushed to Procore as direct costs; the "
        "next push sends the months with entries written since.",
    )
    procore_match_ids = fields.One2many(
        "construction.procore.match", "system_id", "Procore Projects and Vendors"
    )

    @api.model_create_multi
    def create(self, vals_list):
        """A Procore system reaches the environment chosen unless told
        otherwise; it is procurement by kind (its change orders and
        commitments), labor is granted by an administrator."""
        for vals in vals_list:
            if vals.get("platform") == "procore":
                vals.setdefault("kind", "procurement")
                urls = (
                    procore.SANDBOX
                    if vals.get("procore_environment") == "sandbox"
                    else procore.PRODUCTION
                )
                vals.setdefault("base_url", urls["api"])
                vals.setdefault("procore_login_url", urls["login"])
        return super().create(vals_list)

    def write(self, vals):
        """A login address changed by someone who may not set credentials
        would receive the client secret: it is cleared, as for the Base URL."""
        moved = self.browse()
        if "procore_login_url" in vals and not (
            self.env.su or self.env.user.has_group("base.group_system")
        ):
            moved = self.filtered(
                lambda system: system.procore_login_url != vals["procore_login_url"]
            )
        result = super().write(vals)
        moved._forget_credentials()
        if {"procore_login_url", "procore_environment", "base_url", "api_token"} & vals.keys():
            self.sudo().write({"procore_access_token": False, "procore_token_expires_at": False})
        return result

    @api.onchange("platform", "procore_environment")
    def _onchange_procore_environment(self):
        if self.platform == "procore":
            urls = procore.SANDBOX if self.procore_environment == "sandbox" else procore.PRODUCTION
            self.kind = self.kind if self.kind != "other" else "procurement"
            self.base_url = urls["api"]
            self.procore_login_url = urls["login"]

    def action_open_procore_matches(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Procore Projects and Vendors"),
            "res_model": "construction.procore.match",
            "view_mode": "list,form",
            "domain": [("system_id", "=", self.id)],
            "context": {"default_system_id": self.id, "search_default_unmatched": 1},
        }

    # ------------------------------------------------------------------
    # Out: cost codes
    # ------------------------------------------------------------------

    @api.model
    def _procore_push_cost_codes(self, cost_codes):
        """Queue the push of ``cost_codes`` to every active Procore system
        that may read them: their company's, every one for a shared code."""
        if not cost_codes:
            return
        systems = self.sudo().search([("platform", "=", "procore")])
        for system in systems:
            codes = cost_codes.filtered(
                lambda code, system=system: code.company_id in (system.company_id, code.browse())
            )
            if codes:
                # one push per system and codes while it waits: a code is
                # published several times in the transaction that changes it
                system.with_delay(
                    identity_key=identity_exact,
                    max_retries=system.max_attempts,
                    description=f"Push cost codes to {system.code}",
                )._job_procore_push_cost_codes(codes.sudo())

    def _job_procore_push_cost_codes(self, cost_codes):
        """Push ``cost_codes`` to Procore; a 429 or a 5xx is retried after
        the seconds Procore asked (Retry-After, X-Rate-Limit-Reset)."""
        self.ensure_one()
        try:
            return self._adapter()._push_cost_codes(self, cost_codes)
        except VendorError as error:
            raise self.env["construction.sync.exchange"]._job_error(error) from error

    # ------------------------------------------------------------------
    # Out: actual job cost
    # ------------------------------------------------------------------

    @api.model
    def _cron_procore_push_job_cost(self):
        """Queue the job cost push of every active Procore system."""
        for system in self.sudo().search([("platform", "=", "procore")]):
            system.with_delay(
                identity_key=identity_exact,
                max_retries=system.max_attempts,
                description=f"Push job cost to {system.code}",
            )._job_procore_push_job_cost()

    def _job_procore_push_job_cost(self):
        """Push the months whose job cost changed since the last push as
        Procore direct costs; retried as Procore asks on 429 and 5xx."""
        self.ensure_one()
        # Entries written by transactions still open when this one started
        # are caught by the next push: it overlaps this one a little, and a
        # month pushed again unchanged is left as it is.
        started = self.env.cr.now() - timedelta(minutes=5)
        try:
            result = self._adapter()._push_job_cost(self, self.procore_job_cost_pushed_at)
        except VendorError as error:
            raise self.env["construction.sync.exchange"]._job_error(error) from error
        self.sudo().procore_job_cost_pushed_at = started
        return result
