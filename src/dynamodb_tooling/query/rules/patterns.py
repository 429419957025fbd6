"""The access-pattern generator's questions to the planner (DESIGN §4: "the access-pattern
generator asks the planner, so docs and execution never disagree").

For each documented pattern the generator names the model and the conditions a user writes
(``Post.where("user_id", <user_id>)``); :class:`PatternPlanner` builds that
:class:`QueryState`, asks :meth:`QueryPlanner.plan` and turns the chosen plan into the
pattern's request: operation, key or key query (with its sort condition), entity-type scoping
and the filter exactly as it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.marshal import unmarshall
from dynamodb_tooling.query.plan import Plan, readable
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.predicates import Clause, Connector, Predicate
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema._access_pattern_docs import SortCondition, quote
from dynamodb_tooling.schema.access_patterns import FollowUp, Request
from dynamodb_tooling.schema.keys import KeyScheme
from dynamodb_tooling.schema.resolve import ResolvedSchema

_SORT_CONDITIONS: dict[str, SortCondition] = {
    "=": "=",
    "begins_with": "begins_with",
    "BETWEEN": "between",
}


def _value_text(value: Any) -> str:
    """Values in filters as the documents write them: strings in double quotes."""
    return quote(value) if isinstance(value, str) else str(value)


class PatternPlanner:
    """Answers "how is this query served?" for the access-pattern generator."""

    def __init__(self, schema: ResolvedSchema, keys: KeyScheme, config: Config) -> None:
        self.planner = QueryPlanner.for_schema(schema, keys, config)

    def request(
        self,
        model: str,
        equal: Mapping[str, Any],
        *,
        order: str | None = None,
        present: str | None = None,
    ) -> Request:
        """How ``model.where(<name>, <value>)...`` for every ``equal`` item (plus
        ``where_not_null(present)`` and ``order_by(order)``) is served."""
        wheres: list[tuple[Connector, Clause]] = [
            ("and", Predicate(name, "=", value)) for name, value in equal.items()
        ]
        if present is not None:
            wheres.append(("and", Predicate(present, "exists")))
        state = QueryState(
            model=model, wheres=tuple(wheres), order=(order, "asc") if order else None
        )
        return _request(self.planner.plan(state, executing=False), model, equal)


def _request(plan: Plan, model: str, equal: Mapping[str, Any]) -> Request:
    filter_text = readable(plan.filter, "filter", _value_text)
    if plan.operation in ("GetItem", "UniqueLookup"):
        assert plan.key is not None
        then: FollowUp | None = "GetItem" if plan.operation == "UniqueLookup" else None
        return Request(key=dict(plan.key), operation="GetItem", then=then, planned=True)
    if plan.operation == "Query":
        assert plan.route is not None
        assert plan.route.access
        query = plan.route.access[0]
        sort = plan.key_conditions[0].sort
        condition = None if sort is None else _SORT_CONDITIONS[sort.operator]
        if sort is not None:
            query = replace(query, sort_prefix=str(unmarshall(sort.values[0])))
        return Request(
            key_query=query,
            operation="Query",
            sort_condition=condition,
            entity_types=(model,) if plan.route.scoped else (),
            filter=filter_text,
            planned=True,
        )
    pairs = tuple((name, str(value)) for name, value in equal.items())
    return Request(
        filter_equals=pairs,
        operation="Scan",
        entity_types=(model,),
        filter=filter_text,
        planned=True,
    )
