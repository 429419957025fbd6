"""Stacks model definitions (dicts, JSON, YAML, parsed ``.ts`` literals) → :class:`ModelDefinition`.

A Stacks model is a plain object::

    {"name": "User", "hasMany": ["Post"], "belongsTo": ["Team"],
     "attributes": {"email": {"unique": True, "validation": {"rule": "required|email"}}},
     "traits": {"useTimestamps": True}}

Relations (``hasMany``, ``belongsTo``, polymorphic ``morphMany``/``morphTo``/``morphToMany``
…) are read by :mod:`._stacks_relations`. Every property is checked: an unknown one is a
:class:`SchemaError` naming the model, the property, the closest known spelling and the
source. camelCase and snake_case spellings are both
accepted (``primaryKey`` / ``primary_key``), never both at once. A few Stacks properties that
have no meaning for a DynamoDB table (``autoIncrement``, ``dashboard``, ``useSeeder`` …) are
accepted and recorded in ``ModelDefinition.notes``.

Attribute types (``type``; else inferred from ``cast``, else from the validation rule, else
``"string"``) map through :data:`TYPE_ALIASES`. Validation rules (with their custom
``message``) are compiled by :mod:`.validation` here, so an unknown rule fails at once.

``table`` (the model's SQL table in Stacks, ``table: 'users'``) is ignored and noted: every
Stacks model lives in the single table. ``dynamodbTable: 'Audit'`` puts a model in a DynamoDB
table of its own, as ``class Audit(Model, table="Audit")`` does (see :mod:`.tables`).

Not supported yet, and refused rather than ignored: a ``cast`` that is not a type name
(``encrypted``, ``hashed``, custom casts; ``cast: 'integer'`` is read as the type).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from dynamodb_tooling.schema._stacks_relations import RELATION_KINDS
from dynamodb_tooling.schema._stacks_relations import relations as parse_relations
from dynamodb_tooling.schema._stacks_values import (
    Context,
    bool_,
    canonical,
    describe,
    identifier,
    list_,
    mapping,
    optional_str,
)
from dynamodb_tooling.schema.definitions import (
    AttributeDefinition,
    AttributeType,
    IdStrategy,
    IndexDefinition,
    ModelDefinition,
    ProjectionType,
    RawCode,
    RelationDefinition,
    Traits,
)
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.ids import uuid_strategy
from dynamodb_tooling.schema.naming import (
    default_prefix,
    make_attribute,
)
from dynamodb_tooling.schema.registry import Registry, get_registry
from dynamodb_tooling.schema.tables import check_table_name
from dynamodb_tooling.schema.validation import compile_rules, with_messages


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Stacks / TypeScript / Laravel type names → attribute type (lower-cased before lookup).
TYPE_ALIASES: Mapping[str, AttributeType] = {
    **dict.fromkeys(_words("string str text char varchar email url uuid ulid enum"), "string"),
    **dict.fromkeys(_words("integer int bigint smallint tinyint"), "integer"),
    **dict.fromkeys(_words("number numeric float double real"), "number"),
    "decimal": "decimal",
    **dict.fromkeys(_words("boolean bool"), "boolean"),
    "date": "date",
    **dict.fromkeys(_words("datetime timestamp timestamptz"), "datetime"),
    **dict.fromkeys(_words("binary bytes blob buffer"), "binary"),
    **dict.fromkeys(_words("map object record dict"), "map"),
    "json": "json",
    **dict.fromkeys(_words("array list"), "list"),
    **dict.fromkeys(_words("string_set stringset"), "string_set"),
    **dict.fromkeys(_words("number_set numberset"), "number_set"),
    **dict.fromkeys(_words("binary_set binaryset"), "binary_set"),
    **dict.fromkeys(_words("any unknown mixed"), "any"),
}

_MODEL_KEYS = ("name", "table", "primaryKey", "pkPrefix", "attributes", *RELATION_KINDS)
_MODEL_KEYS += ("traits", "indexes", "factory", "dynamodbTable")
# Stacks properties with no DynamoDB meaning: accepted, noted, ignored.
_MODEL_IGNORED = ("autoIncrement", "dashboard", "get", "set")
_ATTRIBUTE_KEYS = _words("type fillable guarded unique hidden nullable required default cast")
_ATTRIBUTE_KEYS += ("index", "validation", "description")
_ATTRIBUTE_IGNORED = ("order", "factory")
_TRAIT_KEYS = ("useTimestamps", "useSoftDeletes", "useUuid", "useTtl", "useVersioning")
_TRAIT_ALIASES = {"timestampable": "useTimestamps", "softDeletable": "useSoftDeletes"}
_TRAIT_IGNORED = _words(
    "useSeeder seedable useAuth authenticatable useSearch searchable useApi observe"
)
_PREFIX = re.compile(r"^[A-Za-z0-9_]+$")
_CHAIN_CALL = re.compile(r"\b(?:schema|vine|v)\.([A-Za-z_]+)\s*\(")


def parse_stacks_model(
    data: Mapping[str, Any], *, source: str = "<dict>", soft_deletes_default: bool = False
) -> ModelDefinition:
    """The :class:`ModelDefinition` of one Stacks model object. ``soft_deletes_default`` is
    ``useSoftDeletes`` when the model's traits do not say (the configuration's
    ``query_builder.soft_deletes.enabled``).

    >>> parse_stacks_model({"name": "Team", "hasMany": ["User"]}).relations[0].name
    'users'
    """
    ctx = Context(source, soft_deletes_default=soft_deletes_default)
    if not isinstance(data, Mapping):
        ctx.fail(f"a model must be an object, got {describe(data)}")
    if isinstance(data.get("name"), str) and data["name"]:
        ctx.model = data["name"]
    props = canonical(data, _MODEL_KEYS, _MODEL_IGNORED, {}, "in the model", ctx)
    name = _model_name(props, ctx)
    ctx.model = name
    attributes = _attributes(props.get("attributes"), ctx)
    relations = parse_relations(props, ctx)
    _check_clashes(attributes, relations, ctx)
    return ModelDefinition(
        name=name,
        prefix=_prefix(props.get("pkPrefix"), name, ctx),
        primary_key=identifier(props.get("primaryKey", "id"), "primaryKey", ctx),
        attributes=attributes,
        relations=relations,
        indexes=_indexes(props.get("indexes"), ctx),
        traits=_traits(props.get("traits"), ctx),
        table=_table(props.get("table"), props.get("dynamodbTable"), name, ctx),
        factory=_factory(props.get("factory")),
        notes=tuple(ctx.notes),
    )


def register_stacks_model(
    data: Mapping[str, Any], registry: Registry | None = None, *, source: str = "<dict>"
) -> ModelDefinition:
    """Parse a Stacks model and register it (into :func:`get_registry` by default)."""
    target = registry if registry is not None else get_registry()
    default = target.config.query_builder.soft_deletes.enabled
    definition = parse_stacks_model(data, source=source, soft_deletes_default=default)
    return target.register(definition)


# Model-level properties.
def _model_name(props: Mapping[str, Any], ctx: Context) -> str:
    if "name" not in props:
        ctx.fail("the required property 'name' is missing (e.g. name: 'User')")
    return identifier(props["name"], "name", ctx)


def _prefix(value: Any, name: str, ctx: Context) -> str:
    if value is None:
        return default_prefix(name)
    if not isinstance(value, str) or not _PREFIX.match(value):
        ctx.fail(f"pkPrefix must be letters, digits or _ (e.g. 'USR'), got {describe(value)}")
    return value


def _table(value: Any, own: Any, name: str, ctx: Context) -> str | None:
    """``table``: in Stacks the model's SQL table (``table: 'users'``). A single-table design
    has no per-model table, so it is ignored and noted, as the Stacks translation rules say
    ("Stacks models work as-is"): every Stacks model lives in the main table.
    ``dynamodbTable`` puts the model in a DynamoDB table of its own (the class option
    ``table=``; see :mod:`.tables`)."""
    if value is not None:
        if not isinstance(value, str):
            ctx.fail(f"table {describe(value)} must be a string (the Stacks table name)")
        ctx.notes.append(
            f"table {value!r} ignored: every Stacks model lives in the single table; for a "
            "DynamoDB table of its own, set dynamodbTable"
        )
    if own is None:
        return None
    try:
        return check_table_name("", own, option="dynamodbTable ")
    except SchemaError as exc:
        ctx.fail(str(exc))


def _factory(value: Any) -> RawCode | None:
    if value is None or isinstance(value, RawCode):
        return value
    if callable(value):
        return RawCode(f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', '?')}")
    return RawCode(repr(value))


def _check_clashes(
    attributes: Sequence[AttributeDefinition],
    relations: Sequence[RelationDefinition],
    ctx: Context,
) -> None:
    seen = {a.name for a in attributes}
    for relation in relations:
        if relation.name in seen:
            ctx.fail(
                f"relation name {relation.name!r} is already used by an attribute or relation; "
                "give one of them another name (relationName)"
            )
        seen.add(relation.name)


# Attributes.
def _attributes(value: Any, ctx: Context) -> tuple[AttributeDefinition, ...]:
    attributes = mapping(value, "attributes", ctx)
    return tuple(
        _attribute(identifier(name, "an attribute name", ctx), options, ctx)
        for name, options in attributes.items()
    )


def _attribute(name: str, options: Any, ctx: Context) -> AttributeDefinition:
    if isinstance(options, str):
        options = {"type": options}
    where = f"on attribute {name!r}"
    opts = canonical(
        mapping(options, f"attribute {name!r}", ctx),
        _ATTRIBUTE_KEYS,
        _ATTRIBUTE_IGNORED,
        {"validator": "validation"},
        where,
        ctx,
    )
    flags: dict[str, bool] = {
        k: bool_(opts[k], f"{name}.{k}", ctx)
        for k in ("fillable", "guarded", "unique", "hidden", "nullable", "required")
        if k in opts
    }
    if flags.get("fillable") and flags.get("guarded"):
        ctx.fail(f"attribute {name!r} is both fillable and guarded; keep one")
    rule = _validation_rule(opts.get("validation"), name, ctx)
    if rule is not None:
        try:
            compile_rules(rule, name)
        except SchemaError as exc:
            ctx.fail(f"attribute {name!r}: {exc}")
    nullable = _nullable(name, flags, ctx)
    index, index_sort = _index_option(opts.get("index", False), name, ctx)
    attribute = make_attribute(
        name,
        _attribute_type(name, opts, rule, ctx),
        nullable=nullable,
        default=opts.get("default"),
        has_default="default" in opts,
        unique=flags.get("unique", False),
        index=index,
        index_sort=index_sort,
        hidden=flags.get("hidden", False),
        fillable=flags.get("fillable", True),
        guarded=flags.get("guarded", False),
        validation=rule,
        description=optional_str(opts.get("description"), f"{name}.description", ctx) or "",
    )
    wants_required = flags.get("required", False) or _rule_requires(rule)
    if wants_required and not attribute.nullable and not attribute.required:
        attribute = replace(attribute, required=True)
    return attribute


def _nullable(name: str, flags: Mapping[str, bool], ctx: Context) -> bool:
    """``required: false`` means the value may be absent, which here means nullable."""
    if flags.get("required") is False:
        if flags.get("nullable") is False:
            ctx.fail(f"attribute {name!r} says required: false and nullable: false; keep one")
        return True
    return flags.get("nullable", False)


def _index_option(value: Any, name: str, ctx: Context) -> tuple[bool, str | None]:
    if isinstance(value, bool):
        return value, None
    if not isinstance(value, Mapping):
        ctx.fail(
            f"{name}.index must be true, false or {{sortBy: 'attribute'}}, got {describe(value)}"
        )
    opts = canonical(value, ("sortBy",), (), {}, f"in {name}.index", ctx)
    sort = opts.get("sortBy")
    return True, None if sort is None else identifier(sort, f"{name}.index.sortBy", ctx)


def _validation_rule(value: Any, name: str, ctx: Context) -> str | RawCode | None:
    if value is None or isinstance(value, str | RawCode):
        return value
    opts = canonical(
        mapping(value, f"{name}.validation", ctx),
        ("rule", "message"),
        (),
        {"messages": "message"},
        f"in {name}.validation",
        ctx,
    )
    rule = opts.get("rule")
    if rule is not None and not isinstance(rule, str | RawCode):
        ctx.fail(f"{name}.validation.rule must be a rule string or code, got {describe(rule)}")
    if rule is None and "message" in opts:
        ctx.fail(f"{name}.validation has a message but no rule; add rule: 'required|...'")
    try:
        return with_messages(rule, opts.get("message"))
    except SchemaError as exc:
        ctx.fail(f"attribute {name!r}: {exc}")


def _rule_requires(rule: str | RawCode | None) -> bool:
    if isinstance(rule, RawCode):
        return bool(re.search(r"\.required\s*\(", rule.text))
    if isinstance(rule, str):
        return "required" in (part.strip() for part in rule.split("|"))
    return False


def _attribute_type(
    name: str, opts: Mapping[str, Any], rule: str | RawCode | None, ctx: Context
) -> AttributeType:
    declared = opts.get("type")
    cast_type = _cast_type(name, opts.get("cast"), ctx)
    if declared is not None:
        if not isinstance(declared, str) or declared.lower() not in TYPE_ALIASES:
            known = ", ".join(sorted(set(TYPE_ALIASES)))
            ctx.fail(f"{name}.type {describe(declared)} is not a known type (known: {known})")
        if cast_type not in (None, TYPE_ALIASES[declared.lower()]):
            ctx.fail(
                f"{name}.cast {opts['cast']!r} disagrees with type {declared!r}; a cast names "
                "the attribute's type here, so keep one of them"
            )
        return TYPE_ALIASES[declared.lower()]
    return cast_type or _type_from_rule(rule) or "string"


def _cast_type(name: str, value: Any, ctx: Context) -> AttributeType | None:
    """A ``cast`` naming a type is that type; any other cast is not supported yet."""
    if value is None:
        return None
    if not isinstance(value, str):
        ctx.fail(f"{name}.cast must be a string, got {describe(value)}")
    if value.lower() not in TYPE_ALIASES:
        ctx.fail(
            f"{name}.cast {value!r} is not supported yet (casts that transform values, such "
            "as encrypted or hashed, are not applied); remove it, or give a type name "
            "(integer, boolean, datetime, json ...) which is read as the attribute's type"
        )
    return TYPE_ALIASES[value.lower()]


def _type_from_rule(rule: str | RawCode | None) -> AttributeType | None:
    """``schema.number().withoutDecimals()`` → integer; ``'required|email'`` → string."""
    if isinstance(rule, RawCode):
        match = _CHAIN_CALL.search(rule.text)
        if match is None:
            return None
        found = TYPE_ALIASES.get(match.group(1).lower())
        if found == "number" and re.search(r"\.(integer|withoutDecimals)\s*\(", rule.text):
            return "integer"
        return found
    if isinstance(rule, str):
        for part in rule.split("|"):
            found = TYPE_ALIASES.get(part.split(":")[0].strip().lower())
            if found is not None:
                return found
    return None


# Traits and indexes.
def _traits(value: Any, ctx: Context) -> Traits:
    traits = canonical(
        mapping(value, "traits", ctx),
        _TRAIT_KEYS,
        _TRAIT_IGNORED,
        _TRAIT_ALIASES,
        "in traits",
        ctx,
    )

    def flag(key: str) -> bool:
        default = ctx.soft_deletes_default if key == "useSoftDeletes" else False
        return bool_(traits.get(key, default), f"traits.{key}", ctx)

    ttl, ttl_attribute, ttl_index = _ttl(traits.get("useTtl", False), ctx)
    strategy = _id_strategy(traits.get("useUuid", False), ctx)
    return Traits(
        timestamps=flag("useTimestamps"),
        soft_deletes=flag("useSoftDeletes"),
        id_strategy=strategy,
        ttl=ttl,
        ttl_attribute=ttl_attribute,
        ttl_index=ttl_index,
        versioning=flag("useVersioning"),
    )


def _id_strategy(value: Any, ctx: Context) -> IdStrategy:
    """``useUuid``: ``true``/``"v4"`` random UUIDs, ``"v7"`` time-ordered ones, else ULIDs."""
    strategy = uuid_strategy(value)
    if strategy is None:
        raise ctx.error(f"traits.useUuid must be true, false, 'v4' or 'v7', got {describe(value)}")
    return strategy


def _ttl(value: Any, ctx: Context) -> tuple[bool, str | None, bool]:
    if isinstance(value, bool):
        return value, None, False
    if not isinstance(value, Mapping):
        ctx.fail(
            "traits.useTtl must be true or {attribute: 'expires_at', index: true}, got "
            f"{describe(value)}"
        )
    opts = canonical(value, ("attribute", "index"), (), {}, "in traits.useTtl", ctx)
    attribute = opts.get("attribute")
    index = opts.get("index", False)
    if not isinstance(index, bool):
        ctx.fail(f"traits.useTtl.index must be true or false, got {describe(index)}")
    named = None if attribute is None else identifier(attribute, "useTtl.attribute", ctx)
    return True, named, index


def _indexes(value: Any, ctx: Context) -> tuple[IndexDefinition, ...]:
    indexes = tuple(_index(entry, ctx) for entry in list_(value, "indexes", ctx))
    names = [index.name for index in indexes]
    for name in names:
        if names.count(name) > 1:
            ctx.fail(f"two indexes are named {name!r}; index names must be unique")
    return indexes


def _index(entry: Any, ctx: Context) -> IndexDefinition:
    opts = canonical(
        mapping(entry, "an entry of indexes", ctx),
        ("name", "columns", "projection"),
        (),
        {},
        "in an indexes entry",
        ctx,
    )
    name = identifier(opts.get("name"), "indexes[].name", ctx)
    columns = tuple(
        identifier(c, f"index {name}: columns", ctx)
        for c in list_(opts.get("columns"), f"index {name}: columns", ctx)
    )
    if not columns:
        ctx.fail(f"index {name!r} needs at least one column (columns: ['status'])")
    projection = opts.get("projection", "ALL")
    if not isinstance(projection, str) or projection.upper() not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        ctx.fail(
            f"index {name!r}: projection must be ALL, KEYS_ONLY or INCLUDE, "
            f"got {describe(projection)}"
        )
    return IndexDefinition(name, columns, cast(ProjectionType, projection.upper()))
