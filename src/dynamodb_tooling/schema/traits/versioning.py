"""The versioning trait (``versioning=True``): optimistic locking on ``_v``.

New items start at version 1; an update that knows the version it read checks it
(``_v = :expected``, a lost update becomes ``VersionConflictError``) and sets ``_v + 1``; an
update without one (commuting increments) bumps it with ``ADD`` so stale saves still conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, Update, attr
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.traits.base import ModelTrait


class VersioningTrait(ModelTrait):
    name = "versioning"

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.traits.versioning

    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return (config.query_builder.version_attribute,)

    def check_name(self, definition: ModelDefinition, config: Config, name: str, what: str) -> None:
        if name == config.query_builder.version_attribute:
            raise SchemaError(
                f"{what} uses the name {name!r}, which is the version attribute the library "
                f"maintains for versioned models (query_builder.version_attribute); rename the "
                f"attribute, or drop versioning=True from {definition.name}"
            )

    def on_insert(
        self,
        definition: ModelDefinition,
        config: Config,
        stored: dict[str, Any],
        now: Callable[[], Any],
    ) -> None:
        version = config.query_builder.version_attribute
        if stored.get(version) is None:
            stored[version] = 1

    def expected_version(
        self,
        definition: ModelDefinition,
        config: Config,
        current: Mapping[str, Any],
        given: int | None,
    ) -> int | None:
        found = current.get(config.query_builder.version_attribute) if given is None else given
        if found is not None and (isinstance(found, bool) or not isinstance(found, int)):
            raise QueryError(f"{definition.name} versions are integers, got {found!r}")
        return found

    def versioned_update(
        self, definition: ModelDefinition, config: Config, update: Update, expected: int | None
    ) -> tuple[Update, Condition | None]:
        version = config.query_builder.version_attribute
        if expected is None:
            return update.increment(version), None
        return update.set(version, attr(version) + 1), attr(version).eq(expected)
