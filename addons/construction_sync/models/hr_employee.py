from odoo import api, models

from ..lib.reference import like_literal


class HrEmployee(models.Model):
    _name = "hr.employee"
    _inherit = ["hr.employee", "construction.sync.master.mixin"]

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the badge id (exactly) or the
        work e-mail (case aside), in ``company``."""
        return self.search(
            [
                ("company_id", "in", [company.id, False]),
                "|",
                ("barcode", "=", reference),
                ("work_email", "=ilike", like_literal(reference)),
            ]
        )

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``employee.upserted``: the employee bound to the
        system's id, else the one of that badge, else of that work e-mail,
        updated; else a new one."""
        data = event._payload()
        company = event.company_id
        domain = [("company_id", "in", [company.id, False])]

        def by_badge():
            badge = data.get("badge")
            return self.search([*domain, ("barcode", "=", badge)]) if badge else self.browse()

        def by_email():
            email = (data.get("email") or "").strip()
            if not email:
                return self.browse()
            return self.search([*domain, ("work_email", "=ilike", like_literal(email))])

        return self.env["construction.sync.resolver"]._upsert(
            event,
            self._name,
            data["external_id"],
            [(self.env._("badge"), by_badge), (self.env._("work e-mail"), by_email)],
            lambda employee: self._construction_master_vals(
                data,
                {"badge": "barcode", "email": "work_email", "job_title": "job_title"},
                employee,
                company,
            ),
        )

    def _construction_master_fields(self):
        return {"name", "barcode", "work_email", "job_title", "active"}

    def _construction_master_codes(self):
        return ["employee.upserted"]

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name,
            "badge": self.barcode or None,
            "email": self.work_email or None,
            "job_title": self.job_title or None,
            "active": self.active,
        }
