from odoo import api, models


class ProjectProject(models.Model):
    _name = "project.project"
    _inherit = ["project.project", "construction.sync.master.mixin"]

    @api.model
    def _construction_sync_match(self, reference, company):
        """Natural key for the sync resolver: the project's exact name."""
        return self.search([("name", "=", reference), ("company_id", "in", [company.id, False])])

    @api.model
    def _sync_apply_upsert(self, event):
        """Handler of ``project.upserted``: the project bound to the
        system's id, else the one of that exact name, updated; else a new
        one. Its customer is the system's customer reference, resolved like
        every reference (binding, then VAT number or e-mail)."""
        data = event._payload()
        Resolver = self.env["construction.sync.resolver"]
        company = event.company_id

        def by_name():
            return self.search([("name", "=", data["name"]), ("company_id", "=", company.id)])

        def prepare(project):
            vals = self._construction_master_vals(data, {}, project, company)
            if data.get("customer"):
                vals["partner_id"] = Resolver._resolve(
                    event.system_id,
                    "res.partner",
                    data["customer"],
                    "/payload/customer",
                    natural=True,
                ).id
            return vals

        return Resolver._upsert(
            event, self._name, data["external_id"], [(self.env._("name"), by_name)], prepare
        )

    def _construction_master_fields(self):
        return {"name", "partner_id", "active"}

    def _construction_master_codes(self):
        return ["project.upserted"]

    def _construction_master_payload(self):
        return {
            "id": self.id,
            "name": self.name,
            "customer": self.partner_id.name or None,
            "active": self.active,
        }
