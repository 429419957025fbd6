"""Relationships: loading relations onto an instance, and reading what is loaded.

``post.load("user", "comments.user")`` and ``await post.aload(...)`` load relations onto a
model already fetched (one round of requests per level, as ``with_`` does);
``load_missing`` skips those already loaded; ``load_count`` sets ``<relation>_count``.
``relation_loaded``, ``get_relation``, ``set_relation``, ``unset_relation`` work on the loaded
values (what ``to_dict()`` includes). The relation classes live in
:mod:`dynamodb_tooling.orm.relations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import (
    Constraint,
    forget_loaded,
    is_loaded,
    loaded_value,
    set_loaded,
)
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.schema import SchemaError

if TYPE_CHECKING:
    from dynamodb_tooling.orm.relations.base import Relation
    from dynamodb_tooling.orm.relations.eager import EagerSpec
    from dynamodb_tooling.query.executor import Executor
    from dynamodb_tooling.requests import Flow


class HasRelationships:
    """Mixed into :class:`~dynamodb_tooling.orm.model.Model`; see the module docstring."""

    __slots__ = ()

    def get_key(self) -> Any:
        """This model's primary key value (``None`` until it has one)."""
        name = type(self).__definition__.primary_key  # type: ignore[attr-defined]
        return self._state.values.get(name)  # type: ignore[attr-defined]

    @classmethod
    def _relation_named(cls, name: str) -> Relation[Any] | None:
        """The relation ``name`` of this class, declared or derived (``None``: not one)."""
        from dynamodb_tooling.orm.relations.registry import relations_of

        if not hasattr(cls, "__definition__"):
            return None
        try:
            return relations_of(cls).get(name)  # type: ignore[arg-type]
        except SchemaError:  # models not all defined yet: no relation can be read
            return None

    @classmethod
    def relation_names(cls) -> list[str]:
        """Every relation of this model, declared or derived from the other side."""
        from dynamodb_tooling.orm.relations.registry import relations_of

        return list(relations_of(cls))  # type: ignore[arg-type]

    # Loading.
    def _executor(self) -> Executor:
        query = type(self).query()  # type: ignore[attr-defined]
        executor: Executor = query._executor()
        return executor

    def _load_flow(self, specs: tuple[EagerSpec, ...], missing_only: bool) -> Flow[None]:
        from dynamodb_tooling.orm.relations.eager import models_flow

        if not specs:
            raise QueryError("load() needs relation names: load('posts', 'posts.comments')")
        return models_flow([self], specs, missing_only=missing_only)  # type: ignore[list-item]

    def load(self, *relations: EagerSpec) -> Self:
        """Load ``relations`` onto this model now (reloading loaded ones); returns it."""
        self._executor().run(self._load_flow(relations, False))
        return self

    async def aload(self, *relations: EagerSpec) -> Self:
        """The async twin of :meth:`load`: ``await post.aload("user")``, then ``post.user``."""
        await self._executor().arun(self._load_flow(relations, False))
        return self

    def load_missing(self, *relations: EagerSpec) -> Self:
        """Load the ``relations`` not loaded yet (nested paths: their missing parts)."""
        self._executor().run(self._load_flow(relations, True))
        return self

    async def aload_missing(self, *relations: EagerSpec) -> Self:
        await self._executor().arun(self._load_flow(relations, True))
        return self

    def _count_flow(
        self, relations: tuple[str | Mapping[str, Constraint | None], ...]
    ) -> Flow[None]:
        from dynamodb_tooling.orm.relations.eager import count_flow
        from dynamodb_tooling.orm.relations.registry import relation_of

        counts = _count_specs(relations)
        for name in counts:
            relation_of(type(self), name)  # type: ignore[arg-type]
        return count_flow([self], counts)  # type: ignore[list-item]

    def load_count(self, *relations: str | Mapping[str, Constraint | None]) -> Self:
        """Set ``<relation>_count`` on this model (``user.load_count("posts").posts_count``)."""
        self._executor().run(self._count_flow(relations))
        return self

    async def aload_count(self, *relations: str | Mapping[str, Constraint | None]) -> Self:
        await self._executor().arun(self._count_flow(relations))
        return self

    def _collection_flow(
        self, models: list[Any], what: str, relations: tuple[Any, ...]
    ) -> tuple[Flow[None], Executor]:
        """``Collection.load(...)`` & co. on ``models`` (this one first): the flow and the
        executor to run it on."""
        from dynamodb_tooling.orm.relations.eager import models_flow

        if not relations:
            raise QueryError(f"{what}() needs relation names: {what}('posts')")
        strays = [m for m in models if not isinstance(m, HasRelationships)]
        if strays:
            raise QueryError(
                f"{what}() loads relations onto models; the collection also holds "
                f"{type(strays[0]).__name__} items"
            )
        if what == "load_count":
            return self._counts_for(models, relations), self._executor()
        flow = models_flow(models, relations, missing_only=what == "load_missing")
        return flow, self._executor()

    def _counts_for(
        self, models: list[Any], relations: tuple[str | Mapping[str, Constraint | None], ...]
    ) -> Flow[None]:
        from dynamodb_tooling.orm.relations.eager import _all, by_class, count_flow
        from dynamodb_tooling.orm.relations.registry import relation_of

        counts = _count_specs(relations)
        groups = by_class(models)
        for cls in groups:
            for name in counts:
                relation_of(cls, name)  # an unknown name is refused before any request
        yield from _all([count_flow(group, counts) for group in groups.values()])

    # Trees (a self-referential relation: children = HasMany("self")); see orm/relations/tree.
    def ancestors(self, relation: str | None = None) -> Collection[Self]:
        """This node's parent, grandparent, ... up to the root (nearest first): one GetItem
        per level. ``relation`` names the parent relation when the model has several."""
        from dynamodb_tooling.orm.relations.tree import ancestors_flow

        return Collection(self._executor().run(ancestors_flow(self, relation)))  # type: ignore[arg-type]

    async def aancestors(self, relation: str | None = None) -> Collection[Self]:
        from dynamodb_tooling.orm.relations.tree import ancestors_flow

        return Collection(await self._executor().arun(ancestors_flow(self, relation)))  # type: ignore[arg-type]

    def descendants(
        self, relation: str | None = None, *, depth: int | None = None
    ) -> Collection[Self]:
        """Every node below this one, level by level (one round of concurrent Queries per
        level), each node's children loaded on it. ``depth`` limits the levels."""
        from dynamodb_tooling.orm.relations.tree import descendants_flow

        flow = descendants_flow([self], relation, depth)  # type: ignore[list-item]
        return Collection(self._executor().run(flow))  # type: ignore[arg-type]

    async def adescendants(
        self, relation: str | None = None, *, depth: int | None = None
    ) -> Collection[Self]:
        from dynamodb_tooling.orm.relations.tree import descendants_flow

        flow = descendants_flow([self], relation, depth)  # type: ignore[list-item]
        return Collection(await self._executor().arun(flow))  # type: ignore[arg-type]

    @classmethod
    def get_tree(
        cls,
        roots: Iterable[Self] | None = None,
        *,
        relation: str | None = None,
        depth: int | None = None,
    ) -> Collection[Self]:
        """The roots (given, or every node without a parent: a Scan) with the whole tree
        below them loaded as their ``children``: one round per level."""
        found, flow = cls._tree(roots, relation, depth)
        cls.query()._executor().run(flow)  # type: ignore[attr-defined]
        return found

    @classmethod
    async def aget_tree(
        cls,
        roots: Iterable[Self] | None = None,
        *,
        relation: str | None = None,
        depth: int | None = None,
    ) -> Collection[Self]:
        from dynamodb_tooling.orm.relations.tree import tree_relations

        if roots is None:
            up, _ = tree_relations(cls, relation)  # type: ignore[arg-type]
            roots = await cls.query().force_scan().where_null(up.key_name).aget()  # type: ignore[attr-defined]
        found, flow = cls._tree(roots, relation, depth)
        await cls.query()._executor().arun(flow)  # type: ignore[attr-defined]
        return found

    @classmethod
    def _tree(
        cls, roots: Iterable[Self] | None, relation: str | None, depth: int | None
    ) -> tuple[Collection[Self], Flow[list[Any]]]:
        from dynamodb_tooling.orm.relations.tree import descendants_flow, tree_relations

        up, _ = tree_relations(cls, relation)  # type: ignore[arg-type]
        if roots is None:
            roots = cls.query().force_scan().where_null(up.key_name).get()  # type: ignore[attr-defined]
        found = Collection(list(roots))
        return found, descendants_flow(list(found), relation, depth)

    # What is loaded.
    def relation_loaded(self, name: str) -> bool:
        """Whether relation ``name`` is loaded on this instance (reading it costs nothing)."""
        self._known_relation(name)
        return is_loaded(self, name)  # type: ignore[arg-type]

    def get_relation(self, name: str) -> Any:
        """The loaded value of relation ``name`` (never loads; refused when not loaded)."""
        self._known_relation(name)
        if not is_loaded(self, name):  # type: ignore[arg-type]
            model = type(self).__name__
            raise QueryError(
                f"{model}.{name} is not loaded; load it with load({name!r}) or "
                f"{model}.with_({name!r})"
            )
        return loaded_value(self, name)  # type: ignore[arg-type]

    def set_relation(self, name: str, value: Any) -> Self:
        """Set the loaded value of relation ``name`` (a model, ``None``, or a list)."""
        relation = self._known_relation(name)
        if relation.many and not isinstance(value, Collection):
            value = Collection(value)
        set_loaded(self, name, value)  # type: ignore[arg-type]
        return self

    def unset_relation(self, name: str) -> Self:
        """Forget the loaded value of relation ``name`` (the next read loads it again)."""
        self._known_relation(name)
        forget_loaded(self, name)  # type: ignore[arg-type]
        return self

    def get_relations(self) -> dict[str, Any]:
        """Every loaded relation: name → value."""
        loaded: dict[str, Any] = self.__dict__.get("_relations") or {}
        return dict(loaded)

    def _known_relation(self, name: str) -> Relation[Any]:
        from dynamodb_tooling.orm.relations.registry import relation_of

        return relation_of(type(self), name)  # type: ignore[arg-type]


def _count_specs(
    relations: tuple[str | Mapping[str, Constraint | None], ...],
) -> dict[str, Constraint | None]:
    """``("posts", {"comments": fn})`` → name → constraint."""
    if not relations:
        raise QueryError("load_count() needs relation names: load_count('posts')")
    counts: dict[str, Constraint | None] = {}
    for spec in relations:
        for name, constraint in spec.items() if isinstance(spec, Mapping) else [(spec, None)]:
            counts[name] = constraint
    return counts
