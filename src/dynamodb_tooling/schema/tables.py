"""Models in their own table (``class Audit(Model, table="Audit")``): which table each model
lives in, the part of the resolved schema each table holds, and the cross-table checks.

A model without ``table`` lives in the main table (``default_table_name``); a model with one
lives in ``full_table_name(table)`` (the same prefix and suffix rules). Models naming the same
table share it: they form their own single-table design there, with the same key scheme
(DESIGN §2) and the same overloaded GSI slots. Tables are told apart by their full name, so
``table="MainTable"`` under the default configuration is the main table.

What crosses tables: a foreign key served by the child's GSI (``BelongsTo`` / ``HasMany`` /
``HasOne``) and a lookup by id (a GetItem in the parent's table). What cannot: anything that
puts items of two models in one partition or writes edge items between them — a collection
child (``collection=True``), many-to-many edges (``BelongsToMany``) and polymorphic
many-to-many edges (``MorphToMany``); those raise :class:`SchemaError` naming the fix.

>>> tables_of(registry.schema, registry.config)  # doctest: +SKIP
{'MainTable': ('Post', 'User'), 'Audit': ('AuditEvent',)}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.config import check_table_name as check_full_name
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.resolve import ResolvedSchema

__all__ = ["check_table_name", "check_tables", "table_of", "table_schema", "tables_of"]

#: DynamoDB table names: letters, digits, ``_``, ``-`` and ``.``; 3 to 255 of them with the
#: configured prefix and suffix (checked by :func:`check_tables` when the registry resolves).
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


def check_table_name(model: str, table: object, *, option: str = "table=") -> str | None:
    """``table`` if it can name a DynamoDB table, else a :class:`SchemaError` naming the model
    (``model: table='a b' is not ...``; without the model when ``model`` is empty) and the
    ``option`` that set it (``dynamodbTable`` for a Stacks model)."""
    if table is None:
        return None
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        where = f"{model}: " if model else ""
        raise SchemaError(
            f"{where}{option}{table!r} is not a DynamoDB table name; use 1 to 255 letters, "
            f"digits, '_', '-' or '.' (e.g. {option}'Audit'), or leave {option.rstrip('= ')} "
            "out to keep the model in the main table"
        )
    return table


def table_of(model: ModelDefinition, config: Config) -> str:
    """The full name of the table ``model`` lives in (prefix and suffix applied)."""
    return full_table_name(model.table, config)


def tables_of(schema: ResolvedSchema, config: Config) -> dict[str, tuple[str, ...]]:
    """Every table the models need → the models in it (by name): the main table first (it
    always exists: the migration state lives there too), then the others by name."""
    main = full_table_name(None, config)
    found: dict[str, list[str]] = {main: []}
    for entity in schema.entities:
        found.setdefault(table_of(entity.model, config), []).append(entity.name)
    ordered = [main, *sorted(name for name in found if name != main)]
    return {name: tuple(found[name]) for name in ordered}


def table_schema(schema: ResolvedSchema, models: Iterable[str]) -> ResolvedSchema:
    """The part of ``schema`` one table holds: its models' entities and the pivots between
    them (after :func:`check_tables`, a pivot never spans two tables); LSIs counted for them
    only. Key templates still need the whole schema (a parent's prefix may live elsewhere)."""
    names = set(models)
    entities = tuple(e for e in schema.entities if e.name in names)
    return ResolvedSchema(
        entities=entities,
        pivots=tuple(p for p in schema.pivots if p.owner in names),
        gsi_count=schema.gsi_count,
        lsi_count=max((p.slot for e in entities for p in e.lsi_paths), default=0),
        morph_pivots=tuple(p for p in schema.morph_pivots if p.target in names),
    )


def check_tables(schema: ResolvedSchema, config: Config) -> None:
    """Refuse a model's table name DynamoDB would refuse (with the prefix and suffix), and
    relations that need one partition or edge items across two tables."""
    table = {e.name: table_of(e.model, config) for e in schema.entities}
    for entity in schema.entities:
        if entity.model.table is not None:
            try:
                check_full_name(table[entity.name])
            except ValueError as exc:
                raise SchemaError(
                    f"{entity.name}: table={entity.model.table!r} names table "
                    f"{table[entity.name]!r}, which DynamoDB refuses: {exc}; choose another "
                    "table= (or another table_name_prefix/suffix)"
                ) from None
    for entity in schema.entities:
        link = entity.collection_parent
        if link is not None and table[link.child] != table[link.parent]:
            raise SchemaError(
                f"{link.child}.{link.relation}: a collection child (collection=True) lives in "
                f"its {link.parent}'s partition, but {link.child} is in table "
                f"{table[link.child]} and {link.parent} in {table[link.parent]}; give both the "
                "same table=, or drop collection=True (the relation is then served by "
                f"{link.child}'s GSI, which works across tables)"
            )
    for pivot in schema.pivots:
        if table[pivot.owner] != table[pivot.other]:
            raise SchemaError(
                f"{pivot.owner}.{pivot.owner_relation}: many-to-many edges ({pivot.name}) live "
                f"in one table, but {pivot.owner} is in table {table[pivot.owner]} and "
                f"{pivot.other} in {table[pivot.other]}; give both the same table=, or model "
                f"the link as its own model with BelongsTo({pivot.owner!r}) and "
                f"BelongsTo({pivot.other!r})"
            )
    for morph in schema.morph_pivots:
        elsewhere = [t for t in morph.types if table[t] != table[morph.target]]
        if elsewhere:
            raise SchemaError(
                f"{morph.name}: polymorphic many-to-many edges ({morph.morph_name}) live in one "
                f"table, but {morph.target} is in table {table[morph.target]} and "
                f"{', '.join(f'{t} in {table[t]}' for t in elsewhere)}; give them the same "
                "table=, or model the link as its own model with a MorphTo and a BelongsTo"
            )
