"""EntityTransformer: model values ↔ the full DynamoDB item (as Python values).

``to_item`` validates and casts values by their declared types, then adds pk/sk, the entity
type, every derived GSI/LSI key, timestamps and the version; ``from_item`` strips every
internal attribute and casts stored values back to Python types.

>>> transformer.to_item("Post", {"id": "p1", "user_id": "u1", "title": "Hi"})  # doctest: +SKIP
{'pk': 'POST#p1', 'sk': 'POST#p1', '_et': 'Post', 'gsi1pk': 'USER#u1', ..., 'title': 'Hi'}
"""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ulid import ULID

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema.casts import (
    SET_TYPES,
    AttributeCastError,
    as_utc,
    from_storage,
    from_timestamp,
    parse_datetime,
    to_storage,
    values_equal,
)
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.registry import Registry


def utc_now() -> datetime:
    return datetime.now(UTC)


def generate_id(definition: ModelDefinition) -> str:
    """A new id: a ULID (time-ordered, so sk order is creation order) or a UUID4."""
    if definition.traits.id_strategy == "uuid":
        return str(uuid.uuid4())
    if definition.traits.id_strategy == "caller":
        raise SchemaError(
            f"{definition.name} ids are supplied by the caller; pass "
            f"{definition.primary_key}=... when creating one"
        )
    return str(ULID())


