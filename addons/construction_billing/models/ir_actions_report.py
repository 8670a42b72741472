from odoo import api, models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _build_wkhtmltopdf_args(
        self, paperformat_id, landscape, specific_paperformat_args=None, set_viewport_size=False
    ):
        """The pay application's pages run no script: printing them waits for
        none (``report.print_delay``, a second by default, stays for the
        reports that draw with JavaScript)."""
        args = super()._build_wkhtmltopdf_args(
            paperformat_id, landscape, specific_paperformat_args, set_viewport_size
        )
        own = self.env.ref(
            "construction_billing.paperformat_pay_application", raise_if_not_found=False
        )
        if own and paperformat_id == own and "--javascript-delay" in args:
            args[args.index("--javascript-delay") + 1] = "0"
        return args
