"""What every planner rule sees (:class:`Context`) and offers (:class:`Candidate`).

A rule is one small class with a ``name`` and one of two methods:

- ``plan(ctx) -> Plan | None`` for *direct* rules, which answer alone (GetItem, BatchGetItem,
  unique lookups) — the first direct rule that returns a plan wins;
- ``candidates(ctx) -> list[Candidate]`` for *Query* rules, each offering ways to serve the query
  with a Query; the planner folds range conditions into them, scores them and keeps the best.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Protocol

from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import EntityScheme, KeyQuery, KeyScheme, traits

if TYPE_CHECKING:
    from dynamodb_tooling.query.planner import QueryPlanner


@dataclass(frozen=True)
class Context:
    """One model query being planned: its state (values in stored form), entity and the
    AND-ed top-level predicates usable for keys."""

    planner: QueryPlanner
    state: QueryState
    entity: EntityScheme
    conjuncts: tuple[Predicate, ...]
    table: str

    @property
    def keys(self) -> KeyScheme:
        return self.planner.registry.keys

    @cached_property
    def equal(self) -> dict[str, Predicate]:
        """Equality predicates by attribute (of several on one attribute, the last)."""
        return {p.attribute: p for p in self.conjuncts if p.op == "="}

    @cached_property
    def listed(self) -> tuple[Predicate, ...]:
        """``where_in`` predicates with at least one value."""
        return tuple(p for p in self.conjuncts if p.op == "in" and p.value)

    @property
    def wants_trashed(self) -> bool:
        """``with_trashed``/``only_trashed`` on a soft-deleting model: soft-deleted items leave
        attribute-derived indexes, so those cannot serve the query."""
        return self.state.trashed != "without" and traits.uses(self.entity.model, "soft_deletes")

    @property
    def order_attribute(self) -> str | None:
        return self.state.order[0] if self.state.order else None


@dataclass(frozen=True)
class Candidate:
    """A way to serve the query: a Query on ``where`` consuming ``used`` predicates.

    ``more`` holds the other partitions of a ``where_in`` (one Query per value, run
    concurrently and merged); ``sort_token`` is non-empty when the sort key starts with a
    known prefix (``POST#``) that ``begins_with`` / BETWEEN bounds build on.
    """

    score: int
    reason: str
    where: KeyQuery
    used: tuple[Predicate, ...]
    sort_attribute: str | None = None
    sort_token: str = ""
    #: The range read can hold other entity types (a collection with nested children).
    scoped: bool = False
    more: tuple[KeyQuery, ...] = ()
    #: The name of the rule that offered it.
    rule: str = ""

    @property
    def queries(self) -> tuple[KeyQuery, ...]:
        """Every KeyQuery to run: one, or one per ``where_in`` value."""
        return (self.where, *self.more)


class DirectRule(Protocol):
    """A rule that answers alone (the first to return a plan wins)."""

    name: ClassVar[str]

    def plan(self, ctx: Context) -> Plan | None: ...


class QueryRule(Protocol):
    """A rule offering Query candidates (the best score wins; earlier rules win ties)."""

    name: ClassVar[str]

    def candidates(self, ctx: Context) -> list[Candidate]: ...


class FallbackRule(Protocol):
    """The last rule: always plans (a Scan), or refuses."""

    name: ClassVar[str]

    def plan(self, ctx: Context) -> Plan: ...
