from odoo import Command, api, models
from odoo.exceptions import UserError


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.model
    def _sync_apply_commitment(self, event):
        """Handler of ``commitment.upserted``: a commitment of a project
        management platform (a purchase order or a subcontract) becomes a
        purchase order of its vendor bound to it, a line per commitment line
        on the project and its cost code. While the order is a request for
        quotation its lines follow the commitment; once the commitment is
        approved the order is confirmed (the budget check applies), and
        later changes come as change orders."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        binding, order = Resolver._binding(system, self._name, data["external_id"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        if order and order.state not in ("draft", "sent"):
            Resolver._bind(event, binding, order, data["external_id"])
            return order
        project = Resolver._resolve(
            system, "project.project", data["project"], "/payload/project", "project"
        )
        vendor = Resolver._resolve(
            system, "res.partner", data["vendor"], "/payload/vendor", "vendor"
        )
        lines = [
            Command.create(self._sync_commitment_line(system, project, line, f"/payload/lines/{n}"))
            for n, line in enumerate(data["lines"])
        ]
        vals = {
            "partner_id": vendor.id,
            "partner_ref": data["number"],
            "origin": self.env._(
                "Procore %(kind)s %(number)s: %(title)s",
                kind=data["kind"].replace("_", " "),
                number=data["number"],
                title=data["title"],
            ),
        }
        if order:
            order.write(dict(vals, order_line=[Command.clear(), *lines]))
        else:
            order = self.create(dict(vals, order_line=lines))
        if data["approved"]:
            order.button_confirm()
        Resolver._bind(event, binding, order, data["external_id"])
        return order

    @api.model
    def _sync_commitment_line(self, system, project, line, pointer):
        """A purchase line of a commitment line: the commitment product, on
        the project's and the cost code's analytic accounts."""
        code = self.env["construction.sync.resolver"]._resolve(
            system,
            "construction.cost.code",
            line["cost_code"],
            f"{pointer}/cost_code",
            "cost_code",
            natural=True,
        )
        if not project.account_id:
            raise UserError(
                self.env._(
                    "Project %(project)s has no analytic account to carry its commitments.",
                    project=project.display_name,
                )
            )
        product = self.env.ref("construction_procore.product_commitment_work")
        return {
            "product_id": product.id,
            "name": line["description"],
            "product_qty": line["quantity"],
            "product_uom": product.uom_po_id.id,
            "price_unit": line["unit_cost"],
            "analytic_distribution": {
                f"{project.account_id.id},{code.analytic_account_id.id}": 100
            },
        }

    def _construction_revise_commitment(self, system, change_order, lines):
        """Add the approved ``change_order``'s payload ``lines`` to this
        bound commitment: what is committed follows the change."""
        self.ensure_one()
        project = change_order.project_id
        new_lines = []
        for index, line in enumerate(lines):
            values = {
                "cost_code": line["cost_code"],
                "description": f"{change_order.title}: {line.get('description') or ''}".strip(),
                "quantity": 1.0,
                "unit_cost": line["amount"],
            }
            new_lines.append(
                Command.create(
                    self._sync_commitment_line(system, project, values, f"/payload/lines/{index}")
                )
            )
        self.write({"order_line": new_lines})
