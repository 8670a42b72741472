from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class PayApplicationPortal(CustomerPortal):
    """The client's pay applications: read as the portal user (the record
    rules show a client its own, once certified), decided on here."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "pay_application_count" in counters:
            PayApplication = request.env["construction.pay.application"]
            values["pay_application_count"] = (
                PayApplication.search_count([]) if PayApplication.has_access("read") else 0
            )
        return values

    def _pay_application(self, application_id):
        application = request.env["construction.pay.application"].browse(application_id).exists()
        try:
            application.check_access("read")
        except AccessError:
            return None
        return application or None

    @http.route("/my/pay_applications", type="http", auth="user", website=True)
    def portal_my_pay_applications(self, **kw):
        values = self._prepare_portal_layout_values()
        PayApplication = request.env["construction.pay.application"]
        applications = (
            PayApplication.search([]) if PayApplication.has_access("read") else PayApplication
        )
        values.update({"applications": applications.sudo(), "page_name": "pay_applications"})
        return request.render("construction_billing.portal_my_pay_applications", values)

    @http.route("/my/pay_applications/<int:application_id>", type="http", auth="user", website=True)
    def portal_pay_application(self, application_id, error=None, **kw):
        application = self._pay_application(application_id)
        if application is None:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        # Read as the portal user above; shown with what it refers to.
        values.update(
            {"application": application.sudo(), "page_name": "pay_application", "error": error}
        )
        return request.render("construction_billing.portal_pay_application", values)

    @http.route(
        "/my/pay_applications/<int:application_id>/decide",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_pay_application_decide(self, application_id, decision=None, reason=None, **kw):
        application = self._pay_application(application_id)
        if application is None:
            raise request.not_found()
        name = request.env.user.name
        try:
            # The client has no write access: its decision is applied by the
            # application's own methods once its right to see it is checked.
            if decision == "approve":
                application.sudo()._client_approve(name)
            elif decision == "reject":
                application.sudo()._client_reject(name, reason)
            else:
                raise request.not_found()
        except UserError as error:
            return self.portal_pay_application(application_id, error=str(error))
        return request.redirect(f"/my/pay_applications/{application_id}")
