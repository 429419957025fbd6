"""Raw ``table(...)`` query planning, and the helpers it shares with the model planner.

A raw query has no model, so only the configured key names (or those of ``use_index``) serve:
pk and sk equality → GetItem, pk equality → Query (a condition on the sort key folded into the
key condition), anything else → Scan (warned, or refused when ``allow_scan`` is off).
:class:`RawPlanner` is the base class of :class:`~dynamodb_tooling.query.planner.QueryPlanner`;
it also holds what both share: the AND-ed conjuncts, the leftover filter, the Scan refusal or
warning, and the advice given when a model query needs a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dynamodb_tooling._warnings import warn_at_caller
from dynamodb_tooling.config import Config
from dynamodb_tooling.errors import PerformanceWarning, QueryError, ScanNotAllowedError
from dynamodb_tooling.expressions import KeyCondition, key
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import Predicate, or_terms, to_condition
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import EntityScheme, KeyScheme, ModelDefinition, Registry
from dynamodb_tooling.schema.indexes import index_key_attributes
from dynamodb_tooling.schema.resolve import ResolvedSchema

RANGE_OPS = ("<", "<=", ">", ">=", "between", "begins_with")


@dataclass(frozen=True)
class SchemaView:
    """What a planner reads of a registry, for a resolved schema without one (the access-pattern
    generator plans with it; its values are taken as already stored, e.g. ``<user_id>``)."""

    schema: ResolvedSchema
    keys: KeyScheme
    config: Config

    def model(self, name: str) -> ModelDefinition:
        return self.schema.entity(name).model


class RawPlanner:
    """Plans raw queries on a table; the base of :class:`QueryPlanner`, which adds models."""

    def __init__(self, registry: Registry | SchemaView) -> None:
        self.registry = registry
        self._executing = True

    @property
    def config(self) -> Config:
        return self.registry.config

    # Predicates usable for keys: the top level must be one AND-term of plain predicates.
    def _conjuncts(self, state: QueryState) -> list[Predicate]:
        terms = or_terms(state.wheres)
        if len(terms) != 1:
            return []
        return [c for c in terms[0] if isinstance(c, Predicate)]

    def rest(self, state: QueryState, used: list[Predicate]) -> tuple[Any, ...]:
        """The conditions not consumed by ``used`` (checked after a GetItem/BatchGetItem)."""
        return tuple((c, clause) for c, clause in state.wheres if clause not in used)

    # Scans: refused or warned when executing, with advice for model queries.
    def refuse_or_warn(self, message: str, state: QueryState) -> None:
        if not self._executing or state.force_scan:
            return
        if not self.config.allow_scan:
            raise ScanNotAllowedError(message + " (allow_scan is off; use force_scan() to opt in)")
        warn_at_caller(message, PerformanceWarning)

    @staticmethod
    def suggest(entity: EntityScheme, conjuncts: list[Predicate]) -> str | None:
        """The index that would turn a model query's Scan into a Query."""
        for p in conjuncts:
            if p.op in ("=", "in"):
                if p.attribute.endswith("_id"):
                    return (
                        f"declare a BelongsTo relation with foreign_key={p.attribute!r} on "
                        f"{entity.name} (or index={p.attribute!r}) to make it a Query"
                    )
                return (
                    f"mark {entity.name}.{p.attribute} index=True (a sparse GSI) or "
                    "unique=True to make it a Query"
                )
        if conjuncts:
            p = conjuncts[0]
            return (
                f"a range on {p.attribute} needs an equality on an indexed attribute or "
                f"relation too; or index an attribute with index_sort={p.attribute!r}"
            )
        return None

    # Raw table queries (no model): pk/sk equality from the configured key names.
    def _raw_plan(self, state: QueryState, table: str) -> Plan:
        design = self.config.single_table_design
        pk_name, sk_name = self._raw_keys(state)
        conjuncts = self._conjuncts(state)
        equal = {p.attribute: p for p in conjuncts if p.op == "="}
        if pk_name in equal and sk_name in equal and state.index is None and not state.force_scan:
            return Plan(
                operation="GetItem",
                table=table,
                reason="pk and sk equality",
                key={pk_name: equal[pk_name].value, sk_name: equal[sk_name].value},
                post_filter=self.rest(state, [equal[pk_name], equal[sk_name]]),
                projection=state.projection,
                consistent=state.consistent,
                limit=state.limit,
                client_sort=state.order,
                entity_type_attribute=design.entity_type_attribute,
            )
        if pk_name in equal and not state.force_scan:
            used = [equal[pk_name]]
            condition = key(pk_name).eq(equal[pk_name].value)
            sort = next(
                (p for p in conjuncts if p.attribute == sk_name and p.op in (*RANGE_OPS, "=")),
                None,
            )
            if sort is not None:
                used.append(sort)
                condition = condition & _raw_sort(sk_name, sort)
            rest = to_condition(self.rest(state, used))
            direction = state.order[1] if state.order and state.order[0] == sk_name else "asc"
            client_sort = state.order if state.order and state.order[0] != sk_name else None
            return Plan(
                operation="Query",
                table=table,
                reason=f"{pk_name} equality",
                sort_key=sk_name or None,
                index=state.index,
                key_conditions=(condition,),
                filter=rest,
                scan_forward=direction == "asc",
                client_sort=client_sort,
                limit=state.limit,
                projection=state.projection,
                consistent=state.consistent,
                page_limit=state.limit if rest is None and client_sort is None else None,
            )
        if state.force_query:
            raise QueryError(
                f"force_query(): no condition on {pk_name!r}; add where({pk_name!r}, ...)"
            )
        message = f"raw query on {table} needs a Scan: no {pk_name} equality"
        self.refuse_or_warn(message, state)
        return Plan(
            operation="Scan",
            table=table,
            reason=f"no {pk_name} equality",
            index=state.index,
            filter=to_condition(state.wheres),
            limit=state.limit,
            client_sort=state.order,
            projection=state.projection,
            consistent=state.consistent,
            segments=state.segments,
            warnings=(message,),
        )

    def _raw_keys(self, state: QueryState) -> tuple[str, str]:
        try:
            partition, sort = index_key_attributes(self.config, state.index)
        except QueryError as exc:
            raise QueryError(f"use_index({state.index!r}): {exc}") from None
        return partition, sort or ""


def _raw_sort(name: str, p: Predicate) -> KeyCondition:
    k = key(name)
    if p.op == "=":
        return k.eq(p.value)
    if p.op == "begins_with":
        return k.begins_with(p.value)
    if p.op == "between":
        return k.between(p.value, p.value2)
    return {"<": k.lt, "<=": k.lte, ">": k.gt, ">=": k.gte}[p.op](p.value)
