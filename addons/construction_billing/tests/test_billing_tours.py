from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBillingTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pm = new_test_user(
            cls.env,
            login="billing_pm_tour",
            password="billing_pm_tour",
            groups="construction_sync.group_construction_sync_estimator",
        )
        cls.controller = new_test_user(
            cls.env,
            login="billing_controller_tour",
            password="billing_controller_tour",
            groups="construction_sync.group_construction_sync_controller",
        )
        code = cls.env["construction.cost.code"].create({"code": "32 12 99", "name": "Tour Paving"})
        owner = cls.env["res.partner"].create({"name": "Tour Owner"})
        project = cls.env["project.project"].create({"name": "Tour Lot", "partner_id": owner.id})
        cls.contract = cls.env["sale.order"].create(
            {
                "partner_id": owner.id,
                "construction_project_id": project.id,
                "retainage_percent": 10,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.env.ref(
                                "construction_billing.product_contract_work"
                            ).id,
                            "name": "Tour Paving",
                            "construction_cost_code_id": code.id,
                            "construction_original_value": 1000.0,
                            "price_unit": 1000.0,
                        }
                    )
                ],
            }
        )
        cls.contract.action_confirm()

    def test_project_manager_reports_progress_on_the_progress_screen(self):
        self.start_tour("/odoo", "construction_billing_progress_screen", login="billing_pm_tour")
        progress = self.contract.order_line.construction_progress_ids
        self.assertEqual(
            [(p.amount, p.state, p.proposed_by_id) for p in progress],
            [(250.0, "proposed", self.pm)],
        )

    def test_controller_certifies_the_pay_application(self):
        progress = (
            self.env["construction.billing.progress"]
            .with_user(self.pm)
            .create({"sale_line_id": self.contract.order_line.id, "percent": 25})
        )
        progress.with_user(self.controller).action_approve()
        application = (
            self.env["construction.pay.application"]
            .with_user(self.pm)
            .create({"contract_id": self.contract.id})
        )
        self.assertEqual(application.current_payment_due, 225.0)
        self.start_tour(
            "/odoo", "construction_billing_pay_application", login="billing_controller_tour"
        )
        self.assertEqual(application.state, "certified")
