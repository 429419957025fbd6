"""Attributes: what an instance stores, how it is built, read, written and hydrated."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.orm.concerns.change_tracking import _SCALARS, ModelState, snapshot
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.definitions import AttributeDefinition
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
    generate_id,
    transformer_of,
)

_NOT_SET = object()


class HasAttributes:
    """Attribute storage: construction with defaults and a generated id, reads and writes of
    stored names (unknown ones refused with a did-you-mean), the item and hydration."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]
    __attribute_specs__: ClassVar[dict[str, Any]]

    if TYPE_CHECKING:

        @property
        def _state(self) -> ModelState: ...

        @classmethod
        def _guard(cls, values: Mapping[str, Any]) -> None: ...

        @classmethod
        def _check_names(cls, values: Mapping[str, Any]) -> None: ...

    def __init__(self, **values: Any) -> None:
        """A new, unsaved instance. Unknown names and guarded attributes are refused
        (:class:`MassAssignmentError`): set guarded ones explicitly or use ``force_fill``."""
        self._initialise(values, guarded=True)

    def _initialise(self, values: dict[str, Any], *, guarded: bool) -> None:
        cls = type(self)
        if guarded:
            cls._guard(values)
        else:
            cls._check_names(values)
        definition = cls.__definition__
        for attribute in cls._defaulted():
            if attribute.name not in values:
                spec = cls.__attribute_specs__.get(attribute.name)
                has_spec_default = spec is not None and spec.has_default
                default = spec.make_default() if spec and has_spec_default else attribute.default
                # A copy: a mutable default (a list, a set) must not be shared by instances.
                values[attribute.name] = (
                    default if type(default) in _SCALARS else copy.deepcopy(default)
                )
        if values.get(definition.primary_key) is None and definition.traits.id_strategy != "caller":
            values[definition.primary_key] = generate_id(definition)
        object.__setattr__(self, "_model_state", ModelState(values))

    @classmethod
    def _defaulted(cls) -> tuple[AttributeDefinition, ...]:
        """The attributes with a default, in declaration order (taken once per definition)."""
        definition = cls.__definition__
        found = cls.__dict__.get("_defaulted_attributes")
        if found is None or found[0] is not definition:
            found = (definition, tuple(a for a in definition.attributes if a.has_default))
            type.__setattr__(cls, "_defaulted_attributes", found)
        return found[1]

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        """Every name an instance stores, in a stable order: the key, declared attributes,
        foreign keys, then managed attributes (timestamps, deleted_at, version, ttl)."""
        return cls._name_set()[0]

    @classmethod
    def _name_set(cls) -> tuple[tuple[str, ...], frozenset[str]]:
        """:meth:`_names` and the same names as a set, derived once per registry resolution
        (re-derived whenever a model registers or the configuration changes)."""
        registry = cls.__registry__
        return registry.derived(("model names", cls), cls._derive_names)

    @classmethod
    def _derive_names(cls) -> tuple[tuple[str, ...], frozenset[str]]:
        definition = cls.__definition__
        info = ModelInfo.of(cls.__registry__, definition.name)
        allowed, managed = info.allowed, info.managed
        first = [definition.primary_key, *(a.name for a in definition.attributes)]
        names = tuple(dict.fromkeys([*first, *sorted(allowed - {*first, *managed}), *managed]))
        return names, frozenset(names)

    def _read_attribute(self, name: str) -> Any:
        """A stored name's value; ``None`` while it is not set (never stored as such)."""
        return self._state.values.get(name)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: foreign keys, timestamps, version, unknowns.
        if name.startswith("__") or name == "_model_state":
            raise AttributeError(name)
        cls = type(self)
        if not hasattr(cls, "__definition__"):  # an abstract base
            raise AttributeError(f"{cls.__name__} has no attribute {name!r}")
        names = cls._names()
        if name in names:
            return self._state.values.get(name)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"{cls.__definition__.name} has no attribute {name!r}{hint}")

    def __setattr__(self, name: str, value: Any) -> None:
        """``user.role = "admin"`` sets a stored value (guarded ones too: this is explicit);
        an unknown public name is refused with a did-you-mean rather than silently lost."""
        cls = type(self)
        if name in cls._name_set()[1]:
            self._state.values[name] = value
        elif name.startswith("_") or hasattr(cls, name):
            object.__setattr__(self, name, value)
        else:
            cls._check_names({name: value})

    def __delattr__(self, name: str) -> None:
        if name in type(self)._name_set()[1]:
            self._state.values.pop(name, None)
        else:
            object.__delattr__(self, name)

    def __getstate__(self) -> dict[str, Any]:
        """For pickle and copy: the instance's own state, copied (never shared)."""
        state = self._state
        return {
            "values": dict(state.values),
            "original": dict(state.original),
            "exists": state.exists,
            "changes": dict(state.changes),
            "extra": dict(self.__dict__),
        }

    def __setstate__(self, saved: dict[str, Any]) -> None:
        state = ModelState(saved["values"])
        state.original, state.exists, state.changes = (
            saved["original"],
            saved["exists"],
            saved["changes"],
        )
        object.__setattr__(self, "_model_state", state)
        self.__dict__.update(saved["extra"])

    @classmethod
    def _transformer(cls) -> EntityTransformer:
        return transformer_of(cls.__registry__)

    def to_values(self) -> dict[str, Any]:
        """The model's stored values (attributes, foreign keys, managed attributes)."""
        allowed = type(self)._name_set()[1]
        values = self._state.values
        if allowed.issuperset(values):
            return dict(values)  # the usual case: every name is a stored one
        return {k: v for k, v in values.items() if k in allowed}

    def to_item(self) -> dict[str, Any]:
        """The full DynamoDB item as Python values, keys included."""
        return type(self)._transformer().to_item(type(self).__definition__.name, self.to_values())

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Self:
        """An instance from a stored item (internal attributes stripped, values cast).

        Hydration is not mass assignment: guarded attributes are loaded as stored.
        """
        name = cls.__definition__.name
        transformer = cls._transformer()
        cls.__registry__.model(name)  # an unregistered model is named as such
        info = transformer.info(name)
        values = transformer.read_values(item, name, info)
        instance = cls.__new__(cls)
        state = ModelState(values)
        object.__setattr__(instance, "_model_state", state)
        # _remember(), spelled out: the snapshot of the stored names (usually all of them).
        allowed = info.allowed  # the names _name_set() holds
        if not allowed.issuperset(values):
            values = {k: v for k, v in values.items() if k in allowed}
        state.original = snapshot(values, name)
        state.exists = True
        return instance

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.to_values(), other.to_values()
        return {k: v for k, v in mine.items() if v is not None} == {
            k: v for k, v in theirs.items() if v is not None
        }

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        key = type(self).__definition__.primary_key
        return f"{type(self).__name__}({key}={self._state.values.get(key)!r})"
