"""The data an access pattern is built from: the request that serves it (:class:`Request`),
the planner protocol the generator asks, and a pattern's spec before its request is known."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from dynamodb_tooling.schema._access_pattern_docs import SortCondition
from dynamodb_tooling.schema.keys import KeyQuery

Operation = Literal["GetItem", "Query", "Scan"]
FollowUp = Literal["GetItem", "BatchGetItem"]


@dataclass(frozen=True)
class Request:
    """Where a pattern reads for concrete values: a GetItem key, a Query, or Scan filters.

    ``planned`` requests come from the query planner (see :class:`PatternPlanner`): their
    operation, sort condition, entity types, filter text and follow-up are the planner's and
    replace the pattern spec's.
    """

    key: dict[str, str] | None = None
    key_query: KeyQuery | None = None
    filter_equals: tuple[tuple[str, str], ...] = ()
    operation: Operation | None = None
    sort_condition: SortCondition | None = None
    entity_types: tuple[str, ...] = ()
    filter: str | None = None
    then: FollowUp | None = None
    planned: bool = False


#: The earlier name of :class:`Request`.
Plan = Request


class PatternPlanner(Protocol):
    """How the generator asks the query planner how a model query is served
    (:class:`dynamodb_tooling.query.rules.patterns.PatternPlanner`)."""

    def request(
        self,
        model: str,
        equal: Mapping[str, Any],
        *,
        order: str | None = None,
        present: str | None = None,
    ) -> Request: ...


@dataclass(frozen=True)
class PatternSpec:
    entity: str
    name: str
    operation: Operation
    note: str
    example: str
    inputs: tuple[str, ...] = ()
    sort_condition: SortCondition | None = None
    entity_types: tuple[str, ...] = ()
    then: FollowUp | None = None


Planner = Callable[[Mapping[str, Any]], Request]
Follower = Callable[[Mapping[str, Any]], dict[str, str]]
