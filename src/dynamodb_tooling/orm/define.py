"""``define_model(dict)``: a Stacks-style definition as a ``Model`` class.

>>> User = define_model({"name": "User", "attributes": {"email": {"unique": True}}})
>>> User(email="ada@example.com").to_item()["pk"]  # doctest: +SKIP
'USER#01J...'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamodb_tooling.orm.model import Model
from dynamodb_tooling.schema import Registry, get_registry
from dynamodb_tooling.schema.stacks import parse_stacks_model


def define_model(
    data: Mapping[str, Any], *, registry: Registry | None = None, source: str = "<dict>"
) -> type[Model]:
    """Parse a Stacks model definition, register it, and return a ``Model`` class for it."""
    definition = parse_stacks_model(data, source=source)
    namespace = {"__module__": __name__, "__qualname__": definition.name}
    return type(
        definition.name,
        (Model,),
        namespace,
        definition=definition,
        registry=registry or get_registry(),
    )
