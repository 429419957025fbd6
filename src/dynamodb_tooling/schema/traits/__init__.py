"""Built-in traits as plug-ins: one :class:`ModelTrait` per module, discovered from
:data:`TRAITS`.

The functions here are what the schema, the write compiler, the planner and the transformer
call: each asks the traits a model uses (:func:`traits_of`) and combines their answers, so
none of them branches on a trait flag. A new trait is one module (a :class:`ModelTrait`
subclass) plus one entry in :data:`TRAITS` — or, from outside the package,
:func:`register_trait` (before the models using it resolve).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.expressions import Condition, Update
from dynamodb_tooling.schema.definitions import ModelDefinition
from dynamodb_tooling.schema.ids import new_ulid
from dynamodb_tooling.schema.traits.base import ModelTrait
from dynamodb_tooling.schema.traits.id_strategy import IdStrategyTrait
from dynamodb_tooling.schema.traits.soft_deletes import SoftDeletesTrait
from dynamodb_tooling.schema.traits.timestamps import TimestampsTrait
from dynamodb_tooling.schema.traits.ttl import TtlTrait
from dynamodb_tooling.schema.traits.versioning import VersioningTrait

__all__ = [
    "TRAITS",
    "IdStrategyTrait",
    "ModelTrait",
    "SoftDeletesTrait",
    "TimestampsTrait",
    "TtlTrait",
    "VersioningTrait",
    "always_present",
    "assigns_ids",
    "check_name",
    "declared_names",
    "expected_version",
    "expiry_attribute",
    "expiry_index",
    "generate_id",
    "get_trait",
    "hooked",
    "key_ordered",
    "managed_attributes",
    "on_insert",
    "on_replace",
    "on_update",
    "read_scope",
    "register_trait",
    "timestamp_attributes",
    "traits_of",
    "unregister_trait",
    "uses",
    "versioned_update",
]

#: The trait plug-ins, in the order their hooks run (and their managed attributes are listed).
TRAITS: list[ModelTrait] = [
    TimestampsTrait(),
    SoftDeletesTrait(),
    VersioningTrait(),
    TtlTrait(),
    IdStrategyTrait(),
]

#: Bumped whenever :data:`TRAITS` changes through :func:`register_trait`, so the per-definition
#: cache of :func:`traits_of` is rebuilt.
_generation = [0]

#: Called whenever :data:`TRAITS` changes: registries drop what they derived per model
#: (names, casts, compiled writers), so a plug-in registered after its models were defined
#: still applies to them.
_listeners: list[Callable[[], None]] = []


def on_traits_changed(listener: Callable[[], None]) -> None:
    _listeners.append(listener)


def _changed() -> None:
    _generation[0] += 1
    for listener in _listeners:
        listener()


_CACHE = "_traits_in_use"


def register_trait(trait: ModelTrait) -> ModelTrait:
    """Add a trait plug-in (after the built-in ones). It applies to the models its
    ``enabled`` accepts, whether they were defined before or after: registries drop what they
    derived per model when the plug-ins change."""
    if any(t.name == trait.name for t in TRAITS):
        raise ValueError(f"a trait named {trait.name!r} is registered already")
    TRAITS.append(trait)
    _changed()
    return trait


def unregister_trait(trait: ModelTrait) -> None:
    """Remove a plug-in :func:`register_trait` added."""
    TRAITS.remove(trait)
    _changed()


def get_trait(name: str) -> ModelTrait:
    for trait in TRAITS:
        if trait.name == name:
            return trait
    raise KeyError(f"no trait named {name!r}")


class _InUse:
    """The plug-ins one definition uses, and for each hook the ones overriding it (the
    others would answer with the neutral default: hot paths skip them)."""

    __slots__ = ("hooked", "traits")

    def __init__(self, found: tuple[ModelTrait, ...]) -> None:
        self.traits = found
        self.hooked = {
            hook: tuple(t for t in found if getattr(type(t), hook) is not getattr(ModelTrait, hook))
            for hook in _HOOKS
        }


_HOOKS = tuple(
    name
    for name, value in vars(ModelTrait).items()
    if callable(value) and not name.startswith("_") and name != "enabled"
)


def _in_use(definition: ModelDefinition) -> _InUse:
    cached = definition.__dict__.get(_CACHE)
    if cached is not None and cached[0] == _generation[0]:
        found: _InUse = cached[1]
        return found
    found = _InUse(tuple(trait for trait in TRAITS if trait.enabled(definition)))
    definition.__dict__[_CACHE] = (_generation[0], found)  # definitions are frozen
    return found


def traits_of(definition: ModelDefinition) -> tuple[ModelTrait, ...]:
    """The plug-ins ``definition`` uses, in registry order (cached on the frozen definition)."""
    return _in_use(definition).traits


def hooked(definition: ModelDefinition, hook: str) -> tuple[ModelTrait, ...]:
    """The plug-ins ``definition`` uses that implement ``hook``."""
    return _in_use(definition).hooked[hook]


def uses(definition: ModelDefinition, name: str) -> bool:
    """Whether ``definition`` uses the trait called ``name``."""
    return any(trait.name == name for trait in traits_of(definition))


def _joined(
    definition: ModelDefinition, hook: str, call: Callable[[ModelTrait], tuple[str, ...]]
) -> tuple[str, ...]:
    return tuple(name for trait in hooked(definition, hook) for name in call(trait))


def managed_attributes(definition: ModelDefinition, config: Config) -> tuple[str, ...]:
    return _joined(
        definition, "managed_attributes", lambda t: t.managed_attributes(definition, config)
    )


def timestamp_attributes(definition: ModelDefinition, config: Config) -> tuple[str, ...]:
    return _joined(
        definition, "timestamp_attributes", lambda t: t.timestamp_attributes(definition, config)
    )


def always_present(definition: ModelDefinition, config: Config) -> tuple[str, ...]:
    return _joined(definition, "always_present", lambda t: t.always_present(definition, config))


def key_ordered(definition: ModelDefinition, config: Config) -> tuple[str, ...]:
    return _joined(definition, "key_ordered", lambda t: t.key_ordered(definition, config))


def declared_names(definition: ModelDefinition, ttl_default: str) -> list[tuple[str, str]]:
    return [
        d
        for t in hooked(definition, "declared_names")
        for d in t.declared_names(definition, ttl_default)
    ]


def check_name(definition: ModelDefinition, config: Config, name: str, what: str) -> None:
    for trait in hooked(definition, "check_name"):
        trait.check_name(definition, config, name, what)


def on_insert(
    definition: ModelDefinition, config: Config, stored: dict[str, Any], now: Callable[[], Any]
) -> None:
    for trait in hooked(definition, "on_insert"):
        trait.on_insert(definition, config, stored, now)


def on_update(
    definition: ModelDefinition, config: Config, now: Callable[[], Any]
) -> dict[str, Any]:
    touched: dict[str, Any] = {}
    for trait in hooked(definition, "on_update"):
        touched.update(trait.on_update(definition, config, now))
    return touched


def on_replace(
    definition: ModelDefinition,
    config: Config,
    current: Mapping[str, Any],
    values: Mapping[str, Any],
) -> Mapping[str, Any]:
    for trait in hooked(definition, "on_replace"):
        values = trait.on_replace(definition, config, current, values)
    return values


def expected_version(
    definition: ModelDefinition, config: Config, current: Mapping[str, Any], given: int | None
) -> int | None:
    for trait in hooked(definition, "expected_version"):
        found = trait.expected_version(definition, config, current, given)
        if found is not None:
            return found
    return None


def versioned_update(
    definition: ModelDefinition, config: Config, update: Update, expected: int | None
) -> tuple[Update, Condition | None]:
    condition: Condition | None = None
    for trait in hooked(definition, "versioned_update"):
        update, found = trait.versioned_update(definition, config, update, expected)
        condition = found if condition is None else condition
    return update, condition


def read_scope(definition: ModelDefinition, config: Config) -> str | None:
    """The attribute reads require absent by default (soft deletes), or ``None``."""
    for trait in hooked(definition, "read_scope"):
        found = trait.read_scope(definition, config)
        if found is not None:
            return found
    return None


def expiry_attribute(definition: ModelDefinition, ttl_default: str) -> str | None:
    for trait in hooked(definition, "expiry_attribute"):
        found = trait.expiry_attribute(definition, ttl_default)
        if found is not None:
            return found
    return None


def expiry_index(definition: ModelDefinition, ttl_default: str) -> str | None:
    for trait in hooked(definition, "expiry_index"):
        found = trait.expiry_index(definition, ttl_default)
        if found is not None:
            return found
    return None


def generate_id(definition: ModelDefinition) -> str:
    """A new item's id: the first plug-in's ``new_id`` (random or time-ordered UUIDs, or
    another plug-in's ids), else a ULID."""
    hooked = _in_use(definition).hooked["new_id"]
    if hooked:  # most models: none (ULIDs), and this runs on every create
        for trait in hooked:
            found = trait.new_id(definition)
            if found is not None:
                return found
    return new_ulid()


def id_maker(definition: ModelDefinition) -> Callable[[], str] | None:
    """What gives new items of ``definition`` their id (:func:`generate_id`, bound; a bare
    ``new_ulid`` when no plug-in supplies ids), or ``None`` when none is given them. Valid
    until the plug-ins change (registries drop what they derived then)."""
    if not assigns_ids(definition):
        return None
    if not _in_use(definition).hooked["new_id"]:
        return new_ulid
    return functools.partial(generate_id, definition)


def assigns_ids(definition: ModelDefinition) -> bool:
    """Whether new items of ``definition`` get an id when none is given."""
    hooked = _in_use(definition).hooked["assigns_ids"]
    return not hooked or all(t.assigns_ids(definition) for t in hooked)
