"""``MorphTo``: the child side of a polymorphic relation (``comment.commentable``): the
parent of whichever type the child's ``<morph>_type`` names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint, Relation, set_loaded
from dynamodb_tooling.orm.relations.base import identity as _identity
from dynamodb_tooling.orm.relations.base import unique_ids as _unique
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.orm.relations.eager import EagerNode
    from dynamodb_tooling.schema.definitions import RelationDefinition
    from dynamodb_tooling.schema.resolve import MorphLink


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
