from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import API_TOKEN, WEBHOOK_TOKEN, CompanyCamCase


@tagged("post_install", "-at_install")
class TestCompanyCamSystem(CompanyCamCase):
    """The system form's buttons: Test Connection, Register Webhook."""

    def test_connection_test_names_the_user_or_says_why_not(self):
        action = self.system.action_test_connection()
        self.assertEqual(
            action["params"]["message"],
            "Connected to CompanyCam as Shawn Spencer (shawn@psych.co).",
        )
        self.system.sudo().api_token = "wrong"
        with self.assertRaisesRegex(UserError, "GET /v2/users/current answered 401") as caught:
            self.system.action_test_connection()
        self.assertNotIn("wrong", str(caught.exception).replace("answered", ""))

    def test_register_webhook_subscribes_the_url_with_a_new_token_then_replaces_it(self):
        self.assertTrue(self.system.action_register_webhook())
        (webhook,) = self.double.webhooks.values()
        self.assertEqual(webhook["url"], self.system.webhook_url)
        self.assertIn(f"/construction/api/v1/webhooks/{self.system.webhook_uuid}", webhook["url"])
        self.assertEqual(
            webhook["scopes"],
            ["project.created", "project.updated", "photo.created", "photo.updated"],
        )
        token = webhook["token"]
        self.assertGreaterEqual(len(token), 32)
        self.assertEqual(self.system.sudo().webhook_secret, token, "deliveries are checked with it")
        self.assertEqual(
            (self.system.webhook_status, self.system.webhook_external_id), ("registered", "4200")
        )

        self.system.action_register_webhook()
        self.assertEqual(list(self.double.webhooks), ["4201"], "the old subscription is deleted")
        self.assertNotEqual(self.system.sudo().webhook_secret, token)
        chatter = " ".join(self.system.message_ids.mapped("body")) + " ".join(
            self.system.message_ids.tracking_value_ids.mapped("new_value_char")
        )
        self.assertNotIn(token, chatter)
        self.assertNotIn(self.system.sudo().webhook_secret, chatter)

    def test_credentials_are_for_administrators_only(self):
        manager = self.system.with_user(self.users["sync_manager"])
        manager.read(["name", "webhook_url", "webhook_status"])
        for field in ("api_token", "webhook_secret"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                manager.read([field])
        self.assertEqual(self.system.sudo().api_token, API_TOKEN)
        self.assertEqual(self.system.sudo().webhook_secret, WEBHOOK_TOKEN)

    def test_failed_registration_is_shown_on_the_form(self):
        self.system.sudo().api_token = "wrong"
        self.assertFalse(self.system.action_register_webhook())
        self.assertEqual(self.system.webhook_status, "failed")
        self.assertEqual(self.system.webhook_error, "POST /v2/webhooks answered 401")
