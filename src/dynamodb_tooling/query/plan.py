"""A query plan: the operation chosen, the exact requests, and why.

``Plan.requests()`` compiles the requests (pure); ``Plan.explain()`` says, in words, what will
be sent, what it costs and which index would make a Scan a Query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dynamodb_tooling.expressions import Condition, KeyCondition, compile_expressions
from dynamodb_tooling.marshal import unmarshall
from dynamodb_tooling.query.predicates import Clause, Connector
from dynamodb_tooling.query.state import Direction
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import get_item, query, scan
from dynamodb_tooling.schema.keys import KeyQuery

PlanOperation = Literal["GetItem", "BatchGetItem", "UniqueLookup", "Query", "Scan"]
COST_CLASS: dict[PlanOperation, str] = {
    "GetItem": "GetItem (1 read, cheapest)",
    "BatchGetItem": "BatchGetItem (1 read per key, 100 keys per request, in parallel)",
    "UniqueLookup": "2 GetItems (the unique-value sentinel, then the item)",
    "Query": "Query (reads only the matching partition range)",
    "Scan": "Scan (reads the whole table)",
}


@dataclass(frozen=True)
class Route:
    """Which planner rule chose a plan and where it reads: the access paths its key
    conditions were built from (one per ``where_in`` value), and whether the read range can
    hold other entity types (so the plan filters on the entity type). The access-pattern
    documents are built from it, so they always say what the planner does."""

    rule: str
    access: tuple[KeyQuery, ...] = ()
    scoped: bool = False


@dataclass(frozen=True)
class Plan:
    """How one query will be served."""

    operation: PlanOperation
    table: str
    reason: str
    index: str | None = None
    key: dict[str, Any] | None = None
    keys: tuple[dict[str, Any], ...] = ()
    key_conditions: tuple[KeyCondition, ...] = ()
    filter: Condition | None = None
    post_filter: tuple[tuple[Connector, Clause], ...] = ()
    entity_type: str | None = None
    soft_delete: tuple[str, Literal["without", "with", "only"]] | None = None
    scan_forward: bool = True
    client_sort: tuple[str, Direction] | None = None
    limit: int | None = None
    projection: tuple[str, ...] = ()
    consistent: bool = False
    segments: int = 1
    warnings: tuple[str, ...] = ()
    suggestion: str | None = None
    entity_type_attribute: str = "_et"
    page_limit: int | None = field(default=None, compare=False)
    #: For write-sharded Queries: the sort attribute the shards' results are merged on.
    merge_key: str | None = None
    #: The sort key attribute a Query reads in order (for ``ORDER BY`` in PartiQL).
    sort_key: str | None = None
    #: For UniqueLookups: ``(attribute, stored value)`` the owner must still hold (a sentinel
    #: left behind by a write that changed the value must not find the item).
    unique_check: tuple[str, Any] | None = None
    #: The rule that chose this plan (not part of equality: the same request either way).
    route: Route | None = field(default=None, compare=False, repr=False)

    def requests(self) -> list[Request]:
        """The requests this plan sends first (one per shard for sharded Queries).

        A UniqueLookup's second GetItem depends on the first response; BatchGetItem is sent
        through the batch flow (100 keys per request).
        """
        projection = list(self.projection) or None
        if self.operation == "UniqueLookup":  # the sentinel whole; select() applies to the owner
            assert self.key is not None
            return [get_item(self.table, self.key, consistent_read=self.consistent)]
        if self.operation == "GetItem":
            assert self.key is not None
            return [
                get_item(
                    self.table, self.key, consistent_read=self.consistent, projection=projection
                )
            ]
        if self.operation == "BatchGetItem":
            return [
                get_item(self.table, k, consistent_read=self.consistent, projection=projection)
                for k in self.keys
            ]
        if self.operation == "Query":
            return [
                query(
                    self.table,
                    condition,
                    filter=self.filter,
                    index=self.index,
                    projection=projection,
                    limit=self.page_limit,
                    scan_index_forward=self.scan_forward,
                    consistent_read=self.consistent,
                )
                for condition in self.key_conditions
            ]
        return [
            scan(
                self.table,
                filter=self.filter,
                index=self.index,
                projection=projection,
                limit=self.page_limit,
                consistent_read=self.consistent,
            )
        ]

    @property
    def pageable(self) -> bool:
        """Whether cursor pages can resume this plan (one Query/Scan stream, server order)."""
        single = self.operation in ("GetItem", "UniqueLookup")
        stream = (
            self.operation in ("Query", "Scan")
            and len(self.key_conditions) <= 1
            and self.segments == 1
            and self.client_sort is None
        )
        return single or stream

    def to_params(self) -> dict[str, Any]:
        """The exact parameters of the first request (what ``debug()`` prints)."""
        return dict(self.requests()[0].params)

    def explain(self) -> Explanation:
        """The plan in words: operation, index, key condition, filter, cost, warnings, fix."""
        key_text = (
            readable(self.key_conditions[0], "key_condition") if self.key_conditions else None
        )
        if self.key is not None:
            key_text = " AND ".join(f"{k} = {v!r}" for k, v in self.key.items())
        return Explanation(
            operation=self.operation,
            table=self.table,
            index=self.index,
            key_condition=key_text,
            filter=readable(self.filter, "filter") if self.filter is not None else None,
            cost=COST_CLASS[self.operation],
            reason=self.reason,
            warnings=self.warnings,
            suggestion=self.suggestion,
            client_side=_client_side(self),
        )


def _client_side(plan: Plan) -> tuple[str, ...]:
    steps = []
    if plan.unique_check is not None:
        steps.append(f"the owner's {plan.unique_check[0]} re-checked (the sentinel may be stale)")
    if plan.post_filter:
        steps.append("conditions checked on the fetched item(s)")
    if plan.client_sort:
        steps.append(f"sorted by {plan.client_sort[0]} ({plan.client_sort[1]}) in memory")
    if plan.limit is not None and plan.filter is not None:
        steps.append(f"pages until {plan.limit} items match the filter")
    return tuple(steps)


@dataclass(frozen=True)
class Explanation:
    """What ``Model.where(...).explain()`` returns; ``str()`` renders it for people."""

    operation: PlanOperation
    table: str
    index: str | None
    key_condition: str | None
    filter: str | None
    cost: str
    reason: str
    warnings: tuple[str, ...] = ()
    suggestion: str | None = None
    client_side: tuple[str, ...] = ()

    @property
    def is_scan(self) -> bool:
        return self.operation == "Scan"

    def __str__(self) -> str:
        lines = [
            f"{self.operation} on {self.table}" + (f" index {self.index}" if self.index else "")
        ]
        lines.append(f"  why: {self.reason}")
        if self.key_condition:
            lines.append(f"  key condition: {self.key_condition}")
        if self.filter:
            lines.append(f"  filter: {self.filter}")
        lines.append(f"  cost: {self.cost}")
        lines += [f"  then: {step}" for step in self.client_side]
        # A warning that only restates the reason and the fix below (the Scan warning) is
        # not printed twice.
        lines += [
            f"  warning: {warning}"
            for warning in self.warnings
            if not (self.suggestion and self.suggestion in warning)
        ]
        if self.suggestion:
            lines.append(f"  to make it cheaper: {self.suggestion}")
        return "\n".join(lines)


_TOKEN = re.compile(r"#n\d+|:v\d+")


def readable(
    node: KeyCondition | Condition | None, kind: str, value_text: Callable[[Any], str] = repr
) -> str | None:
    """An expression with its placeholders replaced by the real names and values (each value
    written with ``value_text``)."""
    if node is None:
        return None
    compiled = compile_expressions(**{kind: node})  # type: ignore[arg-type]
    text = str(compiled.get("KeyConditionExpression") or compiled.get("FilterExpression"))
    names = compiled.get("ExpressionAttributeNames", {})
    values = compiled.get("ExpressionAttributeValues", {})

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in names:
            return str(names[token])
        return value_text(unmarshall(values[token]))

    return _TOKEN.sub(substitute, text)
