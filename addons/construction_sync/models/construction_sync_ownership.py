from odoo import api, fields, models, tools


class ConstructionSyncOwnership(models.Model):
    _name = "construction.sync.ownership"
    _description = "System of Record Rule"
    _inherit = ["mail.thread", "construction.sync.cached.mixin"]
    _order = "model_id, field_id"
    _check_company_auto = True

    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade", tracking=True)
    model_name = fields.Char("Model Name", related="model_id.model", store=True, index=True)
    field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id)]",
        tracking=True,
        help="Leave empty when the system owns the whole object.",
    )
    system_id = fields.Many2one(
        "construction.sync.system",
        string="System of Record",
        required=True,
        ondelete="cascade",
        tracking=True,
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True, index=True)
    note = fields.Char(help="Why this system owns it, e.g. 'estimating owns cost codes'.")

    _sql_constraints = [
        (
            "model_field_uniq",
            "unique nulls not distinct (model_id, field_id, company_id)",
            "An object or field has one system of record per company.",
        ),
    ]

    @api.depends("model_id", "field_id", "system_id")
    def _compute_display_name(self):
        # Model and field names are not secret; reading them needs no right.
        for rule, rule_sudo in zip(self, self.sudo(), strict=True):
            target = rule_sudo.model_id.name
            if rule_sudo.field_id:
                target = f"{target} / {rule_sudo.field_id.field_description}"
            rule.display_name = f"{target} → {rule_sudo.system_id.name}"

    @api.model
    @tools.ormcache("model_name", "company_id")
    def _rules(self, model_name, company_id):
        """``(rule id, system id, field name or "")`` of the rules on a
        model for a company (every company's when ``company_id`` is False):
        read on every received event, so cached until a rule changes."""
        domain = [("model_name", "=", model_name)]
        if company_id:
            domain.append(("company_id", "=", company_id))
        rules = self.sudo().search_fetch(domain, ["system_id", "field_id"])
        return tuple((rule.id, rule.system_id.id, rule.field_id.name or "") for rule in rules)

    @api.model
    def _violations(self, system, model_name, field_names, shared=False):
        """Human-readable refusals when ``system`` would write ``field_names``
        of ``model_name`` owned by another system; empty when allowed. A
        ``shared`` record (of no company) is every company's: the rules of
        all companies apply to it."""
        refusing = [
            rule_id
            for rule_id, system_id, field_name in self._rules(
                model_name, not shared and system.company_id.id
            )
            if system_id != system.id and (not field_name or field_name in field_names)
        ]
        refused = []
        for rule in self.sudo().browse(refusing):
            if not rule.field_id:
                refused.append(
                    (
                        "",
                        self.env._(
                            "%(model)s is owned by %(owner)s; %(system)s may not change it.",
                            model=rule.model_id.name,
                            owner=rule.system_id.name,
                            system=system.name,
                        ),
                    )
                )
            else:
                refused.append(
                    (
                        rule.field_id.name,
                        self.env._(
                            "%(field)s of %(model)s is owned by %(owner)s.",
                            field=rule.field_id.field_description,
                            model=rule.model_id.name,
                            owner=rule.system_id.name,
                        ),
                    )
                )
        return refused
