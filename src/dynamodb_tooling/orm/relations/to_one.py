"""What the to-one relations share (``HasOne``, ``MorphOne``, ``BelongsTo``, ``MorphTo``): the
value is one model or ``None`` — the loaded one, or loaded lazily once on first read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling.orm.relations.base import R, Relation

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


class ToOne(Relation[R]):
    """Mixed into the to-one relation classes (first among their bases)."""

    many: ClassVar[bool] = False

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> R | None: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    def value_for(self, parent: Model) -> R | None:
        from dynamodb_tooling.orm.relations.lazy import loaded_or_load

        found: R | None = loaded_or_load(self, parent)
        return found

    def _value(self, children: list[R]) -> Any:
        """The value of a to-one relation read through a to-many query: the first child."""
        return children[0] if children else None
