"""The soft-deletes trait (``soft_deletes=True`` / Stacks ``useSoftDeletes``).

A soft delete stamps ``deleted_at`` (``query_builder.soft_deletes.attribute``) instead of
removing the item. Reads leave stamped items out (the planner's ``deleted_at``-absent filter,
the ORM's global scope ``"soft_deletes"``), and stamped items leave attribute-derived indexes
(their sparse index keys are removed). The ORM side (``delete()`` override, ``restore()``,
``with_trashed()``) is :class:`dynamodb_tooling.orm.traits.soft_deletes.SoftDeletes`.
"""

from __future__ import annotations

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.traits.base import ModelTrait


class SoftDeletesTrait(ModelTrait):
    name = "soft_deletes"

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.traits.soft_deletes

    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return (config.query_builder.soft_deletes.attribute,)

    def timestamp_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return (config.query_builder.soft_deletes.attribute,)

    def read_scope(self, definition: ModelDefinition, config: Config) -> str | None:
        return config.query_builder.soft_deletes.attribute
