"""Polymorphic relations: a child belongs to a parent of one of several types.

``Comment`` items hold ``commentable_type`` (the parent's model name) and ``commentable_id``;
the child's morph index slot keys them under the parent's own key (``POST#<id>``), so a
parent's children are one Query, as for ``HasMany`` (DESIGN §2 style).

>>> class Post(Model):                                                   # doctest: +SKIP
...     comments = MorphMany("Comment", name="commentable")
>>> class Video(Model):                                                  # doctest: +SKIP
...     comments = MorphMany("Comment", name="commentable")
>>> class Comment(Model):                                                # doctest: +SKIP
...     body: str
...     commentable = MorphTo()
>>> post.comments.create(body="Nice")          # sets commentable_type/_id  # doctest: +SKIP
>>> comment.commentable                        # the Post (or Video)         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, overload

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint, R, Relation, set_loaded
from dynamodb_tooling.orm.relations.has_many import HasOneOrMany, _identity, _unique
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.orm.relations.eager import EagerNode
    from dynamodb_tooling.orm.relations.related import HasManyQuery
    from dynamodb_tooling.schema.definitions import RelationDefinition
    from dynamodb_tooling.schema.resolve import MorphLink


class MorphOneOrMany(HasOneOrMany[R]):
    """The parent side of a polymorphic link: children whose type is this model's name and
    whose id is this model's id."""

    morph_link: MorphLink | None = None

    @overload
    def __init__(self: MorphOneOrMany[Any], target: str, *, name: str | None = None) -> None: ...
    @overload
    def __init__(self, target: type[R], *, name: str | None = None) -> None: ...
    def __init__(self, target: type[R] | str, *, name: str | None = None) -> None:
        """``name``: the morph name the child's ``MorphTo`` uses (``commentable``; default
        ``<target>able``)."""
        super().__init__(target)
        self.morph_name = name or ""

    def _definition(self) -> RelationDefinition:
        found = super()._definition()
        from dataclasses import replace

        return replace(found, morph_name=self.morph_name)

    @property
    def link_of(self) -> MorphLink:
        if self.morph_link is None:
            raise QueryError(f"{self.label} has no resolved polymorphic link")
        return self.morph_link

    @property
    def key_name(self) -> str:
        return self.link_of.id_attribute

    def link_values(self, parent: Model) -> dict[str, Any]:
        return {
            self.link_of.type_attribute: type(parent).__definition__.name,
            self.link_of.id_attribute: parent.get_key(),
        }

    def _ancestor_values(self, parent: Model) -> dict[str, Any]:
        return {}

    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        if parent.get_key() is None:
            raise QueryError(f"{self.label}: save the {type(parent).__name__} first")
        for name, value in self.link_values(parent).items():
            query = query.where(name, value)
        return query

    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        ids = _unique(p.get_key() for p in parents)
        if not ids:
            return None
        if len(ids) == 1:
            return self.add_constraints(query, parents[0])
        owner = self.owner_class.__definition__.name
        return query.where(self.link_of.type_attribute, owner).where_in(self.key_name, ids)


class MorphMany(MorphOneOrMany[R]):
    """``post.comments``: the children of a polymorphic link, as ``HasMany`` gives them."""

    kind = "morph_many"

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[Any]) -> Self: ...
        @overload
        def __get__(self, instance: Model, owner: type[Any]) -> HasManyQuery[R]: ...
        def __get__(self, instance: Model | None, owner: type[Any]) -> Any: ...

    def value_for(self, parent: Model) -> HasManyQuery[R]:
        from dynamodb_tooling.orm.relations.related import HasManyQuery

        return HasManyQuery.bound_to(self, parent)


class MorphOne(MorphOneOrMany[R]):
    """``post.image``: the one child of a polymorphic link, or ``None``."""

    kind = "morph_one"
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


