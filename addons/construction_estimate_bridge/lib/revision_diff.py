"""Differences between two revisions of an estimate, and the overwrite rule.

Lines are compared by their line id in the estimating platform. Each side
is a mapping ``line id -> {"cost_code", "name", "quantity", "unit",
"unit_cost", "amount", "in_budget"}``.

Overwrite rule: once purchase orders commit money on a cost code, a new
revision may not bring that cost code's budgeted amount below what is
committed. Every removed or reduced line of such a cost code is blocked,
with the reason.
"""

from collections import defaultdict
from dataclasses import dataclass, field

COMPARED_FIELDS = ("cost_code", "name", "quantity", "unit", "unit_cost", "in_budget")
_CENT = 0.005


@dataclass
class LineChange:
    kind: str  # "added", "removed" or "changed"
    line_id: str
    cost_code: str
    name: str
    old_quantity: float = 0.0
    new_quantity: float = 0.0
    old_amount: float = 0.0
    new_amount: float = 0.0
    changed_fields: tuple = field(default_factory=tuple)
    blocked: str = ""


def _budget_amount(line):
    return line["amount"] if line and line.get("in_budget", True) else 0.0


def budget_by_cost_code(lines):
    """Budgeted amount per cost code of one revision."""
    totals = defaultdict(float)
    for line in lines.values():
        totals[line["cost_code"]] += _budget_amount(line)
    return dict(totals)


def diff(old, new, committed=None):
    """Changes from ``old`` to ``new``, ordered by line id.

    ``committed`` maps cost codes to the amount already committed on them.
    """
    changes = []
    for line_id in sorted(old.keys() | new.keys()):
        before, after = old.get(line_id), new.get(line_id)
        if before is None:
            kind, changed = "added", ()
        elif after is None:
            kind, changed = "removed", ()
        else:
            changed = tuple(name for name in COMPARED_FIELDS if before.get(name) != after.get(name))
            if not changed:
                continue
            kind = "changed"
        reference = after or before
        changes.append(
            LineChange(
                kind=kind,
                line_id=line_id,
                cost_code=reference["cost_code"],
                name=reference.get("name", ""),
                old_quantity=before["quantity"] if before else 0.0,
                new_quantity=after["quantity"] if after else 0.0,
                old_amount=before["amount"] if before else 0.0,
                new_amount=after["amount"] if after else 0.0,
                changed_fields=changed,
            )
        )
    _apply_overwrite_rule(changes, old, new, committed or {})
    return changes


def _apply_overwrite_rule(changes, old, new, committed):
    new_totals = budget_by_cost_code(new)
    short = {
        code: (amount, new_totals.get(code, 0.0))
        for code, amount in committed.items()
        if amount > new_totals.get(code, 0.0) + _CENT
    }
    for change in changes:
        before, after = old.get(change.line_id), new.get(change.line_id)
        if not before or before["cost_code"] not in short:
            continue
        code = before["cost_code"]
        kept = _budget_amount(after) if after and after["cost_code"] == code else 0.0
        if kept + _CENT < _budget_amount(before):
            amount, total = short[code]
            verb = "removes" if change.kind == "removed" else "reduces"
            change.blocked = (
                f"{verb} cost code {code}, which has {amount:,.2f} committed on purchase "
                f"orders while this revision budgets only {total:,.2f}"
            )


def blocked(changes):
    """The changes the overwrite rule refuses."""
    return [change for change in changes if change.blocked]
