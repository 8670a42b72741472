from odoo import Command, api, models
from odoo.exceptions import UserError


class ConstructionChangeOrder(models.Model):
    _inherit = "construction.change.order"

    def _construction_changes_commitment(self, commitment):
        """Whether this change order, still to approve, revises the bound
        ``commitment`` itself on approval; when not, the handler adds the
        platform's lines to it."""
        return False

    @api.model
    def _sync_apply_change_order_approved(self, event):
        """Handler of ``change_order.approved``: a change order approved in
        a project management platform becomes one here, approved at once,
        which revises the project's budget per cost code, and adds its lines
        to the commitment it changes when that is bound. Bound to the
        platform's change order: the same one again changes nothing."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        binding, order = Resolver._binding(system, self._name, data["external_id"])
        Resolver._lock(binding)
        if order:
            return order
        project = Resolver._resolve(
            system, "project.project", data["project"], "/payload/project", "project"
        )
        budget = self.env["construction.budget"].search([("project_id", "=", project.id)], limit=1)
        if not budget:
            raise UserError(
                self.env._(
                    "Project %(project)s has no budget for the change order %(number)s to "
                    "revise: make its budget, then replay the event.",
                    project=project.display_name,
                    number=data["number"],
                )
            )
        lines = []
        for index, line in enumerate(data["lines"]):
            code = Resolver._resolve(
                system,
                "construction.cost.code",
                line["cost_code"],
                f"/payload/lines/{index}/cost_code",
                "cost_code",
                natural=True,
            )
            lines.append(
                Command.create(
                    {
                        "cost_code_id": code.id,
                        "amount_delta": line["amount"],
                        "quantity_delta": line.get("quantity", 0.0),
                        "description": line.get("description"),
                    }
                )
            )
        order = self.create(
            {
                "title": f"{data['number']}: {data['title']}",
                "budget_id": budget.id,
                "source": data["source"],
                "reason": data["reason"],
                "line_ids": lines,
            }
        )
        produced = [order]
        commitment = self.env["purchase.order"]
        if data.get("commitment"):
            _commitment_binding, commitment = Resolver._binding(
                system, "purchase.order", f"commitment:{data['commitment']}"
            )
        revised_on_approval = commitment and order._construction_changes_commitment(commitment)
        # approved in Procore by its own people: recorded, not approved again
        order._approve()
        if commitment:
            if not revised_on_approval:
                commitment._construction_revise_commitment(system, order, data["lines"])
            produced.append(commitment)
        Resolver._bind(event, binding, order, data["external_id"])
        return produced
