"""Relation declarations on model classes: HasOne, HasMany, BelongsTo, BelongsToMany.

Declaring one side is enough (``team.users`` is derived from ``User.team``). Targets may be
classes or names of models defined later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, overload

from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.schema.definitions import RelationDefinition, RelationKind

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model


class RelationNotLoadedError(DynamoDBToolingError, LookupError):
    """A relation was read on an instance before it was loaded."""


class Relation:
    """Base of the relation declarations; subclasses set ``kind``."""

    kind: ClassVar[RelationKind]

    def __init__(
        self,
        target: type[Model] | str,
        *,
        foreign_key: str | None = None,
        collection: bool = False,
        sort_by: str | None = None,
        index: bool = True,
        shards: int = 1,
    ) -> None:
        self.target = target
        self.foreign_key = foreign_key or ""
        self.collection = collection
        self.sort_by = sort_by
        self.index = index
        self.shards = shards
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.__name__

    def to_definition(self) -> RelationDefinition:
        return RelationDefinition(
            name=self.name,
            kind=self.kind,
            target=self.target_name,
            foreign_key=self.foreign_key,
            collection=self.collection,
            sort_by=self.sort_by,
            index=self.index,
            shards=self.shards,
            **self._extra(),
        )

    def _extra(self) -> dict[str, Any]:
        return {}

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Relation: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> Any: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        loaded: dict[str, Any] = instance.__dict__.get("_relations", {})
        if self.name in loaded:
            return loaded[self.name]
        raise RelationNotLoadedError(
            f"{owner.__name__}.{self.name} is not loaded on this instance; load it with "
            f"{owner.__name__}.with_({self.name!r})"
        )


class HasOne(Relation):
    """The parent side of a one-to-one relation (``user.profile``)."""

    kind = "has_one"


class HasMany(Relation):
    """The parent side of a one-to-many relation (``user.posts``)."""

    kind = "has_many"


class BelongsTo(Relation):
    """The child side: the model holds the parent's id in ``<parent>_id``."""

    kind = "belongs_to"


class BelongsToMany(Relation):
    """A many-to-many relation stored as edge items (adjacency list)."""

    kind = "belongs_to_many"

    def __init__(
        self,
        target: type[Model] | str,
        *,
        pivot: str | None = None,
        pivot_attributes: tuple[str, ...] = (),
    ) -> None:
        super().__init__(target)
        self.pivot = pivot or ""
        self.pivot_attributes = tuple(pivot_attributes)

    def _extra(self) -> dict[str, Any]:
        return {"pivot": self.pivot, "pivot_attributes": self.pivot_attributes}
