"""Querying: the class-level query API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.predicates import MISSING
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry


class Querying:
    """The model's static query entry points (Eloquent's ``User::where(...)``)."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        @classmethod
        def from_item(cls, item: Mapping[str, Any]) -> Self: ...

    @classmethod
    def query(cls) -> QueryBuilder[Self]:
        """A new query on this model: ``User.query().where("age", ">", 30).get()``."""
        state = QueryState(model=cls.__definition__.name)
        return QueryBuilder(state, registry=cls.__registry__, hydrate=cls.from_item)

    @classmethod
    def where(
        cls, attribute: Any, operator: Any = MISSING, value: Any = MISSING
    ) -> QueryBuilder[Self]:
        """``User.where("email", "ada@example.com")`` — see :meth:`QueryBuilder.where`."""
        return cls.query().where(attribute, operator, value)

    @classmethod
    def where_in(cls, attribute: str, values: Any) -> QueryBuilder[Self]:
        return cls.query().where_in(attribute, values)

    @classmethod
    def find(cls, item_id: Any) -> Self | None:
        """The instance with this id (one GetItem), or ``None``."""
        return cls.query().find(item_id)

    @classmethod
    def find_or_fail(cls, item_id: Any) -> Self:
        return cls.query().find_or_fail(item_id)

    @classmethod
    def find_many(cls, ids: Any) -> Collection[Self]:
        return cls.query().find_many(ids)

    @classmethod
    def all(cls) -> Collection[Self]:
        """Every instance (a Scan of this entity type: warned)."""
        return cls.query().get()

    # Async twins (the same plans and flows on the async executor).
    @classmethod
    async def afind(cls, item_id: Any) -> Self | None:
        """The async twin of :meth:`find`."""
        return await cls.query().afind(item_id)

    @classmethod
    async def afind_or_fail(cls, item_id: Any) -> Self:
        return await cls.query().afind_or_fail(item_id)

    @classmethod
    async def afind_many(cls, ids: Any) -> Collection[Self]:
        return await cls.query().afind_many(ids)

    @classmethod
    async def aall(cls) -> Collection[Self]:
        return await cls.query().aget()
