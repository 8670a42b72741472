from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request


class PayApplicationPortal(CustomerPortal):
    """The client's pay applications, once certified and sent to it: found
    for the user's own commercial partner only (anything else is not
    found), and decided on here."""

    def _pay_application_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id), ("state", "!=", "draft")]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "pay_application_count" in counters:
            values["pay_application_count"] = (
                request.env["construction.pay.application"]
                .sudo()
                .search_count(self._pay_application_domain())
            )
        return values

    def _pay_application(self, application_id):
        """The user's own pay application ``application_id``, or nothing.

        Clients have no access rights on pay applications: what they see is
        read for them, after this check."""
        return (
            request.env["construction.pay.application"]
            .sudo()
            .search([("id", "=", application_id), *self._pay_application_domain()])
        )

    @http.route("/my/pay_applications", type="http", auth="user", website=True)
    def portal_my_pay_applications(self, **kw):
        values = self._prepare_portal_layout_values()
        applications = (
            request.env["construction.pay.application"]
            .sudo()
            .search(self._pay_application_domain())
        )
        values.update({"applications": applications, "page_name": "pay_applications"})
        return request.render("construction_billing.portal_my_pay_applications", values)

    @http.route("/my/pay_applications/<int:application_id>", type="http", auth="user", website=True)
    def portal_pay_application(self, application_id, error=None, **kw):
        application = self._pay_application(application_id)
        if not application:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({"application": application, "page_name": "pay_application", "error": error})
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
        if not application or decision not in ("approve", "reject"):
            raise request.not_found()
        name = request.env.user.name
        try:
            if decision == "approve":
                application._client_approve(name)
            else:
                application._client_reject(name, reason)
        except UserError as error:
            return self.portal_pay_application(application_id, error=str(error))
        return request.redirect(f"/my/pay_applications/{application_id}")
