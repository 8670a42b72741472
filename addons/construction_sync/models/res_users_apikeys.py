import functools
import hashlib

from odoo import fields, models, tools
from odoo.addons.base.models.res_users import INDEX_SIZE
from odoo.tools import SQL


class KeyRefused(Exception):
    """Raised inside the cached check so that a refused key is never cached."""


class KeyUncached(Exception):
    """Raised inside the cached check for a key accepted but not cached."""

    def __init__(self, user_id):
        super().__init__(user_id)
        self.user_id = user_id


class ResUsersApikeys(models.Model):
    """Odoo's API keys, checked once per key and worker instead of once per
    request.

    Odoo checks a bearer key by hashing it with PBKDF2-SHA512 (6,000 rounds)
    against every stored key sharing its first eight characters: half the
    cost of a one-event API request. Here a key Odoo accepted is remembered
    in the registry's ``ormcache`` under the SHA-256 of the key (never the
    key itself) with its user and expiry date:

    * expiry is compared with the clock on every request, so an expired key
      is refused the second it expires;
    * removing a key (Odoo's *Remove* / revocation) and archiving or deleting
      its user clear the cache; Odoo signals the change to every worker,
      which drops its cache before serving its next request;
    * a refused key is never cached: each guess costs what it costs in Odoo;
      nor is a key another key of its user shares its first characters with
      (which of them expires when cannot be told apart without the hash).
    """

    _inherit = "res.users.apikeys"

    def _check_credentials(self, *, scope, key):
        if not key:
            return super()._check_credentials(scope=scope, key=key)
        digest = hashlib.sha256(key.encode()).hexdigest()
        odoo_check = functools.partial(super()._check_credentials, scope=scope, key=key)
        try:
            user_id, expires = self._construction_checked_key(
                scope, digest, key[:INDEX_SIZE], odoo_check
            )
        except KeyRefused:
            return None
        except KeyUncached as accepted:
            return accepted.user_id
        if expires and expires < fields.Datetime.now():
            return None
        return user_id

    @tools.ormcache("scope", "digest")
    def _construction_checked_key(self, scope, digest, index, odoo_check):
        """``(user id, expiry)`` of the key whose SHA-256 is ``digest`` and
        whose first characters are ``index``, checked by ``odoo_check``
        (Odoo's own check of that key);
        :class:`KeyRefused` when Odoo refuses it, and
        :class:`KeyUncached` in the rare case where another key of its user
        starts with the same characters (its expiry cannot be told apart):
        nothing is cached then."""
        user_id = odoo_check()
        if not user_id:
            raise KeyRefused()
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*), min(expiration_date) FROM %s
                 WHERE user_id = %s AND index = %s AND (scope IS NULL OR scope = %s)
                """,
                SQL.identifier(self._table),
                user_id,
                index,
                scope,
            )
        )
        count, expires = self.env.cr.fetchone()
        if count != 1:
            raise KeyUncached(user_id)
        return user_id, expires

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
