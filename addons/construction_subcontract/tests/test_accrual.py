from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SubcontractCase


@tagged("post_install", "-at_install")
class TestAccrual(SubcontractCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accrual_account = cls.env["account.account"].create(
            {"name": "Accrued cost", "code": "218001", "account_type": "liability_current"}
        )
        cls.order = cls.subcontract_from_budget(8000)
        cls.order.date_approve = cls.today - timedelta(days=70)
        # The month closed last: the first application's period ends with it.
        cls.month_end = cls.today.replace(day=1) - timedelta(days=1)
        cls.daily_log(cls.month_end)
        application = cls.PayApp.create({"order_id": cls.order.id, "period_end": cls.month_end})
        application.line_ids.completed_quantity = 2000
        application.with_user(cls.buyer_controller).action_approve()
        cls.application = application

    def setUp(self):
        super().setUp()
        # 1,000 ft of striping received (500).
        self.striping_order = self.make_po(
            self.vendor_striping, self.product_striping, 1000, 0.5, self.code_striping
        )
        self.striping_order.button_confirm()
        self.striping_order.order_line.qty_received = 1000

    def wizard(self, as_of=None):
        return (
            self.env["construction.subcontract.accrual.wizard"]
            .with_user(self.buyer_controller)
            .create({"date": as_of or self.today, "account_id": self.accrual_account.id})
        )

    def proposals(self, wizard):
        return {next(iter(line.analytic_distribution)): line.amount for line in wizard.line_ids}

    def test_approved_progress_and_received_goods_without_posted_bills_are_proposed(self):
        self.bill(self.striping_order, 400)  # 600 ft received and not billed: 300
        wizard = self.wizard()
        paving_key = f"{self.project_account.id},{self.code_paving.analytic_account_id.id}"
        striping_key = f"{self.project_account.id},{self.code_striping.analytic_account_id.id}"
        self.assertEqual(self.proposals(wizard), {paving_key: 2000, striping_key: 300})
        self.post(self.application.move_id)
        self.assertEqual(self.proposals(self.wizard()), {striping_key: 300})

    def test_a_person_posts_the_accrual_and_its_reversal_and_the_budget_does_not_double(self):
        wizard = self.wizard(as_of=self.month_end)
        self.assertEqual(wizard.reversal_date, self.month_end + timedelta(days=1))
        action = wizard.action_create_entries()
        moves = self.env["account.move"].search(action["domain"], order="date")
        self.assertEqual(moves.mapped("state"), ["posted", "posted"])
        accrual, reversal = moves
        self.assertEqual(accrual.date, self.month_end)
        self.assertEqual(accrual.reversed_entry_id or reversal.reversed_entry_id, accrual)
        accrued = accrual.line_ids.filtered(lambda line: line.account_id == self.accrual_account)
        self.assertAlmostEqual(accrued.credit, 2000 + 500)
        self.assert_figures(self.paving, 8000, 0)

    def test_only_a_project_controller_opens_accruals(self):
        with self.assertRaises(AccessError):
            self.env["construction.subcontract.accrual.wizard"].with_user(
                self.users["estimator"]
            ).create({"date": self.today, "account_id": self.accrual_account.id})
