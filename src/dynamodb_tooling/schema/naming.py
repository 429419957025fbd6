"""Naming rules shared by both front ends, so the same model written either way is identical.

* relation names: ``belongsTo: ["Team"]`` → ``team``; ``hasMany: ["Post"]`` → ``posts``;
  ``hasOne: ["Profile"]`` → ``profile``; ``belongsToMany: ["Role"]`` → ``roles``;
* foreign keys: ``<snake parent>_id`` (``OrderLine`` → ``order_line_id``);
* key prefixes: the model name upper-cased unless given (``User`` → ``USER``);
* attributes: nullable ones default to ``None``; an attribute is required when it is neither
  nullable nor defaulted.
"""

from __future__ import annotations

import re
from typing import Any

from dynamodb_tooling.schema.definitions import AttributeDefinition, AttributeType, RelationKind

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def snake(name: str) -> str:
    """``OrderLine`` → ``order_line``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def plural(word: str) -> str:
    """English plural good enough for relation names (``category`` → ``categories``)."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def relation_name(kind: RelationKind, target: str) -> str:
    """The default attribute name of a relation to ``target``."""
    base = snake(target)
    return plural(base) if kind in ("has_many", "belongs_to_many") else base


def foreign_key(parent: str) -> str:
    return f"{snake(parent)}_id"


def default_prefix(name: str) -> str:
    return name.upper()


def is_identifier(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


def make_attribute(
    name: str,
    type_: AttributeType,
    *,
    nullable: bool = False,
    default: Any = None,
    has_default: bool = False,
    **options: Any,
) -> AttributeDefinition:
    """An attribute with the shared normalisation (nullable ⇒ default None; required rule)."""
    if nullable and not has_default:
        has_default = True
        default = None
    required = not nullable and not has_default
    return AttributeDefinition(
        name=name,
        type=type_,
        nullable=nullable,
        default=default,
        has_default=has_default,
        required=required,
        **options,
    )
