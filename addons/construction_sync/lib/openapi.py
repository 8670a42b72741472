"""Assemble the suite's OpenAPI document from each module's fragment."""

import copy


def merge(base, fragments):
    """``base`` with the ``paths`` and ``components`` of each fragment added.

    A path or component defined twice is a packaging mistake and raises
    ``ValueError`` rather than silently hiding one of the two."""
    document = copy.deepcopy(base)
    for origin, fragment in fragments:
        for path, operations in fragment.get("paths", {}).items():
            if path in document.setdefault("paths", {}):
                raise ValueError(f"{origin}: path {path} is already documented")
            document["paths"][path] = operations
        for section, items in fragment.get("components", {}).items():
            target = document.setdefault("components", {}).setdefault(section, {})
            for name, item in items.items():
                if name in target:
                    raise ValueError(f"{origin}: component {section}/{name} is already defined")
                target[name] = item
    return document


def operations(document):
    """``{(path, METHOD)}`` of every documented operation."""
    methods = {"get", "post", "put", "patch", "delete"}
    return {
        (path, method.upper())
        for path, item in document.get("paths", {}).items()
        for method in item
        if method in methods
    }
