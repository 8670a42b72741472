"""A pay application over a 2,000-line schedule of values, computed and printed.

Run by ``bin/bench`` in-process on the bench database (no HTTP). The suite's
way: a contract of ``--lines`` schedule lines with approved progress on each,
then the pay application created (continuation sheet and summary computed by
``construction_estimate_bridge/lib/pay_app.py`` and written) and its PDF of
both pages rendered (wkhtmltopdf). The plain Odoo way of printing the same
lines: the sale order's own PDF (quotation / order report) of the contract.
Median of ``--runs`` runs each; target: computed and printed in under 2 s.

    python3 bench/pay_application.py --db construction_bench --addons-path ADDONS --lines 2000
"""

import argparse
import statistics
import time

from in_process import add_database_arguments, open_registry
from summary import record

from odoo import SUPERUSER_ID, Command, api

TARGET = 2.0


def env_of(cr):
    return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


def prepare(registry, lines):
    """A confirmed contract of ``lines`` schedule lines, 40 % approved on each."""
    with registry.cursor() as cr:
        env = env_of(cr)
        CostCode = env["construction.cost.code"]
        numbers = [f"36 {10 + index // 99:02d} {1 + index % 99:02d}" for index in range(lines)]
        codes = CostCode.search([("code", "in", numbers)])
        known = set(codes.mapped("code"))
        codes |= CostCode.create(
            [{"code": n, "name": f"Bench item {n}"} for n in numbers if n not in known]
        )
        owner = env["res.partner"].create({"name": "Bench owner"})
        project = env["project.project"].create({"name": "Bench billing", "partner_id": owner.id})
        product = env.ref("construction_billing.product_contract_work")
        contract = env["sale.order"].create(
            {
                "partner_id": owner.id,
                "construction_project_id": project.id,
                "retainage_percent": 10,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": code.display_name,
                            "construction_cost_code_id": code.id,
                            "construction_original_value": 1000.0 + index,
                            "price_unit": 1000.0 + index,
                            "tax_id": [Command.clear()],
                        }
                    )
                    for index, code in enumerate(codes.sorted("code"))
                ],
            }
        )
        contract.action_confirm()
        env["construction.billing.progress"].create(
            [
                {
                    "sale_line_id": line.id,
                    "basis": "percent",
                    "percent": 40,
                    "state": "approved",
                }
                for line in contract.order_line
            ]
        )
        cr.commit()
        return contract.id


def suite(registry, contract_id):
    """Seconds to create the pay application (computed) and print both pages."""
    with registry.cursor() as cr:
        env = env_of(cr)
        report = env.ref("construction_billing.action_report_pay_application")
        start = time.perf_counter()
        application = env["construction.pay.application"].create({"contract_id": contract_id})
        env.flush_all()
        computed = time.perf_counter() - start
        pdf, _kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, application.ids
        )
        total = time.perf_counter() - start
        assert pdf[:5] == b"%PDF-" and len(application.line_ids) == len(
            env["sale.order"].browse(contract_id).order_line
        )
        cr.rollback()
        return computed, total


def plain(registry, contract_id):
    """Seconds to print the same lines as Odoo's own sale order PDF."""
    with registry.cursor() as cr:
        env = env_of(cr)
        report = env.ref("sale.action_report_saleorder")
        start = time.perf_counter()
        pdf, _kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, [contract_id]
        )
        seconds = time.perf_counter() - start
        assert pdf[:5] == b"%PDF-"
        cr.rollback()
        return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    registry = open_registry(args)
    contract_id = prepare(registry, args.lines)
    runs = [suite(registry, contract_id) for _run in range(args.runs)]
    computed = statistics.median(run[0] for run in runs)
    total = statistics.median(run[1] for run in runs)
    baseline = statistics.median(plain(registry, contract_id) for _run in range(args.runs))
    print(f"\nPay application over {args.lines} schedule lines (median of {args.runs} runs)")
    print(f"{'way':<58} {'seconds':>8} {'vs plain':>9}")
    print(f"{'plain Odoo: sale order PDF of the same lines':<58} {baseline:>8.2f} {'1.0x':>9}")
    print(f"{'suite: pay application computed (sheet + summary written)':<58} {computed:>8.2f}")
    print(
        f"{'suite: computed and printed (both pages, PDF)':<58} {total:>8.2f} "
        f"{baseline / total:>8.1f}x"
    )
    verdict = "PASS" if total < TARGET else "FAIL"
    print(f"target: computed and printed < {TARGET:.0f} s: {verdict}")
    record("pay application (2,000 lines)", "plain: sale order PDF", f"{baseline:.2f} s", 1.0)
    record(
        "pay application (2,000 lines)",
        "suite: computed and printed",
        f"{total:.2f} s",
        baseline / total,
        f"< {TARGET:.0f} s",
    )


if __name__ == "__main__":
    main()
