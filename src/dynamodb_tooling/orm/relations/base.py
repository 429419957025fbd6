"""The relation protocol every relation class implements (Eloquent's ``Relation``).

A relation is declared on a model class (``posts = HasMany("Post")``) or derived from the
other side (``User.team`` declared makes ``team.users`` exist). At run time each relation of
a model class is *bound* to that class (:meth:`Relation.bound`: owner, target class, and the
resolved key layout — a :class:`~dynamodb_tooling.schema.resolve.ParentLink` or a pivot) and
implements, as in Eloquent:

- :meth:`Relation.add_constraints` — the target query constrained to one parent (lazy loads
  and relation queries: ``team.users.where(...)``);
- :meth:`Relation.add_eager_constraints` — the target query for many parents at once;
- :meth:`Relation.init_relation` — the empty value each parent starts with;
- :meth:`Relation.match` — fetched results attached to their parents;
- :meth:`Relation.get_results` — the value of one parent (a lazy load).

Loading is a sans-IO flow (:meth:`Relation.eager_flow`), so the same code runs on the sync
and the async executor, and several relations load side by side.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, cast, overload

from typing_extensions import TypeVar

from dynamodb_tooling.errors import DynamoDBToolingError, QueryError
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Flow
from dynamodb_tooling.schema.definitions import RelationDefinition, RelationKind

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.query import ModelQuery
    from dynamodb_tooling.orm.relations.eager import EagerNode
    from dynamodb_tooling.schema.resolve import ParentLink, PivotScheme

#: The related model type: ``HasMany(Post)`` reads ``Post``s; ``HasMany("Post")`` (a name)
#: reads ``Any`` unless the mypy plugin resolves the name.
R = TypeVar("R", bound="Model", default=Any)

#: A constraint given to ``with_({...})``, ``where_has`` ...: takes and returns the query.
Constraint = Callable[[Any], Any]


class RelationNotLoadedError(DynamoDBToolingError, LookupError):
    """A relation was read where it cannot be loaded (strict mode, a running event loop)."""


class LazyLoadingViolationError(RelationNotLoadedError):
    """A lazy load happened while lazy loading is prevented (:func:`prevent_lazy_loading`)."""


class Relation(Generic[R], abc.ABC):
    """Base of the relation classes; see the module docstring."""

    kind: ClassVar[RelationKind]
    #: Whether a parent has many related models (a collection) or at most one.
    many: ClassVar[bool] = True

    @overload
    def __init__(
        self: Relation[Any],
        target: str,
        *,
        foreign_key: str | None = None,
        collection: bool = False,
        sort_by: str | None = None,
        index: bool = True,
        shards: int = 1,
    ) -> None: ...
    @overload
    def __init__(
        self,
        target: type[R],
        *,
        foreign_key: str | None = None,
        collection: bool = False,
        sort_by: str | None = None,
        index: bool = True,
        shards: int = 1,
    ) -> None: ...
    def __init__(
        self,
        target: type[R] | str,
        *,
        foreign_key: str | None = None,
        collection: bool = False,
        sort_by: str | None = None,
        index: bool = True,
        shards: int = 1,
    ) -> None:
        """``target``: the related model class, or its name (a model defined later, or
        ``"self"``). A class gives type checkers the related type (``HasMany(Post)`` reads
        as ``Post`` models); a name reads as ``Any``."""
        self.target = target
        self.foreign_key = foreign_key or ""
        self.collection = collection
        self.sort_by = sort_by
        self.index = index
        self.shards = shards
        self.name = ""
        # Set on bound copies (see bound()).
        self.owner: type[Model] | None = None
        self.link: ParentLink | None = None
        self.pivot: PivotScheme | None = None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    # Declaration.
    @property
    def target_name(self) -> str:
        return self.target if isinstance(self.target, str) else self.target.__name__

    def to_definition(self) -> RelationDefinition | None:
        """What the key layout stores of this relation (``None``: nothing, e.g. a
        has-many-through, served by two stored relations)."""
        return self._definition()

    def _definition(self) -> RelationDefinition:
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

    # Binding.
    def bound(
        self,
        owner: type[Model],
        name: str,
        *,
        link: ParentLink | None = None,
        pivot: PivotScheme | None = None,
        **layout: Any,
    ) -> Any:
        """This relation for ``owner`` (a copy: a declaration is shared by subclasses), with
        its resolved layout (a link, a pivot; polymorphic ones: ``morph_link``,
        ``morph_pivot``)."""
        clone = copy.copy(self)
        clone.owner, clone.name, clone.link, clone.pivot = owner, name, link, pivot
        for key, value in layout.items():
            setattr(clone, key, value)
        return clone

    @property
    def owner_class(self) -> type[Model]:
        if self.owner is None:
            raise QueryError(f"relation {self.name!r} is not bound to a model class")
        return self.owner

    @property
    def related(self) -> type[R]:
        """The target model class."""
        from dynamodb_tooling.orm.loading import get_model

        if not isinstance(self.target, str):
            return self.target
        owner = self.owner_class
        if self.target == "self":  # a tree: HasMany("self")
            return cast("type[R]", owner)
        return cast("type[R]", get_model(self.target, registry=owner.__registry__))

    @property
    def label(self) -> str:
        return f"{self.owner_class.__name__}.{self.name}"

    # Descriptor: instance access gives the relation's value (see subclasses).
    def __get__(self, instance: Model | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        from dynamodb_tooling.orm.relations.registry import relation_of

        return relation_of(type(instance), self.name).value_for(instance)

    def __set__(self, instance: Model, value: Any) -> None:
        from dynamodb_tooling.orm.relations.registry import relation_of

        relation_of(type(instance), self.name).assign(instance, value)

    @abc.abstractmethod
    def value_for(self, parent: Model) -> Any:
        """What ``parent.<name>`` gives: the related model (or ``None``) for a to-one
        relation, a relation query bound to ``parent`` for a to-many one."""
        ...

    def assign(self, parent: Model, value: Any) -> None:
        raise QueryError(
            f"{self.label} cannot be assigned; add related models through the relation "
            f"(e.g. {self.name}.create(...) / {self.name}.save(model))"
        )

    # The protocol.
    @abc.abstractmethod
    def add_constraints(self, query: ModelQuery[R], parent: Model) -> ModelQuery[R]:
        """``query`` constrained to ``parent``'s related models."""
        ...

    @abc.abstractmethod
    def add_eager_constraints(
        self, query: ModelQuery[R], parents: Sequence[Model]
    ) -> ModelQuery[R] | None:
        """``query`` constrained to the related models of all ``parents`` (``None``: they
        have none, nothing to fetch)."""
        ...

    def init_relation(self, parents: Sequence[Model]) -> None:
        """Give every parent the empty value (an empty collection or ``None``)."""
        for parent in parents:
            set_loaded(parent, self.name, Collection([]) if self.many else None)

    @abc.abstractmethod
    def match(self, parents: Sequence[Model], results: Sequence[R]) -> None:
        """Attach ``results`` to their parents."""
        ...

    def get_results(self, parent: Model) -> Flow[Any]:
        """The flow of ``parent``'s value (one parent's eager load)."""
        yield from self.eager_flow([parent], None, None)
        return loaded_value(parent, self.name)

    def query_for(self, parent: Model) -> ModelQuery[R]:
        """A new query of the related models of ``parent``."""
        return self.add_constraints(self.related.query(), parent)

    def eager_flow(
        self,
        parents: Sequence[Model],
        constraint: Constraint | None,
        nested: Mapping[str, EagerNode] | None,
    ) -> Flow[None]:
        """Load this relation for every parent: one query for all (fan-out inside it runs
        concurrently), nested relations one round per level, results matched."""
        self.init_relation(parents)
        query = self.add_eager_constraints(self.related.query(), parents)
        if query is None:
            return
        query = constrained(query, constraint, self.label)
        if nested:
            query = query._with_eager(nested)
        results = yield from results_flow(query)
        self.match(parents, results)

    def check_constraint(self, constraint: Constraint | None) -> None:
        """Refuse, when it is given (before any request), a constraint that does not return
        a query: it is tried on a bare query of the related model (queries are pure)."""
        if constraint is None:
            return
        if not callable(constraint):
            raise QueryError(
                f"the constraint given for {self.label} must be a function of the query "
                f"(lambda q: q.where(...)), not {type(constraint).__name__}"
            )
        constrained(self.related.query(), constraint, self.label)

    def counts_flow(
        self, parents: Sequence[Model], constraint: Constraint | None
    ) -> Flow[list[int]]:
        """How many related models each parent has (in order), loaded relations left as they
        were: here by loading them; relations that can count on the server (``Select=COUNT``)
        or from their edges override it. ``with_count`` and ``has``/``where_has`` use it."""
        name = self.name
        before = {id(p): loaded_value(p, name) for p in parents if is_loaded(p, name)}
        yield from self.eager_flow(parents, constraint, None)
        counts = []
        for parent in parents:
            found = loaded_value(parent, name)
            counts.append(len(found) if self.many else int(found is not None))
            if id(parent) in before:
                parent.__dict__["_relations"][name] = before[id(parent)]
            else:
                forget_loaded(parent, name)
        return counts

    def count_flow(self, parents: Sequence[Model], constraint: Constraint | None) -> Flow[None]:
        """Set ``<name>_count`` on every parent (``with_count``)."""
        counts = yield from self.counts_flow(parents, constraint)
        for parent, count in zip(parents, counts, strict=True):
            set_count(parent, f"{self.name}_count", count)

    # Helpers for subclasses.
    def _parent_id(self, parent: Model) -> Any:
        return parent.get_key()


