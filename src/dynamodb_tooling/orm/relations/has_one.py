"""``HasOne``: the parent side of a one-to-one relation (``user.profile``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling.orm.relations.base import R

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


from dynamodb_tooling.orm.relations.has_one_or_many import HasOneOrMany


class HasOne(HasOneOrMany[R]):
    """The parent side of a one-to-one relation (``user.profile``): the model or ``None``."""

    kind = "has_one"
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
        return children[0] if children else None
