import pytest

from ..openapi import merge, operations

BASE = {"openapi": "3.1.0", "paths": {"/a": {"get": {}}}, "components": {"schemas": {"A": {}}}}


def test_fragments_add_paths_and_components():
    document = merge(
        BASE, [("mod", {"paths": {"/b": {"post": {}}}, "components": {"schemas": {"B": {}}}})]
    )
    assert operations(document) == {("/a", "GET"), ("/b", "POST")}
    assert set(document["components"]["schemas"]) == {"A", "B"}
    assert "/b" not in BASE["paths"], "the base document is not changed"


@pytest.mark.parametrize(
    "fragment",
    [{"paths": {"/a": {"post": {}}}}, {"components": {"schemas": {"A": {"type": "object"}}}}],
)
def test_a_second_definition_is_a_packaging_error(fragment):
    with pytest.raises(ValueError, match="mod:"):
        merge(BASE, [("mod", fragment)])
