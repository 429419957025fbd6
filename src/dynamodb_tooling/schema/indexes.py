"""Index name → key attributes, from one place.

Reads (cursors, ``select()`` projections, raw ``use_index`` queries) need the key attributes of
the index they read; the key scheme needs every overloaded index attribute to strip it from
items. Both ask here, so a configured extra index is never missing from one of them.

>>> index_key_attributes(config, "GSI1")  # doctest: +SKIP
('gsi1pk', 'gsi1sk')
"""

from __future__ import annotations

from dynamodb_tooling.config import Config, SingleTableDesignConfig
from dynamodb_tooling.config._schema import MAX_GSI_PER_TABLE, MAX_LSI_PER_TABLE
from dynamodb_tooling.errors import QueryError


def index_key_attributes(config: Config, index_name: str | None) -> tuple[str, str | None]:
    """The ``(partition, sort)`` key attributes of ``index_name`` (``None``: the table).

    Covers the overloaded ``GSI{n}`` (the configured ones, then every slot a table may still
    hold after ``gsi_count`` was lowered), the configured extra global and local indexes and
    the ``LSI{n}`` of sorted collections. An unknown name raises :class:`QueryError`.
    """
    design = config.single_table_design
    if index_name is None:
        return design.partition_key_name, design.sort_key_name
    for n in range(1, design.gsi_count + 1):
        if index_name == design.gsi_name(n):
            return design.gsi_pk(n), design.gsi_sk(n)
    for extra in config.global_secondary_indexes:
        if extra.name == index_name:
            return extra.partition_key, extra.sort_key
    for local in config.local_secondary_indexes:
        if local.name == index_name:
            return design.partition_key_name, local.sort_key
    for n in range(design.gsi_count + 1, MAX_GSI_PER_TABLE + 1):
        if index_name == design.gsi_name(n):
            return design.gsi_pk(n), design.gsi_sk(n)
    for n in range(1, MAX_LSI_PER_TABLE + 1):
        if index_name == design.lsi_name(n):
            return design.partition_key_name, design.lsi_sk(n)
    raise QueryError(
        f"index {index_name!r} is not in the configuration; known indexes: "
        f"{', '.join(known_indexes(config))} (add it to global_secondary_indexes or "
        "local_secondary_indexes, or fix the name)"
    )


def key_attribute_names(config: Config, index_name: str | None) -> tuple[str, ...]:
    """Every attribute of the key of an item read from ``index_name``: the table's keys plus
    the index's (what an ``ExclusiveStartKey`` on that index must hold), each once."""
    design = config.single_table_design
    names = [design.partition_key_name, design.sort_key_name]
    names += [n for n in index_key_attributes(config, index_name) if n is not None]
    return tuple(dict.fromkeys(names))


def known_indexes(config: Config) -> list[str]:
    """The configured index names (overloaded GSIs, extra GSIs, extra LSIs)."""
    design = config.single_table_design
    names = [design.gsi_name(n) for n in range(1, design.gsi_count + 1)]
    names += [extra.name for extra in config.global_secondary_indexes]
    names += [local.name for local in config.local_secondary_indexes]
    return names


def overloaded_key_attributes(design: SingleTableDesignConfig) -> frozenset[str]:
    """Every key attribute of the overloaded indexes a table may hold (``gsi{n}pk``/``gsi{n}sk``
    for every possible GSI slot, ``lsi{n}sk`` for every possible LSI): the library's own
    bookkeeping, never model values. Extra configured indexes are keyed on model attributes,
    so they are not listed."""
    names = {design.gsi_pk(n) for n in range(1, MAX_GSI_PER_TABLE + 1)}
    names |= {design.gsi_sk(n) for n in range(1, MAX_GSI_PER_TABLE + 1)}
    names |= {design.lsi_sk(n) for n in range(1, MAX_LSI_PER_TABLE + 1)}
    return frozenset(names)
