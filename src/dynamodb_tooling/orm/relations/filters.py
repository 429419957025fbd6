"""Relation filters: ``has``, ``doesnt_have``, ``where_has`` and their ``or_`` forms.

DynamoDB has no joins, so a relation filter reads: the query's results are fetched (without
its ``limit``), the relation is loaded for all of them at once — one round of requests per
relation, as ``with_`` costs — and results are kept by how many related models they have.
The filters combine left to right (``and``/``or`` between relation filters); the query's own
``where`` conditions always apply first, on the server.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm.relations.base import Constraint
from dynamodb_tooling.query.predicates import Connector
from dynamodb_tooling.requests import Flow

if TYPE_CHECKING:
    from dynamodb_tooling.orm.model import Model
    from dynamodb_tooling.orm.relations.base import Relation

_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": op.ge,
    ">": op.gt,
    "=": op.eq,
    "==": op.eq,
    "<": op.lt,
    "<=": op.le,
    "!=": op.ne,
    "<>": op.ne,
}


@dataclass(frozen=True)
class RelationFilter:
    """Keep a result when ``count(related matching constraint) <operator> count``."""

    relation: str
    operator: str
    count: int
    boolean: Connector
    constraint: Constraint | None

    @classmethod
    def of(
        cls,
        model: type[Model],
        relation: str,
        operator: str,
        count: int,
        boolean: Connector,
        constraint: Constraint | None,
    ) -> RelationFilter:
        from dynamodb_tooling.orm.relations.registry import relation_of

        if "." in relation:
            raise QueryError(
                f"has({relation!r}): nested relation filters are not supported; filter on "
                f"the first relation with a constraint that uses where_has on the next: "
                f"where_has({relation.split('.')[0]!r}, lambda q: q.where_has(...))"
            )
        found = relation_of(model, relation)
        if operator not in _OPERATORS:
            raise QueryError(
                f"has({relation!r}, {operator!r}, ...): unknown operator; use one of "
                f"{', '.join(_OPERATORS)}"
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise QueryError(
                f"has({relation!r}, ...): the count must be an int >= 0, not {count!r}"
            )
        if boolean not in ("and", "or"):
            raise QueryError(f"boolean must be 'and' or 'or', not {boolean!r}")
        found.check_constraint(constraint)
        return cls(relation, operator, count, boolean, constraint)

    def keeps(self, related: int) -> bool:
        return _OPERATORS[self.operator](related, self.count)


def filter_flow(models: list[Any], filters: Sequence[RelationFilter]) -> Flow[list[Any]]:
    """``models`` that pass ``filters``, each relation read once for all of them."""
    if not models:
        return models
    if isinstance(models[0], dict):
        raise QueryError("has()/where_has() filter models; drop as_dicts() from this query")
    from dynamodb_tooling.orm.relations.eager import _all
    from dynamodb_tooling.orm.relations.registry import relation_of

    cls = type(models[0])
    counts: list[list[int]] = [[] for _ in filters]
    flows = [
        _count_flow(relation_of(cls, f.relation), models, f.constraint, counts[i])
        for i, f in enumerate(filters)
    ]
    yield from _all(flows)
    kept = []
    for index, model in enumerate(models):
        result = filters[0].keeps(counts[0][index])
        for number, found in enumerate(filters[1:], start=1):
            passed = found.keeps(counts[number][index])
            result = (result and passed) if found.boolean == "and" else (result or passed)
        if result:
            kept.append(model)
    return kept


def _count_flow(
    relation: Relation[Any], models: list[Any], constraint: Constraint | None, into: list[int]
) -> Flow[None]:
    """How many related models each of ``models`` has (into ``into``, in order): counted as
    ``with_count`` counts (``Select=COUNT``, or edges), loaded relations left as they were."""
    into.extend((yield from relation.counts_flow(models, constraint)))
