"""Compile expressions into request parameters that share one set of placeholders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dynamodb_tooling.errors import ExpressionError
from dynamodb_tooling.expressions._placeholders import Placeholders
from dynamodb_tooling.expressions.conditions import Condition
from dynamodb_tooling.expressions.key_conditions import KeyCondition
from dynamodb_tooling.expressions.projections import Projection
from dynamodb_tooling.expressions.projections import projection as make_projection
from dynamodb_tooling.expressions.updates import Update


def compile_expressions(
    *,
    key_condition: KeyCondition | None = None,
    filter: Condition | None = None,
    condition: Condition | None = None,
    update: Update | None = None,
    projection: Projection | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Request parameters for the given expressions, keyed by DynamoDB's wire names.

    Placeholders are allocated in the order key condition, filter, condition, update,
    projection, so the output is deterministic. ``ExpressionAttributeNames`` and
    ``ExpressionAttributeValues`` are omitted when empty (DynamoDB rejects empty maps).

    >>> compile_expressions(filter=attr("age") > 30)  # doctest: +SKIP
    {'FilterExpression': '#n0 > :v0', 'ExpressionAttributeNames': {'#n0': 'age'},
     'ExpressionAttributeValues': {':v0': {'N': '30'}}}
    """
    ph = Placeholders()
    params: dict[str, Any] = {}
    if key_condition is not None:
        _expect(key_condition, KeyCondition, "key_condition", "key('pk') == value")
        params["KeyConditionExpression"] = key_condition.render(ph)
    if filter is not None:
        _expect(filter, Condition, "filter", "attr('a') > value")
        params["FilterExpression"] = filter.render(ph)
    if condition is not None:
        _expect(condition, Condition, "condition", "attr('a').not_exists()")
        params["ConditionExpression"] = condition.render(ph)
    if update is not None:
        _expect(update, Update, "update", "Update().set('a', value)")
        params["UpdateExpression"] = update.render(ph)
    if projection is not None:
        params["ProjectionExpression"] = _as_projection(projection).render(ph)
    if names := ph.names:
        params["ExpressionAttributeNames"] = names
    if values := ph.values:
        params["ExpressionAttributeValues"] = values
    return params


def _as_projection(value: Projection | Sequence[str]) -> Projection:
    if isinstance(value, Projection):
        return value
    if isinstance(value, str):
        return make_projection(value)
    return make_projection(*value)


def _expect(value: object, kind: type, argument: str, example: str) -> None:
    if not isinstance(value, kind):
        expected = f"{_article(kind.__name__)} {kind.__name__}"
        raise ExpressionError(
            f"{argument}= takes {expected}, got {type(value).__name__}; build one like {example}"
        )


def _article(noun: str) -> str:
    return "an" if noun[0] in "AEIOU" else "a"