class EntityTransformer:
    """Turns model values into items and back, for the models of ``registry``."""

    def __init__(self, registry: Registry, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.registry = registry
        self.clock = clock

    @property
    def config(self) -> Config:
        return self.registry.config

    # Names.
    def internal_attributes(self) -> frozenset[str]:
        """Key and bookkeeping attributes that never reach model values."""
        return self.registry.keys.internal_attributes()

    def managed_attributes(self, definition: ModelDefinition) -> list[str]:
        """Attributes the library maintains for a model (timestamps, soft delete, version...)."""
        query = self.config.query_builder
        names: list[str] = []
        if definition.traits.timestamps:
            names += [query.created_at_attribute, query.updated_at_attribute]
        if definition.traits.soft_deletes:
            names.append(query.soft_deletes.attribute)
        if definition.traits.versioning:
            names.append(query.version_attribute)
        if definition.traits.ttl:
            names.append(self.ttl_attribute(definition))
        return names

    def ttl_attribute(self, definition: ModelDefinition) -> str:
        return definition.traits.ttl_attribute or self.config.ttl.attribute_name

    def allowed_names(self, model: str) -> set[str]:
        entity = self.registry.schema.entity(model)
        definition = entity.model
        names = {definition.primary_key, *(a.name for a in definition.attributes)}
        names |= {link.foreign_key for link in entity.parents}
        names |= {link.foreign_key for link in entity.ancestry}
        return names | set(self.managed_attributes(definition))

    # Python → item.
    def to_item(
        self, model: str, values: Mapping[str, Any], *, touch: bool = True
    ) -> dict[str, Any]:
        """The full item for ``values`` of ``model`` (Python values; marshal to write it).

        With ``touch``, timestamps are set (``created_at`` only when absent) and a versioned
        model gets ``_v = 1`` when it has none.
        """
        definition = self.registry.model(model)
        self._check_names(model, values)
        self._check_required(definition, values)
        stored = self._cast_values(definition, values)
        self._manage(definition, stored, touch=touch)
        deleted = bool(
            definition.traits.soft_deletes
            and stored.get(self.config.query_builder.soft_deletes.attribute) is not None
        )
        keys = self.registry.keys.item_keys(model, stored, deleted=deleted)
        return {**{k: v for k, v in stored.items() if v is not None}, **keys}

    def _check_names(self, model: str, values: Mapping[str, Any]) -> None:
        allowed = self.allowed_names(model)
        for name in values:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise AttributeCastError(
                    f"{model} has no attribute {name!r}{hint} (declare it on the model)"
                )

    def _check_required(self, definition: ModelDefinition, values: Mapping[str, Any]) -> None:
        missing = [
            a.name for a in definition.attributes if a.required and values.get(a.name) is None
        ]
        if missing:
            names = ", ".join(missing)
            raise AttributeCastError(
                f"{definition.name} needs {names}: required (not nullable, no default); pass a "
                "value, or declare it Optional / give it a default"
            )

    def _cast_values(
        self, definition: ModelDefinition, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for name, value in values.items():
            attribute = definition.attribute(name)
            stored[name] = (
                value if attribute is None else to_storage(attribute, value, definition.name)
            )
        return stored

    def _manage(self, definition: ModelDefinition, stored: dict[str, Any], *, touch: bool) -> None:
        query = self.config.query_builder
        stamped = [
            query.created_at_attribute,
            query.updated_at_attribute,
        ] * definition.traits.timestamps
        if definition.traits.soft_deletes:
            stamped.append(query.soft_deletes.attribute)
        for name in stamped:
            if stored.get(name) is not None:
                stored[name] = self.timestamp(stored[name])
        if touch and definition.traits.timestamps:
            now = self.timestamp(self.clock())
            if stored.get(query.created_at_attribute) is None:
                stored[query.created_at_attribute] = now
            stored[query.updated_at_attribute] = now
        if touch and definition.traits.versioning and stored.get(query.version_attribute) is None:
            stored[query.version_attribute] = 1

    def parse_timestamp(self, value: Any, what: str = "timestamp") -> datetime:
        """A stored timestamp back to a UTC datetime; numbers are read in the configured unit."""
        fmt = self.config.query_builder.timestamp_format
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return from_timestamp(value, what, millis=fmt == "unix_ms")
        return as_utc(parse_datetime(value, what))

    def timestamp(self, moment: Any) -> str | int:
        """A timestamp in the configured format (ISO-8601 UTC string, unix s or unix ms)."""
        value = self.parse_timestamp(moment)
        fmt = self.config.query_builder.timestamp_format
        if fmt == "unix":
            return int(value.timestamp())
        if fmt == "unix_ms":
            return int(value.timestamp() * 1000)
        return value.astimezone(UTC).isoformat()

    def edge_item(
        self, pivot_name: str, owner_id: Any, other_id: Any, values: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The edge item linking two models of a many-to-many pair, with pivot attributes.

        ``owner_id`` is the id of the owning side (``pivot.owner``); ``values`` may only hold
        the pivot's declared attributes (e.g. ``{"granted_at": ...}``).
        """
        pivot = self.registry.schema.pivot(pivot_name)
        values = dict(values or {})
        unknown = sorted(set(values) - set(pivot.attributes))
        if unknown:
            allowed = ", ".join(pivot.attributes) or "none are declared"
            raise AttributeCastError(
                f"{pivot.name} edges have no attribute(s) {', '.join(map(repr, unknown))} "
                f"(pivot attributes: {allowed}); declare them with pivot_attributes=(...)"
            )
        keys = self.registry.keys.edge_keys(pivot, owner_id, other_id)
        links = {pivot.owner_key: owner_id, pivot.other_key: other_id}
        return {**keys, **links, **{k: v for k, v in values.items() if v is not None}}

    # Item → Python.
    def model_of(self, item: Mapping[str, Any]) -> str:
        entity_type = item.get(self.config.single_table_design.entity_type_attribute)
        if not isinstance(entity_type, str) or entity_type not in self.registry:
            raise SchemaError(f"the item's entity type {entity_type!r} is not a registered model")
        return entity_type

    def from_item(self, item: Mapping[str, Any], model: str | None = None) -> dict[str, Any]:
        """Model values of ``item``: internal attributes stripped, stored values cast back."""
        definition = self.registry.model(model or self.model_of(item))
        internal = self.internal_attributes()
        values: dict[str, Any] = {}
        timestamps = set(self.managed_attributes(definition)) - {
            self.config.query_builder.version_attribute,
            self.ttl_attribute(definition),
        }
        for name, value in item.items():
            if name in internal:
                continue
            attribute = definition.attribute(name)
            if attribute is not None:
                values[name] = from_storage(attribute, value, definition.name)
            elif name in timestamps and value is not None:
                values[name] = self.parse_timestamp(value, f"{definition.name}.{name}")
            else:
                values[name] = value
        for attribute in definition.attributes:
            if (
                attribute.type in SET_TYPES
                and not attribute.nullable
                and attribute.name not in values
            ):
                values[attribute.name] = set()  # stored as no attribute (no empty sets)
        return values


def changed_values(original: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``current`` that differ from ``original`` (removed ones map to ``None``)."""
    changes = {
        k: v for k, v in current.items() if k not in original or not values_equal(original[k], v)
    }
    changes.update({k: None for k in original if k not in current})
    return changes
