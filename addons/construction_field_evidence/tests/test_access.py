from .common import FieldEvidenceCase

# Who may do what on every model of the suite, and that no role reaches
# another company's records: construction_estimate_bridge's
# test_access_matrix, which sees the three modules.


class TestAccess(FieldEvidenceCase):
    def test_share_token_hash_is_hidden_from_the_field_api(self):
        link = self.env["construction.share.link"].create({"site_id": self.site.id})
        self.assertTrue(link.with_user(self.users["reviewer"]).token_hash)
        self.assertFalse(
            link._fields["token_hash"].is_accessible(self.env(user=self.users["field_api"]))
        )
