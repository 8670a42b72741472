from werkzeug.exceptions import Forbidden, NotFound

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request


class SubcontractPortal(http.Controller):
    """A subcontractor's subcontracts and pay applications on the portal.

    A subcontractor reads and submits only what is its own (the orders of
    its commercial partner); it cannot change an application once approved.
    The records are read with sudo after that check, as Odoo's own portal
    pages do: portal users have no rights on these models.
    """

    def _orders(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["purchase.order"]
            .sudo()
            .search(
                [
                    ("construction_subcontract", "=", True),
                    ("state", "in", ("purchase", "done")),
                    ("partner_id", "child_of", partner.id),
                ],
                order="date_approve desc, id desc",
            )
        )

    def _order(self, order_id):
        order = self._orders().filtered(lambda order: order.id == order_id)
        if not order:
            raise NotFound()
        return order

    def _render(self, order, error=None, status=200):
        applications = order.construction_pay_application_ids.filtered(
            lambda app: app.state != "cancel"
        ).sorted("number")
        values = {
            "order": order,
            "applications": applications,
            "open_application": applications.filtered(
                lambda app: app.state in ("draft", "submitted")
            ),
            "lines": order._construction_schedule_lines(),
            "error": error,
            "page_name": "subcontract",
        }
        return request.render(
            "construction_subcontract.portal_my_subcontract", values, status=status
        )

    @http.route("/my/subcontracts", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_subcontracts(self, **_query):
        return request.render(
            "construction_subcontract.portal_my_subcontracts",
            {"orders": self._orders(), "page_name": "subcontracts"},
        )

    @http.route(
        "/my/subcontracts/<int:order_id>", type="http", auth="user", methods=["GET"], website=True
    )
    def portal_my_subcontract(self, order_id, **_query):
        return self._render(self._order(order_id))

    @http.route(
        "/my/subcontracts/<int:order_id>/pay-application",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_submit_pay_application(self, order_id, **post):
        """Progress to date per schedule line (``done_<line id>``) for the
        period ending ``period_end``: the open application of the
        subcontract, or a new one, is updated and submitted."""
        order = self._order(order_id)
        Application = request.env["construction.subcontract.pay.application"].sudo()
        application = Application.search(
            [("order_id", "=", order.id), ("state", "in", ("draft", "submitted"))], limit=1
        )
        return self._submit(order, application, post)

    @http.route(
        "/my/subcontracts/pay-applications/<int:application_id>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_update_pay_application(self, application_id, **post):
        """Change a pay application already sent: refused once approved."""
        application = (
            request.env["construction.subcontract.pay.application"].sudo().browse(application_id)
        )
        if not application.exists() or application.order_id not in self._orders():
            raise NotFound()
        if application.state not in ("draft", "submitted"):
            raise Forbidden()
        return self._submit(application.order_id, application, post)

    def _submit(self, order, application, post):
        lines = order._construction_schedule_lines()
        try:
            quantities, stored = (
                {
                    line: float(post[f"{prefix}_{line.id}"])
                    for line in lines
                    if post.get(f"{prefix}_{line.id}")
                }
                for prefix in ("done", "stored")
            )
            period_end = fields.Date.to_date(
                post.get("period_end") or fields.Date.context_today(application)
            )
        except ValueError:
            return self._render(order, request.env._("Enter numbers and a date."), 400)
        try:
            with request.env.cr.savepoint():
                if not application:
                    application = application.create({"order_id": order.id, "source": "portal"})
                application.period_end = period_end
                application._record_progress(
                    quantities, origin=request.env.user.name, stored=stored
                )
                if application.state == "draft":
                    application.action_submit()
        except (UserError, ValidationError) as error:
            return self._render(order, error.args[0], 400)
        return request.redirect(f"/my/subcontracts/{order.id}")
