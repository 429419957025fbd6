"""The table a registry needs: the CreateTable request, TTL, a readable summary and warnings.

Every configured overloaded GSI (``GSI1`` … ``GSI{gsi_count}``) is created, not only the slots
the current models use: slots are shared by every entity, so the next relation or indexed
attribute can start using one without an ``UpdateTable`` (which adds one GSI at a time and
backfills it). An unused GSI holds no items, so it costs nothing on ``PAY_PER_REQUEST``; on
``PROVISIONED`` lower ``gsi_count`` to the slots you need. LSIs can only be created with the
table, so exactly the LSIs the models use (plus the configured extras) are created.

>>> table_definition(registry.schema, config)["TableName"]  # doctest: +SKIP
'MainTable'
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

from dynamodb_tooling._types import (
    AttributeDefinition,
    AttributeType,
    CreateTableInput,
    GlobalSecondaryIndex,
    KeySchemaElement,
    KeyType,
    LocalSecondaryIndex,
    Projection,
    ProjectionType,
    ProvisionedThroughput,
    SSESpecification,
)
from dynamodb_tooling.config import (
    Config,
    IndexDefinition,
    LocalIndexDefinition,
    default_gsis,
    full_table_name,
)
from dynamodb_tooling.config._schema import MAX_GSI_PER_TABLE, MAX_LSI_PER_TABLE
from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.keys import KeyScheme
from dynamodb_tooling.schema.naming import plural
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    EntityScheme,
    ExpiryPath,
    GsiPath,
    IndexedAttributePath,
    MorphPath,
    ParentPath,
    ResolvedSchema,
    path_sort,
    path_source,
)

LSI_SIZE_WARNING = "item collections with an LSI are limited to 10 GB per partition key"


class TimeToLiveSpecification(TypedDict):
    """The ``TimeToLiveSpecification`` of an UpdateTimeToLive request."""

    AttributeName: str
    Enabled: bool


# CreateTable.


def table_definition(
    schema: ResolvedSchema, config: Config, table_name: str | None = None
) -> CreateTableInput:
    """The CreateTable request for ``schema``: keys, overloaded GSIs, LSIs and table options."""
    std = config.single_table_design
    definition: CreateTableInput = {
        "TableName": full_table_name(table_name, config),
        "KeySchema": [_key(std.partition_key_name, "HASH"), _key(std.sort_key_name, "RANGE")],
        "AttributeDefinitions": _attribute_definitions(schema, config),
        "BillingMode": config.capacity.billing_mode,
    }
    if config.capacity.billing_mode == "PROVISIONED":
        definition["ProvisionedThroughput"] = _throughput(config, None, None)
    definition["GlobalSecondaryIndexes"] = _global_indexes(config)
    local = _local_indexes(schema, config)
    if local:
        definition["LocalSecondaryIndexes"] = local
    _add_options(definition, config)
    return definition


def _key(name: str, key_type: KeyType) -> KeySchemaElement:
    return {"AttributeName": name, "KeyType": key_type}


def _key_attributes(schema: ResolvedSchema, config: Config) -> Iterator[tuple[str, AttributeType]]:
    std = config.single_table_design
    yield std.partition_key_name, "S"
    yield std.sort_key_name, "S"
    for n in range(1, std.gsi_count + 1):
        yield std.gsi_pk(n), "S"
        yield std.gsi_sk(n), "S"
    for n in range(1, schema.lsi_count + 1):
        yield std.lsi_sk(n), "S"
    for extra in config.global_secondary_indexes:
        yield extra.partition_key, extra.partition_key_type
        if extra.sort_key is not None:
            yield extra.sort_key, extra.sort_key_type
    for local in config.local_secondary_indexes:
        yield local.sort_key, local.sort_key_type


def _attribute_definitions(schema: ResolvedSchema, config: Config) -> list[AttributeDefinition]:
    """Exactly the attributes used as keys, each once, in key order."""
    types: dict[str, AttributeType] = {}
    for name, kind in _key_attributes(schema, config):
        if types.setdefault(name, kind) != kind:
            raise SchemaError(
                f"attribute {name!r} is used as an index key with types {types[name]!r} and "
                f"{kind!r}; an attribute has one type in every index — fix the extra index's "
                "partition_key_type/sort_key_type"
            )
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in types.items()]


def _throughput(config: Config, read: int | None, write: int | None) -> ProvisionedThroughput:
    return {
        "ReadCapacityUnits": read or config.capacity.read or 1,
        "WriteCapacityUnits": write or config.capacity.write or 1,
    }


def _projection(kind: ProjectionType, non_key: list[str]) -> Projection:
    projection: Projection = {"ProjectionType": kind}
    if kind == "INCLUDE":
        projection["NonKeyAttributes"] = list(non_key)
    return projection


def _global_indexes(config: Config) -> list[GlobalSecondaryIndex]:
    indexes = default_gsis(config)
    indexes += [_extra_gsi(extra, config) for extra in config.global_secondary_indexes]
    if len(indexes) > MAX_GSI_PER_TABLE:
        raise SchemaError(
            f"the table needs {len(indexes)} GSIs, above the DynamoDB limit of "
            f"{MAX_GSI_PER_TABLE}; lower single_table_design.gsi_count or drop extra indexes"
        )
    return indexes


def _extra_gsi(extra: IndexDefinition, config: Config) -> GlobalSecondaryIndex:
    schema = [_key(extra.partition_key, "HASH")]
    if extra.sort_key is not None:
        schema.append(_key(extra.sort_key, "RANGE"))
    index: GlobalSecondaryIndex = {
        "IndexName": extra.name,
        "KeySchema": schema,
        "Projection": _projection(extra.projection, extra.non_key_attributes),
    }
    if config.capacity.billing_mode == "PROVISIONED":
        index["ProvisionedThroughput"] = _throughput(config, extra.read, extra.write)
    return index


def _local_indexes(schema: ResolvedSchema, config: Config) -> list[LocalSecondaryIndex]:
    std = config.single_table_design
    indexes: list[LocalSecondaryIndex] = [
        {
            "IndexName": std.lsi_name(n),
            "KeySchema": [_key(std.partition_key_name, "HASH"), _key(std.lsi_sk(n), "RANGE")],
            "Projection": {"ProjectionType": "ALL"},
        }
        for n in range(1, schema.lsi_count + 1)
    ]
    indexes += [_extra_lsi(extra, config) for extra in config.local_secondary_indexes]
    if len(indexes) > MAX_LSI_PER_TABLE:
        raise SchemaError(
            f"the table needs {len(indexes)} LSIs ({schema.lsi_count} for sorted collections, "
            f"{len(config.local_secondary_indexes)} configured), above the DynamoDB limit of "
            f"{MAX_LSI_PER_TABLE}; drop a sort_by on a collection or a configured LSI"
        )
    return indexes


def _extra_lsi(extra: LocalIndexDefinition, config: Config) -> LocalSecondaryIndex:
    std = config.single_table_design
    return {
        "IndexName": extra.name,
        "KeySchema": [_key(std.partition_key_name, "HASH"), _key(extra.sort_key, "RANGE")],
        "Projection": _projection(extra.projection, extra.non_key_attributes),
    }


def _add_options(definition: CreateTableInput, config: Config) -> None:
    if config.streams.enabled:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": config.streams.view_type,
        }
    if config.sse.enabled:
        sse: SSESpecification = {"Enabled": True, "SSEType": "KMS"}
        if config.sse.kms_master_key_id:
            sse["KMSMasterKeyId"] = config.sse.kms_master_key_id
        definition["SSESpecification"] = sse
    definition["TableClass"] = config.table_class
    definition["DeletionProtectionEnabled"] = config.deletion_protection
    if config.tags:
        definition["Tags"] = [{"Key": k, "Value": config.tags[k]} for k in sorted(config.tags)]


# Time to live.


def ttl_specification(schema: ResolvedSchema, config: Config) -> TimeToLiveSpecification | None:
    """The UpdateTimeToLive specification, or ``None`` when no model and no config asks for TTL.

    DynamoDB allows one TTL attribute per table, so models with the ``ttl`` trait must agree
    with each other and with ``ttl.attribute_name`` when ``ttl.enabled``.
    """
    users: dict[str, list[str]] = {}
    if config.ttl.enabled:
        users.setdefault(config.ttl.attribute_name, []).append("config ttl.attribute_name")
    for entity in schema.entities:
        name = traits.expiry_attribute(entity.model, config.ttl.attribute_name)
        if name is not None:
            users.setdefault(name, []).append(entity.name)
    if not users:
        return None
    if len(users) > 1:
        described = "; ".join(f"{name!r} ({', '.join(who)})" for name, who in users.items())
        raise SchemaError(
            f"a table has one TTL attribute but the models use several: {described}; "
            "give every ttl trait the same ttl_attribute"
        )
    return {"AttributeName": next(iter(users)), "Enabled": True}


# Placeholders shared with the access patterns.


def placeholder(name: str, delimiter: str) -> str:
    """How a value appears in a key template: ``<user_id>`` (``{user_id}`` if ``<`` is taken)."""
    if "<" in delimiter or ">" in delimiter:
        return f"{{{name}}}"
    return f"<{name}>"


def sample_values(entity: EntityScheme, delimiter: str) -> dict[str, str]:
    """A placeholder for every value the keys of ``entity`` can depend on."""
    model = entity.model
    names = [model.primary_key, *(link.foreign_key for link in (*entity.ancestry, *entity.parents))]
    names += [a.name for a in model.attributes]
    names += [sort for p in entity.gsi_paths if (sort := path_sort(p))]
    names += [source for p in entity.gsi_paths if (source := path_source(p))]
    names += [lsi.sort_by for lsi in entity.lsi_paths]
    samples = {name: placeholder(name, delimiter) for name in dict.fromkeys(names)}
    for morph in entity.morphs:
        # The type is a model name (its key prefix goes in the key): the first type stands in.
        samples[morph.type_attribute] = morph.types[0]
        samples[morph.id_attribute] = placeholder(morph.id_attribute, delimiter)
    return samples


# Warnings.


def schema_warnings(schema: ResolvedSchema, config: Config) -> list[str]:
    """Optimisation suggestions: LSI size limits, paths that need a Scan, GSI slots running out."""
    found = [
        f"{config.single_table_design.lsi_name(lsi.slot)} sorts {plural(lsi.entity)} of a "
        f"{lsi.link.parent} by {lsi.sort_by}: {LSI_SIZE_WARNING}"
        for entity in schema.entities
        for lsi in entity.lsi_paths
    ]
    found += [f"{extra.name}: {LSI_SIZE_WARNING}" for extra in config.local_secondary_indexes]
    for entity in schema.entities:
        found += [
            f"listing {plural(link.child)} by {link.parent} needs a Scan: "
            f"{link.child}.{link.relation} has index=False (give it a GSI slot or make it a "
            "collection)"
            for link in entity.parents
            if not link.index and not link.collection
        ]
        found += [
            f"listing the {plural(morph.child)} of a {' or '.join(morph.types)} needs a Scan: "
            f"{morph.child}.{morph.relation} has index=False (give it a GSI slot)"
            for morph in entity.morphs
            if not morph.index
        ]
    return found + _slot_warnings(schema)


def _slot_warnings(schema: ResolvedSchema) -> list[str]:
    found = []
    for entity in schema.entities:
        used = len(entity.gsi_paths)
        if used and used >= schema.gsi_count and schema.gsi_count < MAX_GSI_PER_TABLE:
            found.append(
                f"{entity.name} uses {used} of {schema.gsi_count} GSI slots; another relation "
                f"or indexed attribute on it will need gsi_count={schema.gsi_count + 1}"
            )
    return found


# Summary.


def schema_summary(
    schema: ResolvedSchema,
    config: Config,
    keys: KeyScheme | None = None,
    table_name: str | None = None,
) -> str:
    """A human-readable summary of the table, its indexes, entities, sentinels and pivots.

    For one table of several (models with ``table=``), ``schema`` is that table's part,
    ``keys`` the whole registry's key scheme and ``table_name`` its full name."""
    summary = _Summary(schema, keys or KeyScheme(schema, config.single_table_design))
    lines = _table_lines(schema, config, table_name)
    lines += summary.gsi_lines() + summary.lsi_lines() + summary.entity_lines()
    lines += summary.unique_lines() + summary.pivot_lines()
    warnings = schema_warnings(schema, config)
    if warnings:
        lines += ["", "Warnings:", *(f"  - {w}" for w in warnings)]
    return "\n".join(lines) + "\n"


