"""Whether a request given as wire parameters may be sent twice (raw requests, ``Request(...)``).

Compilers say it themselves (they know the expression they built); for parameters written by
hand the expression text is read: ``ADD`` of a number, ``a + :n``/``a - :n``, ``list_append``
and ``REMOVE a[i]`` build on what is stored, so sending them twice applies them twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_CLAUSE = re.compile(r"\b(SET|REMOVE|ADD|DELETE)\b", re.IGNORECASE)
_NAMES = re.compile(r"[#:][A-Za-z0-9_]+")


def update_expression_idempotent(expression: str, values: Mapping[str, Any]) -> bool:
    """Whether applying ``expression`` twice leaves the item as applying it once."""
    parts = _CLAUSE.split(expression)
    for clause, body in zip(parts[1::2], parts[2::2], strict=True):
        kind = clause.upper()
        if kind == "SET":
            bare = _NAMES.sub("x", body)
            if "+" in bare or "-" in bare or "list_append" in bare.lower():
                return False
        elif kind == "REMOVE" and "[" in body:
            return False
        elif kind == "ADD":
            for action in body.split(","):
                for token in _NAMES.findall(action):
                    if token.startswith(":") and "N" in values.get(token, {}):
                        return False
    return True


def wire_idempotent(operation: str, params: Mapping[str, Any]) -> bool:
    """Whether the request ``operation`` with wire ``params`` may be sent twice."""
    if operation == "UpdateItem":
        return update_expression_idempotent(
            str(params.get("UpdateExpression", "")), params.get("ExpressionAttributeValues", {})
        )
    if operation == "TransactWriteItems":
        if params.get("ClientRequestToken"):
            return True
        return all(
            update_expression_idempotent(
                str(item["Update"].get("UpdateExpression", "")),
                item["Update"].get("ExpressionAttributeValues", {}),
            )
            for item in params.get("TransactItems", ())
            if "Update" in item
        )
    if operation in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        if operation == "ExecuteTransaction" and params.get("ClientRequestToken"):
            return True
        statements = (
            [params.get("Statement", "")]
            if operation == "ExecuteStatement"
            else [s.get("Statement", "") for s in params.get("Statements", ())]
            + [s.get("Statement", "") for s in params.get("TransactStatements", ())]
        )
        return all(str(s).lstrip().upper().startswith("SELECT") for s in statements)
    return True
