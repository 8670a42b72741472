from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestConstructionAppUi(HttpCase):
    def test_administrator_opens_the_app_and_browses_cost_codes(self):
        self.start_tour("/odoo", "construction_app_menus", login="admin")

    def test_field_reviewer_sees_only_their_menus(self):
        new_test_user(
            self.env,
            login="reviewer_tour",
            password="reviewer_tour",
            groups="construction_sync.group_construction_sync_reviewer",
        )
        self.start_tour("/odoo", "construction_app_menus_reviewer", login="reviewer_tour")
