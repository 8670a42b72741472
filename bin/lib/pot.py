"""Export the translation template of addons, i18n/<addon>.pot, with Odoo's
own exporter (what ``odoo-bin --i18n-export=<addon>.pot --modules=<addon>``
writes), from a database where the addons are installed; one registry load
for all of them.

Usage: pot.py <config> <addons-path> <database> [--check] <addon folder>...

Without --check, writes each template whose terms changed (a template that
differs only by its creation date is left alone). With --check, writes
nothing and exits 1 when a template is missing or stale. Either way a file
whose terms Odoo cannot extract (it logs an error and leaves them out) fails
the export.
"""

import difflib
import io
import logging
import re
import sys
import warnings
from pathlib import Path

import odoo
from odoo.tools.translate import trans_export

# The header lines that change at every export whatever the terms.
DATED = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)


def terms(template):
    return DATED.sub(b"", template)


class Errors(logging.Handler):
    """Keeps the errors Odoo's exporter logs."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def export(cr, addon):
    errors = Errors()
    logger = logging.getLogger("odoo.tools.translate")
    logger.addHandler(errors)
    try:
        buffer = io.BytesIO()
        trans_export(False, [addon], buffer, "po", cr)
    finally:
        logger.removeHandler(errors)
    if errors.messages:
        sys.exit(f"{addon}: Odoo could not export every term:\n" + "\n".join(errors.messages))
    return buffer.getvalue()


def main(config, addons_path, db, *args):
    check = "--check" in args
    addons = [Path(arg) for arg in args if arg != "--check"]
    odoo.tools.config.parse_config(
        ["-c", config, f"--addons-path={addons_path}", "-d", db, "--log-level=error"]
    )
    # Babel 2.10, the release Odoo 18 requires, looks its extractors up through
    # pkg_resources and so warns at every export; nothing here can change it.
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s)",
            [[addon.name for addon in addons]],
        )
        installed = {name for (name,) in cr.fetchall()}
        stale = []
        for addon in addons:
            if addon.name not in installed:
                sys.exit(f"{addon.name} is not installed in {db}: add it to bin/common.sh MODULES")
            path = addon / "i18n" / f"{addon.name}.pot"
            current = path.read_bytes() if path.is_file() else b""
            fresh = export(cr, addon.name)
            if terms(fresh) == terms(current):
                continue
            stale.append(path)
            if check:
                diff = difflib.unified_diff(
                    terms(current).decode().splitlines(),
                    terms(fresh).decode().splitlines(),
                    f"{path} (in the repository)",
                    f"{path} (exported now)",
                    lineterm="",
                )
                print("\n".join(list(diff)[:40]), file=sys.stderr)
            else:
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(fresh)
                print(f"wrote {path}")
    if check and stale:
        sys.exit(f"stale translation templates: {', '.join(map(str, stale))}; run bin/pot")


if __name__ == "__main__":
    main(*sys.argv[1:])
