"""The timestamps trait (``timestamps=True`` / Stacks ``useTimestamps``).

``created_at`` is set when an item is created (and kept when it is replaced), ``updated_at``
on every write; both are stored in ``query_builder.timestamp_format``, every item holds them,
and as sort keys they order like the times they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.traits.base import ModelTrait


def _names(config: Config) -> tuple[str, str]:
    query = config.query_builder
    return query.created_at_attribute, query.updated_at_attribute


class TimestampsTrait(ModelTrait):
    name = "timestamps"

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.traits.timestamps

    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return _names(config)

    def timestamp_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return _names(config)

    def always_present(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return _names(config)

    def key_ordered(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return _names(config)

    def on_insert(
        self,
        definition: ModelDefinition,
        config: Config,
        stored: dict[str, Any],
        now: Callable[[], Any],
    ) -> None:
        created, updated = _names(config)
        stamp = now()
        if stored.get(created) is None:
            stored[created] = stamp
        stored[updated] = stamp

    def on_update(
        self, definition: ModelDefinition, config: Config, now: Callable[[], Any]
    ) -> Mapping[str, Any]:
        return {config.query_builder.updated_at_attribute: now()}

    def on_replace(
        self,
        definition: ModelDefinition,
        config: Config,
        current: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> Mapping[str, Any]:
        created = config.query_builder.created_at_attribute
        if current and current.get(created) is not None:
            return {created: current[created], **values}  # a replaced item keeps its birth
        return values
