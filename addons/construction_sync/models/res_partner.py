import re

from odoo import api, models

from ..lib.reference import like_literal

# payload key of customer.upserted and vendor.upserted -> field
PARTNER_KEYS = {
    "vat": "vat",
    "email": "email",
    "phone": "phone",
    "street": "street",
    "city": "city",
    "zip": "zip",
}
PARTNER_FIELDS = {"name", "country_id", *PARTNER_KEYS.values()}


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "construction.sync.master.mixin"]

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the VAT number (spaces and
        case aside) or the e-mail (case aside), in ``company`` or shared."""
        return self.search(
            [
                ("company_id", "in", [company.id, False]),
                "|",
                ("email", "=ilike", like_literal(reference.strip())),
            ]
        ) | self._construction_with_vat(reference, [("company_id", "in", [company.id, False])])

    @api.model
    def _construction_with_vat(self, vat, domain):
        """Partners within ``domain`` whose VAT number is ``vat``, spaces,
        dots, dashes and case aside (``US 12-345`` is ``us12345``)."""
        wanted = _compact(vat).lower()
        if not wanted:
            return self.browse()
        # every character in order, anything between: the pattern narrows the
        # search, the comparison decides
        pattern = "%".join(like_literal(char) for char in wanted)
        return self.search([*domain, ("vat", "=ilike", pattern)]).filtered(
            lambda partner: _compact(partner.vat).lower() == wanted
        )

    # ------------------------------------------------------------------
    # customer.upserted, vendor.upserted
    # ------------------------------------------------------------------

    @api.model
    def _sync_apply_customer_upsert(self, event):
        """Handler of ``customer.upserted``."""
        return self._sync_upsert_partner(event, "customer_rank")

    @api.model
    def _sync_apply_vendor_upsert(self, event):
        """Handler of ``vendor.upserted``."""
        return self._sync_upsert_partner(event, "supplier_rank")

    @api.model
    def _sync_upsert_partner(self, event, rank):
        """The partner bound to the system's id, else the one of that VAT
        number, else of that e-mail, updated; a new company partner when
        none matches; two matching at a step wait for a person to merge
        them. ``rank`` (customer or supplier) is set to at least 1."""
        data = event._payload()
        company = event.company_id
        domain = [("company_id", "in", [company.id, False]), ("is_company", "=", True)]

        def by_vat():
            vat = _compact(data.get("vat") or "")
            return self._construction_with_vat(vat, domain)

        def by_email():
            email = (data.get("email") or "").strip()
            if not email:
                return self.browse()
            return self.search([*domain, ("email", "=ilike", like_literal(email))])

        def prepare(partner):
            vals = self._construction_master_vals(data, PARTNER_KEYS, partner, company)
            if "country" in data:
                vals["country_id"] = (
                    self.env["res.country"]
                    .search([("code", "=ilike", like_literal(data["country"]))], limit=1)
                    .id
                )
            if not (partner and partner[rank]):
                vals[rank] = 1
            if not partner:
                vals["is_company"] = True
            return vals

        return self.env["construction.sync.resolver"]._upsert(
            event,
            self._name,
            data["external_id"],
            [(self.env._("VAT number"), by_vat), (self.env._("e-mail"), by_email)],
            prepare,
        )

    # ------------------------------------------------------------------
    # Published as customer.upserted / vendor.upserted
    # ------------------------------------------------------------------

    def _construction_master_fields(self):
        return PARTNER_FIELDS | {"customer_rank", "supplier_rank"}

    def _construction_master_codes(self):
        codes = []
        if self.customer_rank:
            codes.append("customer.upserted")
        if self.supplier_rank:
            codes.append("vendor.upserted")
        return codes

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name or "",
            "vat": self.vat or None,
            "email": self.email or None,
            "phone": self.phone or None,
            "street": self.street or None,
            "city": self.city or None,
            "zip": self.zip or None,
            "country": self.country_id.code or None,
        }


def _compact(vat):
    """A VAT number as compared: without spaces, dots or dashes."""
    return re.sub(r"[\s.\-]", "", vat or "")
