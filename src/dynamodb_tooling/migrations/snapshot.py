"""The desired schema snapshot: what the models need, as plain JSON-able data with a stable hash.

A snapshot has two halves. ``table`` is the table the registry needs: the CreateTable request of
``schema/table.py`` (keys, overloaded GSIs, LSIs, billing, stream, class, protection, tags) plus
what CreateTable cannot carry (TTL, point-in-time recovery, Contributor Insights, auto scaling).
``entities``/``pivots``/``patterns`` describe the key scheme: each model's prefix and key, its
GSI access paths (slot, source, sort), LSI paths and unique attributes, and every access pattern
with its index. The differ compares the table half with the live table and the key-scheme half
with the snapshot stored by the last migration.

>>> build_snapshot(registry).hash  # doctest: +SKIP
'3f1c9a0b5e2d...'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.schema.resolve import (
    EntityScheme,
    GsiPath,
    PivotScheme,
    ResolvedSchema,
    path_sort,
    path_source,
)
from dynamodb_tooling.schema.table import ttl_specification

FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    """A schema snapshot (``data`` is JSON-able); equal data, equal :attr:`hash`."""

    data: Mapping[str, Any]
    hash: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hash", snapshot_hash(self.data))

    @property
    def table(self) -> Mapping[str, Any]:
        table: Mapping[str, Any] = self.data["table"]
        return table

    @property
    def definition(self) -> dict[str, Any]:
        """The CreateTable request of the snapshot's table."""
        definition: dict[str, Any] = self.table["definition"]
        return definition

    @property
    def table_name(self) -> str:
        return str(self.definition["TableName"])

    @property
    def entities(self) -> Mapping[str, Mapping[str, Any]]:
        entities: Mapping[str, Mapping[str, Any]] = self.data.get("entities", {})
        return entities

    @property
    def pivots(self) -> Mapping[str, Mapping[str, Any]]:
        pivots: Mapping[str, Mapping[str, Any]] = self.data.get("pivots", {})
        return pivots

    @property
    def patterns(self) -> list[Mapping[str, Any]]:
        patterns: list[Mapping[str, Any]] = self.data.get("patterns", [])
        return patterns

    def to_json(self) -> str:
        return canonical_json(self.data)

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        return cls(json.loads(text))


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces: the same data always gives the same text (and hash)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def build_snapshot(registry: Registry, table_name: str | None = None) -> Snapshot:
    """The snapshot of what ``registry``'s models need (raises ``SchemaError`` like the
    registry does for models that cannot be laid out)."""
    # One table's part of the schema: models with their own table (table=) are in theirs.
    schema = registry.table_schema(table_name)
    return Snapshot(
        {
            "format": FORMAT,
            "table": _table(registry, schema, table_name),
            "entities": {e.name: _entity(e) for e in schema.entities},
            "pivots": {p.name: _pivot(p) for p in schema.pivots},
            # Only when there are any, so snapshots of other registries keep their hash.
            **({"morph_pivots": _morph_pivots(schema)} if schema.morph_pivots else {}),
            "patterns": _patterns(registry, {e.name for e in schema.entities}),
        }
    )


def _table(registry: Registry, schema: ResolvedSchema, table_name: str | None) -> dict[str, Any]:
    config = registry.config
    ttl = ttl_specification(schema, config)
    scaling = config.capacity.auto_scaling
    provisioned = config.capacity.billing_mode == "PROVISIONED"
    return {
        "definition": json.loads(json.dumps(registry.table_definition(table_name))),
        "ttl": ttl["AttributeName"] if ttl else None,
        "pitr": config.point_in_time_recovery,
        "contributor_insights": config.contributor_insights.enabled,
        "auto_scaling": scaling.model_dump() if scaling.enabled and provisioned else None,
    }


def _entity(entity: EntityScheme) -> dict[str, Any]:
    model = entity.model
    parent = entity.collection_parent
    return {
        "prefix": model.prefix,
        "primary_key": model.primary_key,
        "attributes": sorted(a.name for a in model.attributes),
        "unique": sorted(a.name for a in model.unique_attributes),
        "collection_parent": f"{parent.parent}.{parent.foreign_key}" if parent else None,
        "ancestry": [f"{link.parent}.{link.foreign_key}" for link in entity.ancestry],
        "paths": {path_id(p): _path(p) for p in entity.gsi_paths},
        "lsi": {
            f"{lsi.link.parent}.{lsi.sort_by}": {"slot": lsi.slot, "sort_by": lsi.sort_by}
            for lsi in entity.lsi_paths
        },
    }


def path_id(path: GsiPath) -> str:
    """``parent:user``, ``attribute:status``: a path's identity across slot changes."""
    return f"{path.kind}:{path.name}"


def _path(path: GsiPath) -> dict[str, Any]:
    return {"slot": path.slot, "source": path_source(path), "sort": path_sort(path)}


def _pivot(pivot: PivotScheme) -> dict[str, Any]:
    return {
        "owner": pivot.owner,
        "other": pivot.other,
        "owner_key": pivot.owner_key,
        "other_key": pivot.other_key,
        "slot": pivot.slot,
        "attributes": list(pivot.attributes),
    }


def _morph_pivots(schema: ResolvedSchema) -> dict[str, dict[str, Any]]:
    return {
        p.name: {
            "types": list(p.types),
            "target": p.target,
            "target_key": p.target_key,
            "type_attribute": p.type_attribute,
            "id_attribute": p.id_attribute,
            "slot": p.slot,
            "attributes": list(p.attributes),
        }
        for p in schema.morph_pivots
    }


def _patterns(registry: Registry, entities: set[str]) -> list[dict[str, Any]]:
    return [
        {"entity": p.entity, "name": p.name, "operation": p.operation, "index": p.index}
        for p in registry.access_patterns()
        if p.entity in entities
    ]
