"""Odoo's own test runner sees every test module of every addon.

``odoo-bin --test-enable`` (and OCA's CI) runs only the test modules that an
addon's ``tests/__init__.py`` imports, while pytest finds every ``test_*.py``
on its own: a file missing from ``__init__.py`` passes here and is silently
skipped there. Every addon under ``addons/`` is checked, new ones included.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent for path in (REPO / "addons").glob("*/__manifest__.py"))


def imported_modules(init_file):
    """Names of the sibling modules an ``__init__.py`` imports (``from . import x``)."""
    names = set()
    for node in ast.walk(ast.parse(init_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
            names.update(alias.name for alias in node.names)
    return names


def forgotten_test_modules(tests_dir):
    """The ``test_*.py`` files of a tests package that its ``__init__.py`` does not import."""
    init_file = tests_dir / "__init__.py"
    imported = imported_modules(init_file) if init_file.is_file() else set()
    return sorted(path.name for path in tests_dir.glob("test_*.py") if path.stem not in imported)


def test_every_test_module_of_every_addon_is_imported_by_its_package():
    assert ADDONS, "no addon found under addons/"
    forgotten = {
        addon.name: missing
        for addon in ADDONS
        if (addon / "tests").is_dir() and (missing := forgotten_test_modules(addon / "tests"))
    }
    assert not forgotten, f"add them to the addon's tests/__init__.py: {forgotten}"


def test_a_forgotten_test_module_is_reported(tmp_path):
    (tmp_path / "__init__.py").write_text("from . import test_seen\nfrom . import common\n")
    for name in ("test_seen.py", "test_forgotten.py", "common.py"):
        (tmp_path / name).write_text("")
    assert forgotten_test_modules(tmp_path) == ["test_forgotten.py"]
