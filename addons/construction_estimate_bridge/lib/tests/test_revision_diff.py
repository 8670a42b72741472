from ..revision_diff import blocked, budget_by_cost_code, diff


def line(code, quantity, unit_cost, name="", in_budget=True):
    return {
        "cost_code": code,
        "name": name,
        "quantity": quantity,
        "unit": "t",
        "unit_cost": unit_cost,
        "amount": quantity * unit_cost,
        "in_budget": in_budget,
    }


OLD = {
    "L1": line("32 12 16", 100, 90),
    "L2": line("32 17 23", 500, 2),
    "L3": line("32 16 13", 40, 30),
}


def test_added_removed_changed():
    new = {
        "L1": line("32 12 16", 120, 90),
        "L2": line("32 17 23", 500, 2),
        "L4": line("01 55 26", 16, 55),
    }
    changes = diff(OLD, new)
    assert [(c.kind, c.line_id) for c in changes] == [
        ("changed", "L1"),
        ("removed", "L3"),
        ("added", "L4"),
    ]
    changed = changes[0]
    assert changed.changed_fields == ("quantity",)
    assert (changed.old_amount, changed.new_amount) == (9000, 10800)
    assert blocked(changes) == []


def test_overwrite_rule_blocks_reduction_below_committed():
    new = {"L1": line("32 12 16", 50, 90), "L2": line("32 17 23", 400, 2)}
    committed = {"32 12 16": 6000.0, "32 16 13": 100.0, "32 17 23": 500.0}
    changes = {c.line_id: c for c in diff(OLD, new, committed)}
    assert "6,000.00 committed" in changes["L1"].blocked
    assert "budgets only 4,500.00" in changes["L1"].blocked
    assert changes["L3"].blocked.startswith("removes cost code 32 16 13")
    # 800 still covers the 500 committed on 32 17 23
    assert changes["L2"].blocked == ""


def test_increase_or_covered_reduction_is_allowed():
    new = dict(OLD, L1=line("32 12 16", 80, 90))
    assert blocked(diff(OLD, new, {"32 12 16": 7200.0})) == []


def test_excluded_alternate_counts_as_removed_from_budget():
    new = dict(OLD, L3=line("32 16 13", 40, 30, in_budget=False))
    changes = diff(OLD, new, {"32 16 13": 10.0})
    assert changes[0].changed_fields == ("in_budget",)
    assert changes[0].blocked
    assert budget_by_cost_code(new)["32 16 13"] == 0
