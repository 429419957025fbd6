"""The model registry: every model definition of an application, resolved on demand.

Both front ends (``Model`` subclasses and ``define_model`` dicts / discovered files) register
here. Relations may name models registered later; they are checked when the registry is
resolved (on first use of keys, the table definition or access patterns). Order never depends
on registration or file-system order: models are always taken sorted by name.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from dynamodb_tooling._types import CreateTableInput
from dynamodb_tooling.config import Config, full_table_name, get_config
from dynamodb_tooling.schema.access_patterns import AccessPatterns, generate_access_patterns
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.keys import KeyScheme, check_reserved_names
from dynamodb_tooling.schema.resolve import ResolvedSchema, resolve
from dynamodb_tooling.schema.table import schema_summary, table_definition
from dynamodb_tooling.schema.tables import check_tables, table_of, table_schema, tables_of
from dynamodb_tooling.schema.traits import on_traits_changed
from dynamodb_tooling.schema.validation import compile_validator

T = TypeVar("T")

#: One resolution: the config it was made for, the schema, its key scheme, and what was
#: derived from them (per-model plans, cached transformers...), dropped with it.
_Resolution = tuple[Config, ResolvedSchema, KeyScheme, dict[Hashable, Any]]


#: Every registry alive, so a change of the trait plug-ins drops what each derived.
_LIVE: dict[int, weakref.ref[Registry]] = {}


def _forget_derived() -> None:
    for ref in list(_LIVE.values()):
        found = ref()
        if found is not None:
            with found._lock:
                found._resolved = None


on_traits_changed(_forget_derived)


class Registry:
    """A set of model definitions plus the configuration they are resolved against."""

    def __init__(self, config: Config | None = None) -> None:
        self._config = config
        self._models: dict[str, ModelDefinition] = {}
        self._origins: dict[str, str] = {}
        self._resolved: _Resolution | None = None
        self._lock = threading.RLock()
        key = id(self)

        def forget(_: object) -> None:
            _LIVE.pop(key, None)

        _LIVE[key] = weakref.ref(self, forget)

    @property
    def config(self) -> Config:
        return self._config or get_config()

    def register(
        self, definition: ModelDefinition, *, replace: bool = False, origin: str | None = None
    ) -> ModelDefinition:
        """Add a model; a different model with the same name is an error unless ``replace``.

        ``origin`` names where the definition comes from (a class's ``module.qualname``); the
        same origin registering again (a module re-imported, a class redefined in a REPL)
        replaces its earlier definition.

        A definition using a name the key scheme writes itself (``pk``, ``sk``, ``_et``,
        ``gsi1pk``...) raises :class:`SchemaError` here and is not registered, so the other
        models of the registry keep working.
        """
        check_reserved_names(definition, self.config)
        compile_validator(definition)  # an unknown validation rule fails at definition time
        with self._lock:
            existing = self._models.get(definition.name)
            same_origin = origin is not None and self._origins.get(definition.name) == origin
            if existing is not None and existing != definition and not (replace or same_origin):
                where = self._origins.get(definition.name) or "elsewhere"
                raise SchemaError(
                    f"a different model named {definition.name!r} is already registered (from "
                    f"{where}); model names must be unique — rename one, or use another Registry"
                )
            self._models[definition.name] = definition
            if origin is not None:
                self._origins[definition.name] = origin
            self._resolved = None
        return definition

    def unregister(self, name: str) -> None:
        with self._lock:
            self._models.pop(name, None)
            self._origins.pop(name, None)
            self._resolved = None

    def clear(self) -> None:
        with self._lock:
            self._models.clear()
            self._origins.clear()
            self._resolved = None

    @property
    def models(self) -> tuple[ModelDefinition, ...]:
        """Every registered definition, sorted by name."""
        return tuple(self._models[name] for name in sorted(self._models))

    def model(self, name: str) -> ModelDefinition:
        try:
            return self._models[name]
        except KeyError:
            known = ", ".join(sorted(self._models)) or "none"
            raise SchemaError(
                f"no model named {name!r} is registered (registered: {known})"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._models

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Registry) and self.models == other.models

    __hash__ = None  # type: ignore[assignment]

    def _resolve(self) -> _Resolution:
        config = self._config or get_config()
        resolved = self._resolved  # the hot path: no lock while nothing changed
        if resolved is not None and resolved[0] is config:
            return resolved
        with self._lock:
            if self._resolved is None or self._resolved[0] is not config:
                design = config.single_table_design
                schema = resolve(self.models, design.gsi_count, config.ttl.attribute_name)
                check_tables(schema, config)
                self._resolved = (config, schema, KeyScheme(schema, design), {})
            return self._resolved

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, computed once per resolution: the cache is dropped whenever a model
        is registered or removed, or the active configuration changes (``set_config``,
        ``use_config``, ``reset_config``). For per-model data the hot paths would otherwise
        recompute on every call (allowed names, attribute lookups, codecs...)."""
        resolved = self._resolved  # _resolve(), inlined for the hot path
        if resolved is None or resolved[0] is not (self._config or get_config()):
            resolved = self._resolve()
        cache = resolved[3]
        try:
            found: T = cache[key]
        except KeyError:
            found = cache.setdefault(key, build())
        return found

    @property
    def schema(self) -> ResolvedSchema:
        """The resolved layout (raises :class:`SchemaError` for dangling or unkeyable models)."""
        return self._resolve()[1]

    @property
    def keys(self) -> KeyScheme:
        """The key scheme every read and write uses."""
        resolved = self._resolved  # _resolve(), inlined for the hot path
        if resolved is None or resolved[0] is not (self._config or get_config()):
            resolved = self._resolve()
        return resolved[2]

    def table_definition(self, table_name: str | None = None) -> CreateTableInput:
        """The CreateTable request of the main table (as a dict); ``table_name`` renames it,
        or, when it names a table models chose with ``table=``, gives that table's."""
        return table_definition(self.table_schema(table_name), self.config, table_name)

    def table_name(self, model: str | None = None) -> str:
        """The full name of the table ``model`` lives in (the main table's without one)."""
        config = self.config
        if model is None:
            return full_table_name(None, config)
        return self.derived(("table name", model), lambda: table_of(self.model(model), config))

    def tables(self) -> dict[str, tuple[str, ...]]:
        """Every table the models need → the names of the models in it: the main table
        first (it always exists), then the tables models chose with ``table=``, by name."""
        return self.derived("tables", lambda: tables_of(self.schema, self.config))

    def table_definitions(self) -> dict[str, CreateTableInput]:
        """The CreateTable request of every table (:meth:`tables`), by full table name."""
        main, *others = self.tables()
        found = {main: self.table_definition()}
        for name in others:
            found[name] = table_definition(self._table_schema(name), self.config, name)
            found[name]["TableName"] = name
        return found

    def table_schema(self, table_name: str | None = None) -> ResolvedSchema:
        """The part of the schema one table holds (see :meth:`table_definition` for
        ``table_name``): its models' entities and the pivots between them."""
        name = full_table_name(table_name, self.config)
        return self._table_schema(name if name in self.tables() else self.table_name())

    def _table_schema(self, full_name: str) -> ResolvedSchema:
        models = self.tables()[full_name]
        if len(self.tables()) == 1:
            return self.schema
        return self.derived(("table schema", full_name), lambda: table_schema(self.schema, models))

    def access_patterns(self) -> AccessPatterns:
        """Every access pattern with its index, key condition and cost class."""
        return generate_access_patterns(self.schema, self.keys, self.config)

    def summary(self) -> str:
        """A human-readable summary of the table, its indexes and entities (one section per
        table when models chose their own with ``table=``)."""
        if len(self.tables()) == 1:
            return schema_summary(self.schema, self.config)
        return "\n".join(
            schema_summary(self._table_schema(name), self.config, self.keys, name)
            for name in self.tables()
        )


_global = Registry()


def get_registry() -> Registry:
    """The application's registry (``Model`` subclasses and ``define_model`` register here)."""
    return _global
