"""Change tracking: what an instance was loaded or saved with, and what changed since."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP, describe
from dynamodb_tooling.errors import MarshallingError
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.transformer import (
    changed_values,
)

_IMMUTABLE = (str, int, float, bool, bytes, Decimal, datetime, date, time, Enum, type(None))
#: The exact types of :data:`_IMMUTABLE` values met most: one set lookup says "no copy".
_SCALARS = frozenset({str, int, float, bool, bytes, Decimal, datetime, date, time, type(None)})


class _TooDeepError(Exception):
    """Raised by the fast copy at a value nested too deeply: the general walk then says where."""


def snapshot(values: Mapping[str, Any], model: str = "") -> dict[str, Any]:
    """A copy of ``values`` that later in-place edits (``tags.add(...)``) cannot reach.

    Maps and lists are copied to DynamoDB's nesting limit; a value nested deeper (it could not
    be stored) raises :class:`MarshallingError` naming the attribute (``model`` its model),
    never a ``RecursionError``. Immutable values (strings, numbers, datetimes...) are shared."""
    scalars = _SCALARS
    copied: dict[str, Any] = {}
    try:
        for k, v in values.items():
            copied[k] = v if type(v) in scalars else _fast_copy(v, k, model, 1)
    except _TooDeepError:  # the general walk names the path of the value nested too deeply
        return {
            k: v if isinstance(v, _IMMUTABLE) else _copy(v, k, model, k, 1)
            for k, v in values.items()
        }
    return copied


def _fast_copy(value: Any, name: str, model: str, depth: int) -> Any:
    """:func:`_copy` without building paths (only errors need them: :class:`_TooDeepError`)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or kind is list or kind is tuple:
        if depth > MAX_DEPTH:
            raise _TooDeepError
        scalars, inner = _SCALARS, depth + 1
        if kind is dict:
            for v in value.values():
                if type(v) not in scalars:
                    break
            else:
                return dict(value)  # only immutable members (the usual case): copied in C
            members: dict[Any, Any] = {}
            for k, v in value.items():
                members[k] = v if type(v) in scalars else _fast_copy(v, name, model, inner)
            return members
        for v in value:
            if type(v) not in scalars:
                break
        else:
            return list(value) if kind is list else value  # a tuple of scalars is immutable
        items = [v if type(v) in scalars else _fast_copy(v, name, model, inner) for v in value]
        return items if kind is list else tuple(items)
    if kind is set or kind is frozenset:
        return kind(value)  # members are hashable scalars
    return _copy(value, name, model, name, depth)  # no dict, list or tuple: the path is unused


def _copy(value: Any, name: str, model: str, path: str, depth: int) -> Any:
    """A deep copy of one attribute's ``value``; ``depth`` is its nesting level (the
    attribute's own map or list is level 1), ``path`` where it sits in the attribute."""
    if isinstance(value, _IMMUTABLE):
        return value
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        if depth > MAX_DEPTH:
            where = f"{model}.{name}" if model else name
            raise MarshallingError(
                f"{where}: value nested more than {MAX_DEPTH} levels deep at {path}: {TOO_DEEP}"
            )
        if kind is dict:
            return {k: _copy(v, name, model, f"{path}.{k}", depth + 1) for k, v in value.items()}
        members = [_copy(v, name, model, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
        return members if kind is list else tuple(members)
    if kind is set or kind is frozenset:
        return kind(value)  # members are hashable scalars
    try:
        return copy.deepcopy(value)
    except RecursionError:
        where = f"{model}.{name}" if model else name
        raise MarshallingError(
            f"{where}: value nested too deeply to copy ({describe(value)}): {TOO_DEEP}"
        ) from None


class ModelState:
    """What an instance holds: its values, the values last loaded or saved, whether it is
    stored, and what the last save changed."""

    __slots__ = ("changes", "exists", "original", "values")

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = {} if values is None else values
        self.original: dict[str, Any] = {}
        self.exists = False
        self.changes: dict[str, Any] = {}


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """``None`` is never stored: an attribute set to ``None`` and an absent one are the same."""
    return {k: v for k, v in values.items() if v is not None}


class Exists:
    """``exists``, as in Eloquent, on both levels: ``user.exists`` (an instance) is whether it
    was loaded from, or saved to, the table; ``User.exists()`` (the class) is whether any item
    matches — ``User.query().exists()`` (with its async twin ``await User.aexists()``)."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Callable[[], bool]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> bool: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Callable[[], bool] | bool:
        if instance is not None:
            found: bool = instance._state.exists  # type: ignore[attr-defined]
            return found
        if getattr(owner, "__definition__", None) is None:  # Model itself, an abstract base
            return _no_query(owner)
        method: Callable[[], bool] = owner.query().exists
        return method


def _no_query(owner: type[Any]) -> Callable[[], bool]:
    def exists() -> bool:
        raise TypeError(f"{owner.__name__} is not a concrete model; call exists() on a model")

    return exists


class TracksChanges:
    """Eloquent's HasAttributes change tracking: the values last loaded or saved (a deep copy,
    so in-place edits of sets, dicts and lists count as changes), ``get_dirty()``,
    ``was_changed()``... An instance keeps its state in one slot (:class:`ModelState`), never
    in its ``__dict__``."""

    __slots__ = ("_model_state",)
    _model_state: ModelState

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        def to_values(self) -> dict[str, Any]: ...

        @classmethod
        def _hydration(cls) -> Any: ...

    @property
    def _state(self) -> ModelState:
        try:
            return self._model_state
        except AttributeError:  # made by __new__ (copy, pickle) and not filled yet
            state = ModelState()
            object.__setattr__(self, "_model_state", state)
            return state

    def _remember(self, hydration: Any = None) -> None:
        """Mark the values as saved: their snapshot, taken by the model's hydration (given by
        a caller that holds it already, looked up otherwise)."""
        state = self._state
        plan = type(self)._hydration() if hydration is None else hydration
        values = state.values  # to_values(), without its copy when every name is stored
        if not plan.allowed.issuperset(values):
            values = self.to_values()
        state.original = plan.original(values)
        state.exists = True

    def _remember_only(self, names: Iterable[str]) -> None:
        """Mark just ``names`` as saved (a targeted write): other unsaved edits stay dirty."""
        original = self._state.original
        values = self.to_values()
        for name in names:
            if name in values:
                original.update(snapshot({name: values[name]}))
            else:
                original.pop(name, None)

    exists: ClassVar[Exists] = Exists()

    # Dirty tracking.
    def get_original(self, attribute: str | None = None) -> Any:
        """The values last loaded or saved (a copy: editing it changes nothing)."""
        original = self._state.original
        if attribute is None:
            return snapshot(original)
        return snapshot({attribute: original.get(attribute)})[attribute]

    def get_dirty(self) -> dict[str, Any]:
        """Attributes changed since the instance was loaded or saved, in-place edits of sets,
        dicts and lists included (compared deeply)."""
        return changed_values(_present(self._state.original), _present(self.to_values()))

    def is_dirty(self, attribute: str | None = None) -> bool:
        dirty = self.get_dirty()
        return bool(dirty) if attribute is None else attribute in dirty

    def is_clean(self, attribute: str | None = None) -> bool:
        return not self.is_dirty(attribute)

    def get_changes(self) -> dict[str, Any]:
        """What the last ``save()`` changed."""
        return dict(self._state.changes)

    def was_changed(self, attribute: str | None = None) -> bool:
        changes = self.get_changes()
        return bool(changes) if attribute is None else attribute in changes

    def sync_original(self) -> Self:
        self._remember()
        return self
