"""Naming rules shared by both front ends, so the same model written either way is identical.

* relation names: ``belongsTo: ["Team"]`` → ``team``; ``hasMany: ["Post"]`` → ``posts``;
  ``hasOne: ["Profile"]`` → ``profile``; ``belongsToMany: ["Role"]`` → ``roles``;
* foreign keys: ``<snake parent>_id`` (``OrderLine`` → ``order_line_id``);
* self links (trees, ``HasMany("self")``): foreign key ``parent_id``, relations ``parent``
  (belongs_to), ``children`` (has_many) and ``child`` (has_one);
* polymorphic links: morph name ``<snake child>able`` unless given (``Comment`` →
  ``commentable``), attributes ``<morph>_type`` (the parent's model name) and ``<morph>_id``;
  a polymorphic many-to-many's edges are named the morph name in PascalCase
  (``taggable`` → ``Taggable``);
* key prefixes: the model name upper-cased unless given (``User`` → ``USER``);
* attributes: nullable ones default to ``None``; an attribute is required when it is neither
  nullable nor defaulted.
"""

from __future__ import annotations

import re
from typing import Any

from dynamodb_tooling.schema.definitions import (
    SELF,
    AttributeDefinition,
    AttributeType,
    RelationDefinition,
    RelationKind,
)

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


#: The foreign key of a self link (a tree): the child holds its parent's id.
SELF_FOREIGN_KEY = "parent_id"
_SELF_NAMES: dict[str, str] = {"belongs_to": "parent", "has_many": "children", "has_one": "child"}
_TO_MANY = ("has_many", "belongs_to_many", "morph_many", "morph_to_many", "morphed_by_many")


def relation_name(kind: RelationKind, target: str, morph_name: str = "") -> str:
    """The default attribute name of a relation to ``target`` (``"self"`` for a tree; a
    ``morph_to`` is named after its ``morph_name``)."""
    if kind == "morph_to":
        return morph_name
    if target == SELF and kind in _SELF_NAMES:
        return _SELF_NAMES[kind]
    base = snake(target)
    return plural(base) if kind in _TO_MANY else base


def foreign_key(parent: str) -> str:
    return f"{snake(parent)}_id"


def is_self_link(model: str, relation: RelationDefinition) -> bool:
    """Whether ``relation`` of ``model`` links the model to itself (a tree)."""
    return relation.kind in _SELF_NAMES and relation.target in (model, SELF)


def link_foreign_key(model: str, relation: RelationDefinition) -> str:
    """The child's attribute holding the parent's id for a belongs_to/has_one/has_many
    ``relation`` declared on ``model``: the declared one, ``parent_id`` for a self link, else
    ``<snake parent>_id``."""
    if relation.foreign_key:
        return relation.foreign_key
    if is_self_link(model, relation):
        return SELF_FOREIGN_KEY
    return foreign_key(relation.target if relation.kind == "belongs_to" else model)


def self_relation_name(kind: RelationKind) -> str:
    """The derived name of the other side of a self link: ``parent``/``children``/``child``."""
    return _SELF_NAMES[kind]


def children_name(child: str, parent: str) -> str:
    """The derived name of a parent's has_many to ``child`` (``posts``; ``children`` in a
    tree)."""
    return _SELF_NAMES["has_many"] if child == parent else plural(snake(child))


def default_morph_name(child: str) -> str:
    """``Comment`` → ``commentable``: the morph name of a polymorphic link to ``child``."""
    return f"{snake(child)}able"


def morph_type_attribute(morph_name: str) -> str:
    """``commentable`` → ``commentable_type`` (holds the parent's model name)."""
    return f"{morph_name}_type"


def morph_id_attribute(morph_name: str) -> str:
    """``commentable`` → ``commentable_id`` (holds the parent's id)."""
    return f"{morph_name}_id"


def morph_pivot_name(morph_name: str) -> str:
    """``taggable`` → ``Taggable``: the entity type of a polymorphic many-to-many's edges."""
    return "".join(part[:1].upper() + part[1:] for part in morph_name.split("_"))


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
