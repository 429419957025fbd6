"""Accessors and mutators: Eloquent's ``getFooAttribute``/``setFooAttribute`` as decorators.

>>> class User(Model):
...     first_name: str
...     last_name: str
...     email: str
...
...     @accessor                       # a computed attribute: user.full_name
...     def full_name(self) -> str:
...         return f"{self.first_name} {self.last_name}"
...
...     @accessor("first_name")         # applied when first_name is read
...     def _first_name_title(self, value: str) -> str:
...         return value.title()
...
...     @mutator("email")               # applied when email is set (assignment, create, fill)
...     def _email_lower(self, value: str) -> str:
...         return value.strip().lower()

An accessor of a stored attribute receives its value (after its cast's ``get``) and returns
what reads give; the stored value is unchanged. A mutator of a stored attribute receives the
assigned value and returns what is stored (its cast's ``set`` then applies). A mutator of a
computed name (one that is not stored) returns a mapping of stored attributes to set.
Hydration (loading an item) runs neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Accessor(Generic[T]):
    """A computed attribute (``@accessor`` on ``def full_name(self) -> str``): read like a
    stored one (``user.full_name``, ``get_attribute("full_name")``), listed in ``appends``
    to appear in ``to_dict()``. Assignable only when a ``@mutator("full_name")`` exists."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Accessor[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Accessor[T] | T:
        if instance is None:
            return self
        return self.function(instance)

    def __set__(self, instance: object, value: Any) -> None:
        assign = getattr(instance, "_assign", None)
        if assign is None:  # pragma: no cover - accessors live on models
            raise AttributeError(self.name)
        assign({self.name: value})


class AttributeAccessor(Generic[T]):
    """``@accessor("name")``: a function applied when the attribute ``name`` is read."""

    def __init__(self, name: str, function: Callable[[Any, Any], T]) -> None:
        self.name = name
        self.function = function
        self.__doc__ = function.__doc__

    def __call__(self, instance: Any, value: Any) -> T:
        return self.function(instance, value)


class Mutator:
    """``@mutator("name")``: a function applied when the attribute ``name`` is set."""

    def __init__(self, name: str, function: Callable[[Any, Any], Any]) -> None:
        self.name = name
        self.function = function
        self.__doc__ = function.__doc__

    def __call__(self, instance: Any, value: Any) -> Any:
        return self.function(instance, value)


@overload
def accessor(function: Callable[[Any], T], /) -> Accessor[T]: ...
@overload
def accessor(name: str, /) -> Callable[[Callable[[Any, Any], T]], AttributeAccessor[T]]: ...
def accessor(
    target: Callable[[Any], T] | str, /
) -> Accessor[T] | Callable[[Callable[[Any, Any], T]], AttributeAccessor[T]]:
    """``@accessor`` makes a computed attribute of a method ``(self) -> value``;
    ``@accessor("name")`` makes a method ``(self, value) -> value`` the reader of ``name``."""
    if isinstance(target, str):
        name = _checked_name(target, "accessor")

        def wrap(function: Callable[[Any, Any], T]) -> AttributeAccessor[T]:
            return AttributeAccessor(name, function)

        return wrap
    if not callable(target):
        raise TypeError(f"@accessor takes a method or an attribute name, not {target!r}")
    return Accessor(target)


def mutator(name: str, /) -> Callable[[Callable[[Any, Any], Any]], Mutator]:
    """``@mutator("name")`` makes a method ``(self, value) -> stored value`` run whenever
    ``name`` is set (for a computed name: ``-> {stored name: value, ...}``)."""
    checked = _checked_name(name, "mutator")

    def wrap(function: Callable[[Any, Any], Any]) -> Mutator:
        return Mutator(checked, function)

    return wrap


def _checked_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise TypeError(
            f"@{what}({name!r}): give the attribute's name, a public identifier such as "
            f'@{what}("email")'
        )
    return name


def declared_hooks(
    classes: tuple[type, ...],
) -> tuple[dict[str, Callable[[Any, Any], Any]], dict[str, Mutator], dict[str, str]]:
    """Accessors (name → ``(instance, value) -> value``), mutators (name → mutator) and where
    each was declared (name → ``"Class.method"``), from ``classes`` (an MRO, most derived
    first; a subclass's declaration wins)."""
    getters: dict[str, Callable[[Any, Any], Any]] = {}
    setters: dict[str, Mutator] = {}
    origins: dict[str, str] = {}
    for klass in reversed(classes):
        for key, value in vars(klass).items():
            if isinstance(value, Accessor):
                getters[value.name] = _computed(value)
                origins[f"get {value.name}"] = f"{klass.__name__}.{key}"
            elif isinstance(value, AttributeAccessor):
                getters[value.name] = value.function
                origins[f"get {value.name}"] = f"{klass.__name__}.{key}"
            elif isinstance(value, Mutator):
                setters[value.name] = value
                origins[f"set {value.name}"] = f"{klass.__name__}.{key}"
    return getters, setters, origins


def _computed(found: Accessor[Any]) -> Callable[[Any, Any], Any]:
    function = found.function
    return lambda instance, value: function(instance)


def computed_names(classes: tuple[type, ...]) -> dict[str, Accessor[Any]]:
    """The ``@accessor`` computed attributes of ``classes`` by name."""
    found: dict[str, Accessor[Any]] = {}
    for klass in reversed(classes):
        for value in vars(klass).values():
            if isinstance(value, Accessor):
                found[value.name] = value
    return found


def as_mapping(result: Any, where: str) -> Mapping[str, Any]:
    """What a mutator of a computed name returned: the stored values to set."""
    if not isinstance(result, Mapping) or not all(isinstance(k, str) for k in result):
        raise TypeError(
            f"{where} sets a computed attribute, so it must return a dict of stored "
            f"attributes to set (e.g. {{'first_name': ..., 'last_name': ...}}), got "
            f"{type(result).__name__}"
        )
    return result


__all__ = ["Accessor", "AttributeAccessor", "Mutator", "accessor", "mutator"]