def _table_lines(schema: ResolvedSchema, config: Config, table_name: str | None) -> list[str]:
    std = config.single_table_design
    capacity = config.capacity
    billing: str = capacity.billing_mode
    if billing == "PROVISIONED":
        billing += f" (read {capacity.read or 1}, write {capacity.write or 1})"
    return [
        f"Table {table_name or full_table_name(None, config)}",
        f"  keys: {std.partition_key_name} (HASH, S), {std.sort_key_name} (RANGE, S); "
        f"entity type in {std.entity_type_attribute}",
        f"  billing: {billing}; table class: {config.table_class}",
        f"  {_count(std.gsi_count, 'overloaded GSI')}, {_count(schema.lsi_count, 'LSI')}, "
        f"{_count(len(schema.entities), 'entity', 'entities')}, "
        f"{_count(len(schema.pivots) + len(schema.morph_pivots), 'many-to-many pivot')}",
    ]


def _count(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def path_label(path: GsiPath) -> str:
    """``Post by user``, ``Order by id``, ``Post by status sorted by created_at``."""
    match path:
        case CollectionIdPath():
            return f"{path.entity} by id"
        case ExpiryPath():
            return f"{path.entity} by expiry ({path.attribute})"
        case ParentPath(sort_by=sort) | IndexedAttributePath(sort_by=sort):
            label = f"{path.entity} by {path.name}"
            return f"{label} sorted by {sort}" if sort else label
        case MorphPath(link=link):
            return f"{path.entity} by {path.name} (a {' or '.join(link.types)})"


class _Summary:
    """The key templates of every entity and pivot, rendered section by section."""

    def __init__(self, schema: ResolvedSchema, keys: KeyScheme) -> None:
        self.schema = schema
        self.keys = keys
        self.std = keys.design
        self.templates = {
            e.name: keys.item_keys(e.name, sample_values(e, keys.delimiter))
            for e in schema.entities
        }
        self.edges = {
            p.name: keys.edge_keys(
                p,
                placeholder(p.owner_key, keys.delimiter),
                placeholder(p.other_key, keys.delimiter),
            )
            for p in schema.pivots
        }
        self.morph_edges = {
            (p.name, kind): keys.morph_edge_keys(
                p,
                morph_type=kind,
                morph_id=placeholder(p.id_attribute, keys.delimiter),
                target_id=placeholder(p.target_key, keys.delimiter),
            )
            for p in schema.morph_pivots
            for kind in p.types
        }

    def gsi_lines(self) -> list[str]:
        lines: list[str] = []
        for n in range(1, self.schema.gsi_count + 1):
            pk, sk = self.std.gsi_pk(n), self.std.gsi_sk(n)
            used = [
                f"    {path_label(p)} ({pk}={self.templates[e.name][pk]}, "
                f"{sk}={self.templates[e.name][sk]})"
                for e in self.schema.entities
                for p in e.gsi_paths
                if p.slot == n
            ]
            used += [
                f"    {p.name} edges: {plural(p.owner)} of a {p.other} "
                f"({pk}={self.edges[p.name][pk]}, {sk}={self.edges[p.name][sk]})"
                for p in self.schema.pivots
                if p.slot == n
            ]
            used += [
                f"    {p.name} edges: {plural(kind)} of a {p.target} "
                f"({pk}={edge[pk]}, {sk}={edge[sk]})"
                for p in self.schema.morph_pivots
                if p.slot == n
                for kind in p.types
                if (edge := self.morph_edges[(p.name, kind)])
            ]
            lines += ["", f"{self.std.gsi_name(n)} ({pk}, {sk}):", *(used or ["    (unused)"])]
        return lines

    def lsi_lines(self) -> list[str]:
        lines: list[str] = []
        for entity in self.schema.entities:
            for lsi in entity.lsi_paths:
                sk = self.std.lsi_sk(lsi.slot)
                lines += [
                    "",
                    f"{self.std.lsi_name(lsi.slot)} ({self.std.partition_key_name}, {sk}):",
                    f"    {entity.name} in its {lsi.link.parent}'s partition sorted by "
                    f"{lsi.sort_by} ({sk}={self.templates[entity.name][sk]})",
                    f"    note: {LSI_SIZE_WARNING}",
                ]
        return lines

    def entity_lines(self) -> list[str]:
        pk, sk = self.std.partition_key_name, self.std.sort_key_name
        lines = ["", "Entities:"]
        for entity in self.schema.entities:
            t = self.templates[entity.name]
            parent = entity.collection_parent
            where = f" (collection of {parent.parent})" if parent else ""
            lines.append(f"  {entity.name}: {pk}={t[pk]}, {sk}={t[sk]}{where}")
            lines += [f"    {self.std.gsi_name(p.slot)}: {path_label(p)}" for p in entity.gsi_paths]
            lines += [
                f"    {self.std.lsi_name(lsi.slot)}: sorted by {lsi.sort_by}"
                for lsi in entity.lsi_paths
            ]
        return lines

    def unique_lines(self) -> list[str]:
        pk, sk = self.std.partition_key_name, self.std.sort_key_name
        lines = []
        for entity in self.schema.entities:
            for attribute in entity.model.unique_attributes:
                sample = placeholder(attribute.name, self.keys.delimiter)
                key = self.keys.sentinel_key(entity.name, attribute.name, sample)
                lines.append(f"  {entity.name}.{attribute.name}: {pk}={sk}={key[pk]}")
        return ["", "Unique sentinels:", *lines] if lines else []

    def pivot_lines(self) -> list[str]:
        pk, sk = self.std.partition_key_name, self.std.sort_key_name
        lines = []
        for pivot in self.schema.pivots:
            edge = self.edges[pivot.name]
            gpk, gsk = self.std.gsi_pk(pivot.slot), self.std.gsi_sk(pivot.slot)
            extra = f"; attributes: {', '.join(pivot.attributes)}" if pivot.attributes else ""
            lines.append(
                f"  {pivot.name} ({pivot.owner} ↔ {pivot.other}): {pk}={edge[pk]}, "
                f"{sk}={edge[sk]}; {gpk}={edge[gpk]}, {gsk}={edge[gsk]}{extra}"
            )
        for morph in self.schema.morph_pivots:
            gpk, gsk = self.std.gsi_pk(morph.slot), self.std.gsi_sk(morph.slot)
            extra = f"; attributes: {', '.join(morph.attributes)}" if morph.attributes else ""
            for kind in morph.types:
                edge = self.morph_edges[(morph.name, kind)]
                lines.append(
                    f"  {morph.name} ({kind} ↔ {morph.target}, polymorphic): {pk}={edge[pk]}, "
                    f"{sk}={edge[sk]}; {gpk}={edge[gpk]}, {gsk}={edge[gsk]}; "
                    f"{morph.type_attribute}={kind!r}{extra}"
                )
        return ["", "Many-to-many pivots:", *lines] if lines else []