def results_flow(query: ModelQuery[Any]) -> Flow[list[Any]]:
    """Every result of ``query`` as one flow: read, hydrate, and its own eager loads."""
    rows = yield from query._reader().all_flow()
    found = query._hydrate_rows(rows)
    more = query._load_flow(found)
    if more is not None:
        found = yield from more
    return found


def constrained(query: Any, constraint: Constraint | None, label: str) -> Any:
    if constraint is None:
        return query
    result = constraint(query)
    if result is None:  # a constraint written as a statement (lambda q: q.where(...) is fine)
        raise QueryError(
            f"the constraint given for {label} returned None; return the query "
            "(lambda q: q.where(...)) — builder methods return a new query"
        )
    return result


# The per-instance store of loaded relations (what serialisation reads).
def loaded_map(instance: Model) -> dict[str, Any]:
    found: dict[str, Any] | None = instance.__dict__.get("_relations")
    if found is None:
        found = {}
        instance.__dict__["_relations"] = found
    return found


def set_loaded(instance: Model, name: str, value: Any) -> None:
    loaded_map(instance)[name] = value


def forget_loaded(instance: Model, name: str) -> None:
    found = instance.__dict__.get("_relations")
    if found:
        found.pop(name, None)


def is_loaded(instance: Model, name: str) -> bool:
    found: dict[str, Any] | None = instance.__dict__.get("_relations")
    return found is not None and name in found


def loaded_value(instance: Model, name: str) -> Any:
    return instance.__dict__["_relations"][name]


def set_count(instance: Model, name: str, count: int) -> None:
    """``posts_count``: readable as an attribute and shown by ``to_dict()``."""
    instance.__dict__[name] = count
    counts: dict[str, int] = instance.__dict__.setdefault("_counts", {})
    counts[name] = count


def identity(value: Any) -> Any:
    """Ids compare as text (a number id read back may be an ``int`` or ``Decimal``)."""
    return None if value is None else str(value)


def unique_ids(values: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for value in values:
        if value is not None:
            seen.setdefault(identity(value), value)
    return list(seen.values())
