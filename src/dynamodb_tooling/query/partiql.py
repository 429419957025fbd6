"""Compile a query plan to a PartiQL statement (values bound as ``?`` parameters).

>>> User.where("team_id", team.id).to_partiql()                    # doctest: +SKIP
Statement(statement='SELECT * FROM "MainTable"."GSI1" WHERE "gsi1pk" = ? AND
begins_with("gsi1sk", ?)', parameters=['TEAM#01J...', 'USER#'])
"""

from __future__ import annotations

from typing import Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, KeyCondition
from dynamodb_tooling.expressions._operand import Operand, Value
from dynamodb_tooling.expressions.conditions import (
    And,
    Between,
    Comparison,
    FunctionCondition,
    In,
    Not,
    Or,
)
from dynamodb_tooling.expressions.key_conditions import KeyTerm
from dynamodb_tooling.expressions.operands import Attr, Size
from dynamodb_tooling.expressions.paths import Path
from dynamodb_tooling.marshal import unmarshall
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import to_condition
from dynamodb_tooling.requests.partiql import Statement


class _Render:
    """Renders conditions as PartiQL text, collecting parameters in order."""

    def __init__(self) -> None:
        self.parameters: list[Any] = []

    def bind(self, value: Any) -> str:
        self.parameters.append(value)
        return "?"

    def path(self, path: Path) -> str:
        text = ""
        for element in path.elements:
            text += (
                f"[{element}]" if isinstance(element, int) else f'{"." if text else ""}"{element}"'
            )
        return text

    def operand(self, operand: Operand) -> str:
        if isinstance(operand, Attr):
            return self.path(operand.path)
        if isinstance(operand, Size):
            return f"size({self.path(operand.target)})"
        if isinstance(operand, Value):
            return self.bind(unmarshall(operand.wire))
        raise QueryError(f"{type(operand).__name__} cannot be written in PartiQL")

    def condition(self, node: Condition) -> str:
        if isinstance(node, Comparison):
            return f"{self.operand(node.left)} {node.operator} {self.operand(node.right)}"
        if isinstance(node, Between):
            low, high = self.operand(node.low), self.operand(node.high)
            return f"{self.operand(node.operand)} BETWEEN {low} AND {high}"
        if isinstance(node, In):
            candidates = ", ".join(self.operand(c) for c in node.candidates)
            return f"{self.operand(node.operand)} IN [{candidates}]"
        if isinstance(node, FunctionCondition):
            return self.function(node)
        if isinstance(node, And | Or):
            joiner = " AND " if isinstance(node, And) else " OR "
            return "(" + joiner.join(self.condition(c) for c in node.conditions) + ")"
        if isinstance(node, Not):
            return f"NOT ({self.condition(node.condition)})"
        raise QueryError(f"{type(node).__name__} cannot be written in PartiQL")

    def function(self, node: FunctionCondition) -> str:
        args = [self.operand(a) for a in node.arguments]
        if node.function == "attribute_exists":
            return f"{args[0]} IS NOT MISSING"
        if node.function == "attribute_not_exists":
            return f"{args[0]} IS MISSING"
        return f"{node.function}({', '.join(args)})"

    def key_term(self, term: KeyTerm) -> str:
        name = f'"{term.name}"'
        values = [self.bind(unmarshall(v)) for v in term.values]
        if term.operator == "BETWEEN":
            return f"{name} BETWEEN {values[0]} AND {values[1]}"
        if term.operator == "begins_with":
            return f"begins_with({name}, {values[0]})"
        return f"{name} {term.operator} {values[0]}"

    def key_condition(self, condition: KeyCondition) -> list[str]:
        return [self.key_term(term) for term in condition.terms]


def to_partiql(plan: Plan) -> Statement:
    """The PartiQL SELECT that reads what ``plan`` reads (one statement)."""
    if plan.operation == "UniqueLookup":
        raise QueryError(
            "a unique-attribute lookup takes two reads (the sentinel, then the item) and has no "
            "single PartiQL statement; query by id instead"
        )
    if len(plan.key_conditions) > 1:
        raise QueryError("a write-sharded query reads several partitions; PartiQL takes one")
    render = _Render()
    where: list[str] = []
    if plan.key is not None:
        where += [f'"{name}" = {render.bind(value)}' for name, value in plan.key.items()]
    elif plan.keys:
        ors = [
            " AND ".join(f'"{n}" = {render.bind(v)}' for n, v in key.items()) for key in plan.keys
        ]
        where.append("(" + " OR ".join(f"({o})" for o in ors) + ")")
    for condition in plan.key_conditions:
        where += render.key_condition(condition)
    if plan.filter is not None:
        where.append(render.condition(plan.filter))
    where += _checks_after_fetch(plan, render)
    columns = ", ".join(f'"{p}"' for p in plan.projection) or "*"
    source = f'"{plan.table}"' + (f'."{plan.index}"' if plan.index else "")
    text = f"SELECT {columns} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
    if plan.operation == "Query" and not plan.scan_forward and plan.sort_key:
        text += f' ORDER BY "{plan.sort_key}" DESC'
    return Statement(text, tuple(render.parameters))


def _checks_after_fetch(plan: Plan, render: _Render) -> list[str]:
    """What the reader checks on fetched items (GetItem paths), as PartiQL conditions."""
    if plan.operation not in ("GetItem", "BatchGetItem"):
        return []
    checks: list[str] = []
    if plan.entity_type:
        checks.append(f'"{plan.entity_type_attribute}" = {render.bind(plan.entity_type)}')
    if plan.soft_delete is not None:
        name, trashed = plan.soft_delete
        checks.append(f'"{name}" IS {"NOT " if trashed == "only" else ""}MISSING')
    rest = to_condition(plan.post_filter)
    if rest is not None:
        checks.append(render.condition(rest))
    return checks
