from odoo import api, models
from odoo.exceptions import UserError

from ..lib.reference import like_literal


class UomUom(models.Model):
    _inherit = "uom.uom"

    @api.model
    def _construction_sync_match(self, reference, _company):
        """Natural key for the sync resolver: the unit's name, blanks around
        it and case ignored (``kg`` is ``KG``), never a pattern."""
        return self.search([("name", "=ilike", like_literal((reference or "").strip()))])

    def _construction_convert(self, quantity, target, subject, owner):
        """``quantity`` of this unit expressed in ``target``, unrounded.

        The one conversion of measured quantities (estimate lines into their
        cost code's unit, field observations into their category's): Odoo's
        unit ratios within a kind of unit (ft² and yd² are both surfaces).
        An empty unit on either side means the quantity is already in the
        other's. Raises ``UserError`` naming ``subject`` (what carries the
        quantity) and ``owner`` (what counts in ``target``) when the two
        units measure different things.
        """
        if not self or not target or self == target:
            return quantity
        self.ensure_one()
        if self.category_id != target.category_id:
            raise UserError(
                self.env._(
                    "%(subject)s is measured in %(unit)s (%(kind)s), but %(owner)s counts "
                    "in %(target)s (%(target_kind)s): one cannot be converted to the other. "
                    "Give it a unit of the same kind.",
                    subject=subject,
                    unit=self.name,
                    kind=self.category_id.name,
                    owner=owner,
                    target=target.name,
                    target_kind=target.category_id.name,
                )
            )
        return self._compute_quantity(quantity, target, round=False)
