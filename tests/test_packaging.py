"""Every addon packages like an OCA addon and declares what it needs.

``bin/test`` builds a wheel of every addon under ``addons/`` with whool
(``pip wheel --no-deps ./addons/<addon>``) into ``var/wheels/``. The wheel's
metadata, derived from the manifest, is what pip resolves when someone
installs the addon: it must name the addons outside Odoo that the addon
depends on and the Python packages it imports, under their names on PyPI.
"""

import ast
import importlib.metadata
import importlib.util
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
WHEELS = REPO / "var" / "wheels"
ADDONS = sorted(path.parent for path in (REPO / "addons").glob("*/__manifest__.py"))


def manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def odoo_core_addons():
    """Names of the addons that come with Odoo itself (its source's two addons folders)."""
    package = Path(importlib.util.find_spec("odoo").origin).parent
    folders = (package / "addons", package.parent / "addons")
    return {path.parent.name for folder in folders for path in folder.glob("*/__manifest__.py")}


def wheel_requirements(addon):
    """The ``Requires-Dist`` of the addon's wheel in var/wheels/, canonical names."""
    wheels = sorted(WHEELS.glob(f"odoo_addon_{addon.name}-*.whl"))
    assert len(wheels) == 1, f"one wheel of {addon.name} expected in {WHEELS}: bin/test builds it"
    with zipfile.ZipFile(wheels[0]) as wheel:
        (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = HeaderParser().parsestr(wheel.read(metadata_name).decode())
    return {canonicalize_name(Requirement(line).name) for line in metadata.get_all("Requires-Dist")}


def imported_top_level_names(addon):
    """Top-level names the addon's own code imports (its tests and lib tests aside)."""
    names = set()
    for path in addon.rglob("*.py"):
        if "tests" in path.relative_to(addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"odoo"}


@pytest.mark.parametrize("addon", ADDONS, ids=[addon.name for addon in ADDONS])
def test_the_wheel_requires_the_addons_outside_odoo_and_the_python_packages(addon):
    data = manifest(addon)
    requires = wheel_requirements(addon)
    core = odoo_core_addons()
    for depend in data.get("depends", []):
        if depend not in core:
            assert canonicalize_name(f"odoo-addon-{depend}") in requires, depend
    for package in data.get("external_dependencies", {}).get("python", []):
        assert canonicalize_name(Requirement(package).name) in requires, package


@pytest.mark.parametrize("addon", ADDONS, ids=[addon.name for addon in ADDONS])
def test_python_dependencies_are_named_as_pip_installs_them(addon):
    for package in manifest(addon).get("external_dependencies", {}).get("python", []):
        name = Requirement(package).name
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(
                f"{addon.name}: no installed distribution is named {name!r} (PIL is Pillow)"
            )


@pytest.mark.parametrize("addon", ADDONS, ids=[addon.name for addon in ADDONS])
def test_every_package_the_addon_imports_is_declared_or_comes_with_odoo(addon):
    declared = {
        canonicalize_name(Requirement(package).name)
        for package in manifest(addon).get("external_dependencies", {}).get("python", [])
    }
    with_odoo = {
        canonicalize_name(Requirement(line).name)
        for line in importlib.metadata.requires("odoo") or []
        if "extra ==" not in line
    }
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for name in sorted(imported_top_level_names(addon)):
        provided_by = {canonicalize_name(dist) for dist in distributions.get(name, [])}
        if not provided_by & (declared | with_odoo):
            undeclared[name] = sorted(provided_by) or "no installed distribution"
    assert not undeclared, f"add to {addon.name}'s external_dependencies: {undeclared}"
