"""The protocol of built-in trait plug-ins (timestamps, soft deletes, versioning, TTL...).

A model *declares* its traits with :class:`~dynamodb_tooling.schema.definitions.Traits` flags
(class keywords, Stacks ``traits``); what a trait *does* lives in one plug-in class, one module
each, listed in :data:`dynamodb_tooling.schema.traits.TRAITS`. The schema, the write compiler,
the planner and the transformer call the hooks below on the traits a model uses instead of
branching on flags, so a new built-in trait is one module plus one registry entry.

Every hook has a neutral default: a plug-in overrides only what its trait changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from dynamodb_tooling.config import Config
from dynamodb_tooling.expressions import Condition, Update
from dynamodb_tooling.schema.definitions import ModelDefinition


class ModelTrait:
    """One trait's behaviour. ``name`` names it (for the soft-deletes trait it is also the
    name of the global scope the ORM applies). Hooks receive the model's definition and the
    active configuration; they are only called for models whose :meth:`enabled` is true."""

    name: ClassVar[str]

    def enabled(self, definition: ModelDefinition) -> bool:
        """Whether ``definition`` uses this trait (its declaration)."""
        raise NotImplementedError(f"{type(self).__name__} must say which models use it")

    # Ids.
    def new_id(self, definition: ModelDefinition) -> str | None:
        """The id of a new item, or ``None`` to leave it to the next trait (then a ULID)."""
        return None

    def assigns_ids(self, definition: ModelDefinition) -> bool:
        """Whether new items get an id when none is given (``False``: the caller's job)."""
        return True

    # Names.
    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        """Attributes the library maintains for the model (allowed in writes, hydrated)."""
        return ()

    def timestamp_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        """Managed attributes holding timestamps: normalised to the configured timestamp
        format when written, read back as UTC datetimes."""
        return ()

    def always_present(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        """Managed attributes every stored item holds (the planner may rely on them)."""
        return ()

    def key_ordered(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        """Managed attributes whose values placed in a sort key order like the values."""
        return ()

    def declared_names(
        self, definition: ModelDefinition, ttl_default: str
    ) -> tuple[tuple[str, str], ...]:
        """``(name, what declares it)`` for attribute names the trait puts on items, checked
        against the names the key scheme reserves (``ttl_default``: the configured TTL
        attribute name)."""
        return ()

    def check_name(self, definition: ModelDefinition, config: Config, name: str, what: str) -> None:
        """Refuse (with :class:`SchemaError`) a declared attribute name the trait needs."""

    # Writes.
    def on_insert(
        self,
        definition: ModelDefinition,
        config: Config,
        stored: dict[str, Any],
        now: Callable[[], Any],
    ) -> None:
        """Set the trait's values on a new (or wholly replaced) item's stored values.
        ``now()`` is the current time in the stored timestamp format."""

    def on_update(
        self, definition: ModelDefinition, config: Config, now: Callable[[], Any]
    ) -> Mapping[str, Any]:
        """Values every update of an existing item sets (unless the update sets them)."""
        return {}

    def on_replace(
        self,
        definition: ModelDefinition,
        config: Config,
        current: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> Mapping[str, Any]:
        """``values`` of an item about to replace ``current`` (a put over an existing item),
        with what the trait carries over from the replaced item."""
        return values

    def expected_version(
        self,
        definition: ModelDefinition,
        config: Config,
        current: Mapping[str, Any],
        given: int | None,
    ) -> int | None:
        """The version a write must find on the item (optimistic locking), or ``None``."""
        return None

    def versioned_update(
        self, definition: ModelDefinition, config: Config, update: Update, expected: int | None
    ) -> tuple[Update, Condition | None]:
        """``update`` with what the trait adds to an update of an existing item, and the
        condition the write must meet (or ``None``)."""
        return update, None

    # Reads and indexes.
    def read_scope(self, definition: ModelDefinition, config: Config) -> str | None:
        """The attribute whose *absence* reads require by default (a query scope lifted by
        ``with_trashed()``); items holding it leave attribute-derived indexes."""
        return None

    # Table features.
    def expiry_attribute(self, definition: ModelDefinition, ttl_default: str) -> str | None:
        """The table's TTL attribute the trait needs (UpdateTimeToLive), or ``None``."""
        return None

    def expiry_index(self, definition: ModelDefinition, ttl_default: str) -> str | None:
        """The attribute of a sparse expiry index (a GSI path) the trait asks for."""
        return None
