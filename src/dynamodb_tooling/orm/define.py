"""``define_model(dict)``: a Stacks-style definition as a ``Model`` class.

The class is the one a class body declares: the same registered definition, a typed reference
per attribute, and each declared relation (``hasMany``, ``belongsTo`` ...) as a relation
attribute (``Comment.post`` is a :class:`BelongsTo`, as ``post = BelongsTo(Post)`` gives).

>>> Comment = define_model({"name": "Comment", "belongsTo": ["Post"], "attributes": {"body": {}}})
>>> Comment.post  # doctest: +SKIP
<dynamodb_tooling.orm.relations.BelongsTo object at ...>
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from dynamodb_tooling.orm.model import Model
from dynamodb_tooling.orm.relations import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    HasOne,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
    Relation,
)
from dynamodb_tooling.schema import (
    ModelDefinition,
    Registry,
    RelationDefinition,
    RelationKind,
    SchemaError,
    get_registry,
)
from dynamodb_tooling.schema.stacks import parse_stacks_model

_RELATIONS: Mapping[RelationKind, Callable[[RelationDefinition], Relation[Any]]] = {
    "has_one": lambda r: HasOne(r.target),
    "has_many": lambda r: HasMany(r.target),
    "belongs_to": lambda r: BelongsTo(r.target),
    "belongs_to_many": lambda r: BelongsToMany(r.target),
    "morph_one": lambda r: MorphOne(r.target, name=r.morph_name),
    "morph_many": lambda r: MorphMany(r.target, name=r.morph_name),
    "morph_to": lambda r: MorphTo(r.morph_name),
    "morph_to_many": lambda r: MorphToMany(r.target, name=r.morph_name),
    "morphed_by_many": lambda r: MorphedByMany(r.target, name=r.morph_name),
}
_STACKS_KEYS: Mapping[RelationKind, str] = {
    "has_one": "hasOne",
    "has_many": "hasMany",
    "belongs_to": "belongsTo",
    "belongs_to_many": "belongsToMany",
    "morph_one": "morphOne",
    "morph_many": "morphMany",
    "morph_to": "morphTo",
    "morph_to_many": "morphToMany",
    "morphed_by_many": "morphedByMany",
}


def define_model(
    data: Mapping[str, Any],
    *,
    registry: Registry | None = None,
    source: str = "<dict>",
    module: str | None = None,
) -> type[Model]:
    """Parse a Stacks model definition, register it, and return a ``Model`` class for it.

    ``module`` is the class's ``__module__`` (default: the calling module, as for a class
    statement): defining the same name again from the same module replaces the model, as
    re-running a class statement does; another module defining a different model with that
    name is an error.
    """
    soft = (registry if registry is not None else get_registry()).config
    definition = parse_stacks_model(
        data, source=source, soft_deletes_default=soft.query_builder.soft_deletes.enabled
    )
    if module is None:
        module = sys._getframe(1).f_globals.get("__name__", "__main__")
    return model_from_definition(definition, registry=registry, module=module)


def model_from_definition(
    definition: ModelDefinition, *, registry: Registry | None = None, module: str | None = None
) -> type[Model]:
    """A ``Model`` class for ``definition`` (registered into ``registry``, default the
    application registry), its declared relations as relation attributes."""
    _check_names(definition)
    namespace: dict[str, Any] = {
        "__module__": module or __name__,
        "__qualname__": definition.name,
        "__doc__": f"The {definition.name} model (defined from a Stacks definition).",
    }
    for relation in definition.relations:
        if not relation.derived:
            namespace[relation.name] = relation_attribute(relation)
    return type(
        definition.name,
        (Model,),
        namespace,
        definition=definition,
        registry=registry if registry is not None else get_registry(),
    )


def relation_attribute(relation: RelationDefinition) -> Relation[Any]:
    """The relation declaration (``HasMany(...)`` ...) that declares ``relation``."""
    declared = _RELATIONS[relation.kind](relation)
    declared.foreign_key = relation.foreign_key
    declared.collection = relation.collection
    declared.sort_by = relation.sort_by
    declared.index = relation.index
    declared.shards = relation.shards
    if isinstance(declared, BelongsToMany):
        declared.pivot_name = relation.pivot
        declared.pivot_attributes = relation.pivot_attributes
    declared.name = relation.name
    return declared


def _check_names(definition: ModelDefinition) -> None:
    """Attributes and relations become class attributes: none may hide what ``Model`` has
    (``query``, ``save``, ``where`` ...), or the class would stop working."""
    taken = {name for klass in Model.__mro__[:-1] for name in vars(klass)}
    for attribute in definition.attributes:
        if attribute.name in taken:
            raise SchemaError(
                f"{definition.name}.{attribute.name}: this name is reserved by Model; rename "
                "the attribute"
            )
    for relation in definition.relations:
        if relation.name in taken and not relation.derived:
            key = _STACKS_KEYS[relation.kind]
            raise SchemaError(
                f"{definition.name}.{relation.name}: the relation name ({key} "
                f"{relation.target}) is reserved by Model; give the relation another name "
                f"({key}: [{{model: '{relation.target}', relationName: '...'}}])"
            )
