import re
from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestSubcontractPortal(HttpCase, SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.subcontract_from_budget(4000)
        cls.other_order = cls.subcontract_from_budget(2000, partner=cls.other_subcontractor)
        cls.line = cls.order.order_line

    def page(self, order):
        return self.url_open(f"/my/subcontracts/{order.id}")

    def submit(self, url, csrf=True, **values):
        data = dict(values)
        if csrf:
            page = self.page(self.order)
            data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        return self.url_open(url, data=data, allow_redirects=False)

    def test_a_subcontractor_sees_only_its_own_subcontracts(self):
        self.authenticate("subk_portal", "subk_portal")
        listing = self.url_open("/my/subcontracts")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.order.name, listing.text)
        self.assertNotIn(self.other_order.name, listing.text)
        self.assertEqual(self.page(self.order).status_code, 200)
        self.assertEqual(self.page(self.other_order).status_code, 404)
        self.assertEqual(self.url_open("/my/subcontracts/999999999").status_code, 404)

    def test_a_link_with_a_mail_clients_tracking_parameters_opens_quietly(self):
        self.authenticate("subk_portal", "subk_portal")
        query = "?utm_source=newsletter&fbclid=IwAR0"
        with self.assertNoLogs("odoo.http", "WARNING"):
            listing = self.url_open(f"/my/subcontracts{query}")
            page = self.url_open(f"/my/subcontracts/{self.order.id}{query}")
        self.assertEqual((listing.status_code, page.status_code), (200, 200))
        self.assertIn(self.order.name, page.text)

    def test_an_anonymous_visitor_is_sent_to_log_in(self):
        response = self.url_open(f"/my/subcontracts/{self.order.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_a_subcontractor_submits_and_revises_its_progress_on_the_portal(self):
        self.authenticate("subk_portal", "subk_portal")
        url = f"/my/subcontracts/{self.order.id}/pay-application"
        response = self.submit(url, **{f"done_{self.line.id}": "1000", "period_end": "2026-12-31"})
        self.assertEqual(response.status_code, 303, response.text)
        application = self.order.construction_pay_application_ids
        self.assertEqual((application.source, application.state), ("portal", "submitted"))
        self.assertEqual(application.line_ids.completed_quantity, 1000)
        self.assertEqual(application.period_end, date(2026, 12, 31))
        revised = self.submit(
            f"/my/subcontracts/pay-applications/{application.id}",
            **{f"done_{self.line.id}": "1500", "state": "approved"},
        )
        self.assertEqual(revised.status_code, 303)
        self.assertEqual(self.order.construction_pay_application_ids, application)
        self.assertEqual(application.line_ids.completed_quantity, 1500)
        self.assertEqual(application.state, "submitted", "the portal cannot approve")
        self.assertIn("1,500.00", self.page(self.order).text)

    def test_an_approved_application_cannot_be_changed_on_the_portal(self):
        application = self.PayApp.create({"order_id": self.order.id, "period_end": self.today})
        application.line_ids.completed_quantity = 1000
        self.daily_log(self.today)
        application.with_user(self.buyer_controller).action_approve()
        self.authenticate("subk_portal", "subk_portal")
        response = self.submit(
            f"/my/subcontracts/pay-applications/{application.id}",
            **{f"done_{self.line.id}": "4000"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(application.line_ids.completed_quantity, 1000)

    def test_another_subcontractor_can_neither_read_nor_submit_mine(self):
        application = self.PayApp.create({"order_id": self.order.id, "period_end": self.today})
        self.authenticate("subk_portal_other", "subk_portal_other")
        page = self.url_open(f"/my/subcontracts/{self.other_order.id}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        for url in (
            f"/my/subcontracts/{self.order.id}/pay-application",
            f"/my/subcontracts/pay-applications/{application.id}",
        ):
            with self.subTest(url=url):
                response = self.url_open(
                    url,
                    data={"csrf_token": token, f"done_{self.line.id}": "4000"},
                    allow_redirects=False,
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(application.line_ids.completed_quantity, 0)

    def test_progress_beyond_the_subcontract_is_refused_with_the_reason_and_nothing_kept(self):
        self.authenticate("subk_portal", "subk_portal")
        response = self.submit(
            f"/my/subcontracts/{self.order.id}/pay-application",
            **{f"done_{self.line.id}": "4500"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("more than the 4000", response.text)
        self.assertFalse(self.order.construction_pay_application_ids)
        garbage = self.submit(
            f"/my/subcontracts/{self.order.id}/pay-application",
            **{f"done_{self.line.id}": "lots"},
        )
        self.assertEqual(garbage.status_code, 400)
        self.assertFalse(self.order.construction_pay_application_ids)

    def test_a_post_without_its_csrf_token_is_refused(self):
        self.authenticate("subk_portal", "subk_portal")
        response = self.submit(
            f"/my/subcontracts/{self.order.id}/pay-application",
            csrf=False,
            **{f"done_{self.line.id}": "1000"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.order.construction_pay_application_ids)

    def test_a_subcontractor_sees_the_lines_its_change_order_added_the_other_does_not(self):
        change = self.env["construction.change.order"].create(
            {
                "title": "Added crosswalk",
                "budget_id": self.budget.id,
                "reason": "City's request",
                "subcontract_id": self.order.id,
                "line_ids": [
                    Command.create(
                        {
                            "cost_code_id": self.code_paving.id,
                            "amount_delta": 750,
                            "description": "Crosswalk",
                        }
                    )
                ],
            }
        )
        change.action_submit()
        change.with_user(self.users["controller"]).action_approve()
        self.authenticate("subk_portal", "subk_portal")
        page = self.page(self.order).text
        self.assertIn(f"{change.name}: Crosswalk", page)
        self.assertIn(f"done_{self.order.order_line[-1].id}", page, "progress is entered on it")
        self.authenticate("subk_portal_other", "subk_portal_other")
        self.assertEqual(self.page(self.order).status_code, 404)

    def test_a_subcontractor_enters_materials_presently_stored_on_the_portal(self):
        self.authenticate("subk_portal", "subk_portal")
        response = self.submit(
            f"/my/subcontracts/{self.order.id}/pay-application",
            **{f"done_{self.line.id}": "1000", f"stored_{self.line.id}": "600"},
        )
        self.assertEqual(response.status_code, 303, response.text)
        application = self.order.construction_pay_application_ids
        self.assertEqual(application.line_ids.stored_amount, 600)
        self.assertAlmostEqual(application.completed_to_date, 1600)
        page = self.page(self.order).text
        self.assertIn(f'name="stored_{self.line.id}" value="600.0"', page)
        self.assertIn("600.00", page)
        refused = self.submit(
            f"/my/subcontracts/pay-applications/{application.id}",
            **{f"done_{self.line.id}": "1000", f"stored_{self.line.id}": "3500"},
        )
        self.assertEqual(refused.status_code, 400)
        self.assertIn("between 0 and the scheduled value", refused.text)
        self.assertEqual(application.line_ids.stored_amount, 600, "nothing kept")
