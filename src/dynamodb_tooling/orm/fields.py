"""``attribute(...)``: per-attribute options on a model class.

>>> class User(Model):
...     email: str = attribute(unique=True)
...     password: str | None = attribute(hidden=True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.schema.definitions import AttributeType


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class AttributeSpec:
    """What ``attribute()`` records; turned into an ``AttributeDefinition`` with the annotation."""

    default: Any = MISSING
    default_factory: Callable[[], Any] | None = None
    unique: bool = False
    index: bool = False
    index_sort: str | None = None
    hidden: bool = False
    fillable: bool = True
    guarded: bool = False
    cast: str | Any | None = None
    validation: str | None = None
    description: str = ""
    type: AttributeType | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING or self.default_factory is not None

    def make_default(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default


def attribute(
    default: Any = MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    unique: bool = False,
    index: bool = False,
    index_sort: str | None = None,
    hidden: bool = False,
    fillable: bool = True,
    guarded: bool = False,
    cast: str | Any | None = None,
    validation: str | None = None,
    description: str = "",
    type: AttributeType | None = None,
) -> Any:
    """Declare options of a model attribute (its type comes from the annotation).

    ``unique`` reserves values with sentinel items; ``index`` gives the attribute a sparse GSI
    path (``index_sort`` orders it); ``hidden`` leaves it out of serialisation; ``guarded=True``
    or ``fillable=False`` protects it from mass assignment (``Model(...)``, ``create``,
    ``update``, ``fill`` refuse it; set it explicitly or use ``force_fill``).

    ``cast`` is a custom cast (Eloquent's ``CastsAttributes``): an object, or a class made
    with no arguments, with ``get(model, key, value, attributes)`` and/or
    ``set(model, key, value, attributes)`` (see :mod:`dynamodb_tooling.orm.casts`, e.g.
    ``cast=AsJson()``), or a type name (``"integer"``, ``"json"``...) read as ``type``.
    ``type`` sets the stored type when the annotation does not say it.
    """
    return AttributeSpec(
        default=default,
        default_factory=default_factory,
        unique=unique,
        index=index,
        index_sort=index_sort,
        hidden=hidden,
        fillable=fillable,
        guarded=guarded,
        cast=cast,
        validation=validation,
        description=description,
        type=type,
    )


T = TypeVar("T")


class Field(Generic[T]):
    """An attribute as a typed descriptor: annotate ``age: Field[int]`` and ``User.age > 30``
    is a predicate a type checker verifies, while ``user.age`` is an ``int``.

    Every model attribute gets one at class creation (plain annotations too); the annotation
    only decides what type checkers see. On an instance it reads the stored value, ``None``
    while unset.

    With mypy and the ``dynamodb_tooling.mypy`` plugin, plain annotations (``age: int | None
    = None``) give the same class-level type; ``Field[T]`` is for checkers without the plugin
    (pyright, pyre): they read its ``__get__`` overloads (class → ``AttributeRef[T]``,
    instance → ``T``) and, through ``__set__``, take a ``T`` in the constructor.
    """

    def __init__(self, name: str = "", model: str = "") -> None:
        self.name = name
        self.model = model

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = self.name or name

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> AttributeRef[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> AttributeRef[T] | T:
        if instance is None:
            return AttributeRef(self.name)
        read = getattr(owner, "_read_attribute", None)
        if read is None:
            raise AttributeError(f"{owner.__name__} cannot hold attribute {self.name!r}")
        value: T = read(instance, self.name)  # None while unset: optional values read as None
        return value

    if TYPE_CHECKING:
        # For type checkers only: ``user.age = 3`` is checked against ``T``, and a
        # ``dataclass_transform`` constructor takes a ``T`` for the attribute. At run time the
        # model's ``__setattr__`` stores the value (a data descriptor would also change
        # lookup precedence, which models do not want).
        def __set__(self, instance: object, value: T) -> None: ...
