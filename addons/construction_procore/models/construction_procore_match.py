from odoo import api, fields, models

KINDS = [("project", "Project"), ("vendor", "Vendor")]
TARGETS = {"project": ("project.project", "project_id"), "vendor": ("res.partner", "partner_id")}


class ConstructionProcoreMatch(models.Model):
    """A Procore project or vendor as pulled, and the Odoo record it is
    bound to: matched on Procore's ``origin_id`` (the Odoo id) or on its
    exact name, else bound by hand. Unmatched ones are the review list."""

    _name = "construction.procore.match"
    _description = "Procore Project or Vendor"
    _order = "state desc, kind, name"
    _check_company_auto = True

    system_id = fields.Many2one(
        "construction.sync.system", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    procore_id = fields.Char("Procore ID", required=True, readonly=True)
    name = fields.Char(readonly=True)
    origin_id = fields.Char(
        "Procore Origin ID", readonly=True, help="The id of the Odoo record Procore keeps."
    )
    project_id = fields.Many2one("project.project", check_company=True, index="btree_not_null")
    partner_id = fields.Many2one("res.partner", "Vendor", index="btree_not_null")
    state = fields.Selection(
        [("unmatched", "Unmatched"), ("matched", "Matched")],
        compute="_compute_state",
        store=True,
    )

    _sql_constraints = [
        (
            "procore_uniq",
            "unique (system_id, kind, procore_id)",
            "A Procore project or vendor is listed once per system.",
        ),
    ]

    @api.depends("project_id", "partner_id", "kind")
    def _compute_state(self):
        for match in self:
            match.state = "matched" if match[TARGETS[match.kind][1]] else "unmatched"

    def write(self, vals):
        result = super().write(vals)
        if {"project_id", "partner_id"} & vals.keys():
            self._bind()
        return result

    def _bind(self):
        """Bind each matched row's Odoo record to its Procore id: the one
        resolver finds it from then on (bookkeeping, as superuser)."""
        Binding = self.env["construction.sync.binding"].sudo()
        for match in self.filtered(lambda match: match.state == "matched"):
            model, field = TARGETS[match.kind]
            binding = Binding.search(
                [
                    ("system_id", "=", match.system_id.id),
                    ("res_model", "=", model),
                    ("external_id", "=", match.procore_id),
                ]
            )
            if binding:
                binding.res_id = match[field].id
            else:
                Binding.create(
                    {
                        "system_id": match.system_id.id,
                        "res_model": model,
                        "res_id": match[field].id,
                        "external_id": match.procore_id,
                    }
                )

    @api.model
    def _take_page(self, system, resource, items):
        """List the pulled Procore ``items`` (projects or vendors), and
        match the new or unmatched ones."""
        kind = "project" if resource == "projects" else "vendor"
        rows = {
            str(item["id"]): item for item in items if isinstance(item, dict) and item.get("id")
        }
        known = self.search(
            [("system_id", "=", system.id), ("kind", "=", kind), ("procore_id", "in", list(rows))]
        )
        by_id = {match.procore_id: match for match in known}
        for procore_id, item in rows.items():
            vals = {"name": item.get("name") or procore_id, "origin_id": item.get("origin_id")}
            if procore_id in by_id:
                by_id[procore_id].write(vals)
            else:
                by_id[procore_id] = self.create(
                    dict(vals, system_id=system.id, kind=kind, procore_id=procore_id)
                )
        matches = self.browse([match.id for match in by_id.values()])
        matches.filtered(lambda match: match.state == "unmatched")._match()
        return matches

    def _match(self):
        """Match on ``origin_id`` (an Odoo id of the system's company),
        else on the one record of that exact name."""
        for match in self:
            model, field = TARGETS[match.kind]
            Target = self.env[model].with_company(match.company_id)
            company = [("company_id", "in", [match.company_id.id, False])]
            record = Target.browse()
            if (match.origin_id or "").isdigit():
                record = Target.search([("id", "=", int(match.origin_id)), *company])
            if not record and match.name:
                named = Target.search([("name", "=", match.name), *company], limit=2)
                record = named if len(named) == 1 else record
            if record:
                match.write({field: record.id})
