from odoo import Command, api, models
from odoo.exceptions import UserError


def _changed(record, values):
    """The ``values`` that differ from what ``record`` holds."""
    return {
        key: value
        for key, value in values.items()
        if record._fields[key].convert_to_write(record[key], record) != value
    }


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    @api.model
    def _sync_apply_commitment(self, event):
        """Handler of ``commitment.upserted``: a commitment of a project
        management platform (a purchase order or a subcontract) becomes a
        purchase order of its vendor bound to it, a line per commitment line
        on the project and its cost code; confirmed once the commitment is
        approved (the budget check applies). A later version changes the
        same order, confirmed or not: each line is matched on the
        platform's line id, so a changed line is changed, never doubled;
        lines a change order added are left alone."""
        data = event._payload()
        system = event.system_id
        Resolver = self.env["construction.sync.resolver"]
        binding, order = Resolver._binding(system, self._name, data["external_id"])
        Resolver._lock(binding)
        Resolver._check_sequence(event, binding)
        project = Resolver._resolve(
            system, "project.project", data["project"], "/payload/project", "project"
        )
        vendor = Resolver._resolve(
            system, "res.partner", data["vendor"], "/payload/vendor", "vendor"
        )
        vals = self._sync_commitment_values(data, project, vendor)
        lines = self._sync_commitment_line_commands(system, project, data, order)
        if not order:
            order = self.create(dict(vals, order_line=lines))
        elif changed := _changed(order, vals) | ({"order_line": lines} if lines else {}):
            order.write(changed)
        if data["approved"] and order.state in ("draft", "sent"):
            order.button_confirm()
        Resolver._bind(event, binding, order, data["external_id"])
        return order

    @api.model
    def _sync_commitment_values(self, data, project, vendor):
        """Values of the purchase order of the commitment ``data`` (its
        lines apart)."""
        return {
            "partner_id": vendor.id,
            "partner_ref": data["number"],
            "origin": self.env._(
                "Procore %(kind)s %(number)s: %(title)s",
                kind=data["kind"].replace("_", " "),
                number=data["number"],
                title=data["title"],
            ),
        }

    @api.model
    def _sync_commitment_line_commands(self, system, project, data, order):
        """Commands that make ``order``'s commitment lines those of ``data``,
        each matched on its line id: a line changed in place, a new one
        added, a removed one deleted while the order is a request for
        quotation and set to nothing once it is confirmed. A line never
        goes below what was received or billed on it."""
        current = {
            line.construction_commitment_line: line
            for line in order.order_line
            if line.construction_commitment_line
        }
        commands = []
        for index, item in enumerate(data["lines"]):
            values = self._sync_commitment_line(system, project, item, f"/payload/lines/{index}")
            values["construction_commitment_line"] = item["line_id"]
            line = current.pop(item["line_id"], None)
            if not line:
                commands.append(Command.create(values))
                continue
            line._sync_check_commitment_quantity(values["product_qty"])
            if changed := _changed(line, values):
                commands.append(Command.update(line.id, changed))
        for line in current.values():
            if order.state in ("draft", "sent"):
                commands.append(Command.delete(line.id))
            elif line.product_qty:
                line._sync_check_commitment_quantity(0.0)
                commands.append(Command.update(line.id, {"product_qty": 0.0}))
        return commands

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
