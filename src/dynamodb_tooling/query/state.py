"""The state a query builder records: immutable, so every builder method returns a new one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dynamodb_tooling.query.predicates import Clause, Connector

Direction = Literal["asc", "desc"]
Trashed = Literal["without", "with", "only"]


@dataclass(frozen=True)
class QueryState:
    """Everything a query asks for; the planner turns it into requests.

    ``model`` names a registered model (entity-scoped queries); ``table`` is set for raw
    table queries and overrides the configured table name.
    """

    model: str | None = None
    table: str | None = None
    wheres: tuple[tuple[Connector, Clause], ...] = ()
    projection: tuple[str, ...] = ()
    order: tuple[str, Direction] | None = None
    limit: int | None = None
    index: str | None = None
    consistent: bool = False
    force_scan: bool = False
    force_query: bool = False
    trashed: Trashed = "without"
    segments: int = 1
