"""The TTL trait (``ttl=True``, ``ttl_attribute=``, ``ttl_index=``).

Items carry an expiry time (epoch seconds) in the TTL attribute (the trait's
``ttl_attribute``, else ``ttl.attribute_name``); the table gets UpdateTimeToLive on it (one
attribute per table), and with ``ttl_index`` a sparse GSI path lists items by expiry.
"""

from __future__ import annotations

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.traits.base import ModelTrait


class TtlTrait(ModelTrait):
    name = "ttl"

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.traits.ttl

    def attribute(self, definition: ModelDefinition, ttl_default: str) -> str:
        return definition.traits.ttl_attribute or ttl_default

    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return (self.attribute(definition, config.ttl.attribute_name),)

    def key_ordered(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return (self.attribute(definition, config.ttl.attribute_name),)

    def declared_names(
        self, definition: ModelDefinition, ttl_default: str
    ) -> tuple[tuple[str, str], ...]:
        name = self.attribute(definition, ttl_default)
        return ((name, f"{definition.name}'s TTL attribute {name!r}"),)

    def expiry_attribute(self, definition: ModelDefinition, ttl_default: str) -> str | None:
        return self.attribute(definition, ttl_default)

    def expiry_index(self, definition: ModelDefinition, ttl_default: str) -> str | None:
        return self.attribute(definition, ttl_default) if definition.traits.ttl_index else None