class MorphTo(Relation[Any]):
    """The child side: ``comment.commentable`` is the parent model (any of the types) or
    ``None``; ``comment.commentable = post`` sets both attributes. Loading the parents of N
    children: one BatchGetItem per parent type, all side by side."""

    kind = "morph_to"
    many: ClassVar[bool] = False
    morph_link: MorphLink | None = None

    def __init__(self, name: str | None = None) -> None:
        """``name``: the morph name (default: the attribute's name, ``commentable``)."""
        super().__init__("")
        self.morph_name = name or ""

    def _definition(self) -> RelationDefinition:
        from dataclasses import replace

        return replace(super()._definition(), target="", morph_name=self.morph_name or self.name)

    @property
    def link_of(self) -> MorphLink:
        if self.morph_link is None:
            raise QueryError(f"{self.label} has no resolved polymorphic link")
        return self.morph_link

    @property
    def related(self) -> type[Any]:
        raise QueryError(
            f"{self.label} relates several model types ({', '.join(self.link_of.types)}); "
            "read the parent from an instance"
        )

    def check_constraint(self, constraint: Constraint | None) -> None:
        """A constraint applies to every parent type: it is checked as each type loads."""

    def _type_of(self, name: str) -> type[Model]:
        from dynamodb_tooling.orm.loading import get_model

        if name not in self.link_of.types:
            raise QueryError(
                f"{self.label}: {name!r} is not one of its types ({', '.join(self.link_of.types)})"
            )
        return get_model(name, registry=self.owner_class.__registry__)

    def value_for(self, parent: Model) -> Any:
        from dynamodb_tooling.orm.relations.lazy import loaded_or_load

        return loaded_or_load(self, parent)

    def assign(self, parent: Model, value: Any) -> None:
        link = self.link_of
        if value is None:
            setattr(parent, link.type_attribute, None)
            setattr(parent, link.id_attribute, None)
            set_loaded(parent, self.name, None)
            return
        kind = type(value).__definition__.name if hasattr(type(value), "__definition__") else None
        if kind not in link.types:
            raise QueryError(
                f"{self.label} takes a {' or '.join(link.types)} (or None), not "
                f"{type(value).__name__}"
            )
        if value.get_key() is None:
            raise QueryError(f"{self.label}: save the {kind} before associating it")
        setattr(parent, link.type_attribute, kind)
        setattr(parent, link.id_attribute, value.get_key())
        set_loaded(parent, self.name, value)

    def add_constraints(self, query: ModelQuery[Any], parent: Model) -> ModelQuery[Any]:
        raise QueryError(f"{self.label}: read it from an instance (comment.{self.name})")

    def add_eager_constraints(
        self, query: ModelQuery[Any], parents: Sequence[Model]
    ) -> ModelQuery[Any] | None:
        raise QueryError(f"{self.label}: parents are read by eager_flow, per type")

    def match(self, parents: Sequence[Model], results: Sequence[Any]) -> None:
        link = self.link_of
        by_key = {(type(r).__definition__.name, _identity(r.get_key())): r for r in results}
        for parent in parents:
            wanted = (
                getattr(parent, link.type_attribute),
                _identity(getattr(parent, link.id_attribute)),
            )
            set_loaded(parent, self.name, by_key.get(wanted))

    def eager_flow(
        self,
        parents: Sequence[Model],
        constraint: Constraint | None,
        nested: Mapping[str, EagerNode] | None,
    ) -> Flow[None]:
        """One query per parent type (BatchGetItem of its ids), all side by side; a
        constraint or nested relations apply to every type (each must have them)."""
        from dynamodb_tooling.orm.relations.base import constrained, results_flow
        from dynamodb_tooling.orm.relations.eager import _all

        self.init_relation(parents)
        link = self.link_of
        ids: dict[str, list[Any]] = {}
        for parent in parents:
            kind = getattr(parent, link.type_attribute)
            if kind is not None and getattr(parent, link.id_attribute) is not None:
                ids.setdefault(kind, []).append(getattr(parent, link.id_attribute))
        found: list[Any] = []

        def one(kind: str, wanted: list[Any]) -> Flow[None]:
            model = self._type_of(kind)
            unique = _unique(wanted)
            key = model.__definition__.primary_key
            query = model.query()
            query = query.where(key, unique[0]) if len(unique) == 1 else query.where_in(key, unique)
            query = constrained(query, constraint, self.label)
            if nested:  # checked against each type when it loads
                query = query._with_eager(nested)
            found.extend((yield from results_flow(query)))

        yield from _all([one(kind, wanted) for kind, wanted in ids.items()])
        self.match(parents, found)
