"""QueryPlanner: choose the cheapest request for a query (DESIGN §3).

The planner is a list of rules (:mod:`dynamodb_tooling.query.rules`, where their order is
documented): direct rules first (primary key → GetItem, ``where_in`` on the key → BatchGetItem,
unique attribute → sentinel GetItem then GetItem), then Query rules offering candidates (a
collection's partition, its LSI, a GSI path on a foreign key / indexed attribute / id,
``where_in`` on such a path → one Query per value, the expiry index, a configured extra index),
scored, with range conditions on the path's sort attribute folded into the key condition; and a
Scan last (warned, or refused when ``allow_scan`` is off). Every other condition becomes a
filter; entity-type scoping is added wherever an index or partition holds more than one entity
type.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, KeyCondition, and_, attr, key
from dynamodb_tooling.query._raw_plan import RANGE_OPS, RawPlanner, SchemaView
from dynamodb_tooling.query.plan import Plan, Route
from dynamodb_tooling.query.predicates import Clause, Group, Predicate, to_condition
from dynamodb_tooling.query.rules import (
    DIRECT_RULES,
    FALLBACK,
    QUERY_RULES,
    Candidate,
    Context,
    DirectRule,
    FallbackRule,
    PrimaryKeyRule,
    QueryRule,
)
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import EntityScheme, KeyQuery, KeyScheme, Registry, traits
from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.schema.indexes import key_attribute_names
from dynamodb_tooling.schema.keys import MAX_KEY_CHAR
from dynamodb_tooling.schema.resolve import ResolvedSchema
from dynamodb_tooling.schema.tables import table_of
from dynamodb_tooling.schema.transformer import ModelInfo, transformer_of

__all__ = ["Candidate", "QueryPlanner"]

# Encodings of these types never contain a character below the key delimiter, so a sort key
# "TOKEN<value>#<id>" orders exactly as the values do. Free-form strings may ("Ann Lee" vs
# "Ann"), so string sort attributes are filtered and sorted in memory instead.
_KEY_ORDERED_TYPES = ("integer", "number", "decimal", "datetime", "date")


#: Whether a Plan is only its fields (no ``__post_init__``, a ``__dict__``): then a copy of a
#: plan's ``__dict__`` with one field changed is what ``dataclasses.replace`` would build.
_PLAIN_PLAN = "__post_init__" not in vars(Plan) and "__slots__" not in vars(Plan)


def _with_key(template: Plan, key: dict[str, Any]) -> Plan:
    """``dataclasses.replace(template, key=key)`` without re-running the 24-field frozen
    ``__init__``."""
    if not _PLAIN_PLAN:
        return replace(template, key=key)
    plan: Plan = object.__new__(Plan)
    fields = plan.__dict__
    fields.update(template.__dict__)
    fields["key"] = key
    return plan


class QueryPlanner(RawPlanner):
    """Plans queries for the models of a registry (or raw queries on a table).

    ``direct_rules``, ``query_rules`` and ``fallback`` are the rules in the order they are
    tried (see :mod:`dynamodb_tooling.query.rules`); a subclass may change them.
    """

    direct_rules: tuple[DirectRule, ...] = DIRECT_RULES
    query_rules: tuple[QueryRule, ...] = QUERY_RULES
    fallback: FallbackRule = FALLBACK

    @classmethod
    def for_schema(cls, schema: ResolvedSchema, keys: KeyScheme, config: Config) -> QueryPlanner:
        """A planner over a resolved schema without its registry; values in the states it
        plans are taken as already stored (the access-pattern generator plans with
        placeholders such as ``<user_id>``)."""
        return cls(SchemaView(schema, keys, config))

    def plan(self, state: QueryState, *, executing: bool = True) -> Plan:
        """See :meth:`_plan`; a ``select()`` also fetches what the library needs itself."""
        chosen = self._plan(state, executing=executing)
        if not chosen.projection:
            return chosen
        return replace(chosen, projection=self._needed(chosen, state))

    def plan_find(self, state: QueryState, item_id: Any) -> Plan | None:
        """The plan of ``state.where(<primary key>, item_id).limit(1)`` built directly — what
        :class:`PrimaryKeyRule` plans, without the general path's copies of the state, its
        predicates and the plan — or ``None`` when the general path must decide (conditions
        already given, a collection child, a forced Scan, other rules, no registry)."""
        if (
            state.model is None
            or state.wheres
            or state.force_scan
            or item_id is None
            or not isinstance(self.registry, Registry)
            or not self.direct_rules
            or type(self.direct_rules[0]) is not PrimaryKeyRule
        ):
            return None
        registry = self.registry
        entity = registry.schema.entity(state.model)
        if entity.ancestry:
            return None
        self._executing = True
        pk = entity.model.primary_key
        key = registry.keys.primary_key(
            entity.name, {pk: self._stored_value(state.model, pk, item_id)}
        )
        shape = (
            type(self),  # a subclass may plan differently (soft_delete, _needed)
            state.model,
            state.table,
            state.trashed,
            state.projection,
            state.consistent,
            state.order,
        )
        template: Plan = registry.derived(
            ("find plan", shape), lambda: self._find_template(state, entity)
        )
        return _with_key(template, key)

    def _find_template(self, state: QueryState, entity: EntityScheme) -> Plan:
        """``plan_find``'s plan for ``state`` but its key (``{}``): the same for every id, so
        built once per registry resolution and query shape."""
        pk = entity.model.primary_key
        plan = Plan(
            operation="GetItem",
            table=state.table or table_of(entity.model, self.config),
            key={},
            reason=f"{pk} equality: the primary key is known",
            route=Route(PrimaryKeyRule.name),
            entity_type=entity.name,
            soft_delete=self.soft_delete(state, entity),
            projection=state.projection,
            consistent=state.consistent,
            limit=1,
            client_sort=state.order,
            entity_type_attribute=self.config.single_table_design.entity_type_attribute,
        )
        if not plan.projection:
            return plan
        return replace(plan, projection=self._needed(plan, state))

    def _stored_value(self, model: str, attribute: str, value: Any) -> Any:
        """``value`` of a condition on ``attribute`` in the form items store it."""
        if value is None:
            return None
        assert isinstance(self.registry, Registry)
        info = ModelInfo.of(self.registry, model)
        declared = info.attributes.get(attribute)
        if declared is not None and declared.type not in ("any", "json"):
            try:
                return info.encoders[attribute](value)
            except AttributeCastError as exc:
                raise QueryError(f"where({attribute!r}, ...): {exc}") from None
        version = self.config.query_builder.version_attribute
        if attribute in info.managed and attribute != version:
            return transformer_of(self.registry).timestamp(value)
        return value

    def _needed(self, plan: Plan, state: QueryState) -> tuple[str, ...]:
        """Keys (cursors, batch matching, writes), the entity type, soft-delete and
        after-fetch attributes, added to the selected ones."""
        design = self.config.single_table_design
        extra = [design.partition_key_name, design.sort_key_name, plan.entity_type_attribute]
        extra += key_attribute_names(self.config, plan.index)
        if plan.unique_check is not None:
            extra.append(plan.unique_check[0])
        if plan.soft_delete is not None:
            extra.append(plan.soft_delete[0])
        extra += _attributes(plan.post_filter)
        if plan.client_sort is not None:
            extra.append(plan.client_sort[0])
        if plan.merge_key is not None:
            extra.append(plan.merge_key)
        if state.model is not None:
            extra.append(self.registry.model(state.model).primary_key)
        return tuple(dict.fromkeys((*plan.projection, *extra)))

    def _plan(self, state: QueryState, *, executing: bool = True) -> Plan:
        """The plan for ``state``: the rules, in order. When ``executing`` (not for
        ``explain()``), a Scan warns with :class:`PerformanceWarning`, or raises
        :class:`ScanNotAllowedError` when ``allow_scan`` is off."""
        self._executing = executing
        if state.model is None:
            return self._raw_plan(state, state.table or full_table_name(config=self.config))
        entity = self.registry.schema.entity(state.model)
        table = state.table or table_of(entity.model, self.config)  # its own, with table=
        state = self._stored_form(state)
        ctx = Context(self, state, entity, tuple(self._conjuncts(state)), table)
        if not state.force_scan:
            for rule in self.direct_rules:
                direct = rule.plan(ctx)
                if direct is not None:
                    return direct
            candidate = self._best(ctx)
            if candidate is not None:
                return self._query_plan(ctx, candidate)
        if state.force_query:
            raise QueryError(
                f"force_query(): no key condition can be formed for {entity.name} from "
                f"{self.describe(list(ctx.conjuncts))}; query by id, a unique attribute, a "
                "relation's foreign key or an indexed attribute"
            )
        return self.fallback.plan(ctx)

    # Values in the form items store them (UTC ISO datetimes, timestamps in their format...).
    def _stored_form(self, state: QueryState) -> QueryState:
        assert state.model is not None
        if not isinstance(self.registry, Registry):
            return state  # a SchemaView: values are given in stored form
        model = state.model

        def convert(attribute: str, value: Any) -> Any:
            return self._stored_value(model, attribute, value)

        def clause(node: Clause) -> Clause:
            if isinstance(node, Group):
                return replace(node, clauses=tuple((c, clause(n)) for c, n in node.clauses))
            if node.op in ("in", "not_in"):
                return replace(node, value=tuple(convert(node.attribute, v) for v in node.value))
            if node.op in ("begins_with", "contains", "exists", "not_exists"):
                return node
            return replace(
                node,
                value=convert(node.attribute, node.value),
                value2=convert(node.attribute, node.value2),
            )

        return replace(state, wheres=tuple((c, clause(n)) for c, n in state.wheres))

    @staticmethod
    def describe(conjuncts: list[Predicate]) -> str:
        if not conjuncts:
            return "no AND-ed conditions"
        names = ", ".join(dict.fromkeys(p.attribute for p in conjuncts))
        return f"the conditions on {names}"

    def finish(self, ctx: Context, plan: Plan) -> Plan:
        """Entity type, soft deletes, projection and consistency for item lookups."""
        state, entity = ctx.state, ctx.entity
        return replace(
            plan,
            entity_type=entity.name,
            soft_delete=self.soft_delete(state, entity),
            projection=state.projection,
            consistent=state.consistent,
            limit=state.limit,
            client_sort=state.order,
            entity_type_attribute=self.config.single_table_design.entity_type_attribute,
        )

    def soft_delete(self, state: QueryState, entity: EntityScheme) -> Any:
        scope = traits.read_scope(entity.model, self.config)
        if scope is None or state.trashed == "with":
            return None
        return (scope, state.trashed)

    # Query candidates.
    def candidates(self, ctx: Context) -> list[Candidate]:
        """Every rule's Query candidates, ranges on their sort attribute folded in."""
        found = [c for rule in self.query_rules for c in rule.candidates(ctx)]
        return [self._with_range(ctx.entity, c, list(ctx.conjuncts)) for c in found]

    def _best(self, ctx: Context) -> Candidate | None:
        state, entity = ctx.state, ctx.entity
        found = self.candidates(ctx)
        if state.index is not None:
            found = [c for c in found if (c.where.index or "table") == state.index]
            if not found:
                reachable = self.candidates(replace(ctx, state=replace(state, index=None)))
                usable = ", ".join(sorted({c.where.index or "table" for c in reachable}))
                raise QueryError(
                    f"use_index({state.index!r}): no condition on {entity.name} reaches that "
                    f"index; indexes this query could use: {usable or 'none'}"
                )
        if state.order is not None:
            found = [
                replace(c, score=c.score + (5 if c.sort_attribute == state.order[0] else 0))
                for c in found
            ]
        return max(found, key=lambda c: c.score, default=None)

    def key_ordered(self, entity: EntityScheme, attribute: str) -> bool:
        """Whether a sort key built from ``attribute`` orders like its values."""
        declared = entity.model.attribute(attribute)
        if declared is not None:
            return declared.type in _KEY_ORDERED_TYPES
        return attribute in traits.key_ordered(entity.model, self.config)

    def always_present(self, entity: EntityScheme, attribute: str) -> bool:
        declared = entity.model.attribute(attribute)
        if declared is not None:
            return not declared.nullable
        return attribute in traits.always_present(entity.model, self.config)

    def _with_range(
        self, entity: EntityScheme, candidate: Candidate, conjuncts: list[Predicate]
    ) -> Candidate:
        """Fold one range condition on the path's sort attribute into the key condition."""
        sort = candidate.sort_attribute
        if sort is None or not self.key_ordered(entity, sort):
            return candidate
        ranged = [
            p
            for p in conjuncts
            if p.attribute == candidate.sort_attribute and p.op in (*RANGE_OPS, "=")
        ]
        if not ranged:
            return candidate
        chosen = ranged[0]
        return replace(
            candidate,
            score=candidate.score + 10,
            used=(*candidate.used, chosen),
            reason=f"{candidate.reason}; {chosen.attribute} {chosen.op} in the key",
        )

    # Query plans.
    def _query_plan(self, ctx: Context, candidate: Candidate) -> Plan:
        state, entity = ctx.state, ctx.entity
        where, queries = candidate.where, candidate.queries
        conditions = tuple(
            self._key_condition(query, partition, self._sort_bounds(candidate, query))
            for query in queries
            for partition in query.partitions()
        )
        filter_ = self.filter_for(state, entity, candidate.used, scoped=candidate.scoped)
        scan_forward, client_sort, warns = self.order(state, candidate)
        if where.shards > 1:
            warns.append(f"write-sharded path: {where.shards} Queries merged in order")
        if state.consistent and where.index and where.index.startswith(self._gsi_prefix()):
            raise QueryError(
                f"consistent() cannot read {where.index}: global secondary indexes are only "
                "eventually consistent; drop consistent() or query by the primary key"
            )
        return Plan(
            operation="Query",
            table=ctx.table,
            reason=candidate.reason,
            index=where.index,
            merge_key=self._merge_key(state, candidate, client_sort),
            sort_key=where.sort_attribute,
            key_conditions=conditions,
            filter=filter_,
            scan_forward=scan_forward,
            client_sort=client_sort,
            limit=state.limit,
            projection=state.projection,
            consistent=state.consistent,
            warnings=tuple(warns),
            page_limit=state.limit if filter_ is None and client_sort is None else None,
            entity_type=entity.name,
            entity_type_attribute=self.config.single_table_design.entity_type_attribute,
            route=Route(candidate.rule, queries, candidate.scoped),
        )

    @staticmethod
    def _merge_key(state: QueryState, candidate: Candidate, client_sort: Any) -> str | None:
        """What the results of several Queries are merged on (``None``: concatenated in
        order, i.e. grouped by ``where_in`` value in the order given).

        Shards of one partition and server-ordered ``where_in`` reads merge on the sort key,
        which orders them exactly as one Query would; when the values' sort keys start
        differently (nested collections), on the ordered attribute itself.
        """
        where, queries = candidate.where, candidate.queries
        ordered = state.order is not None and client_sort is None
        if len(queries) > 1 and ordered:
            assert state.order is not None
            prefixes = {query.sort_prefix for query in queries}
            return where.sort_attribute if len(prefixes) == 1 else state.order[0]
        return where.sort_attribute if where.shards > 1 else None

    def _gsi_prefix(self) -> str:
        return self.config.single_table_design.gsi_name_pattern.split("{n}")[0]

    def _sort_bounds(self, candidate: Candidate, query: KeyQuery) -> tuple[str, str] | str:
        """``begins_with`` prefix, or ``(lower, upper)`` for BETWEEN."""
        token = query.sort_prefix if candidate.sort_token else ""
        ranged = [p for p in candidate.used if p.attribute == candidate.sort_attribute]
        if not ranged:
            return token
        p = ranged[0]
        keys, d = self.registry.keys, self.registry.keys.delimiter
        what = f"{candidate.sort_attribute}"

        def enc(value: Any) -> str:
            return keys.part(value, what)

        if p.op == "=":
            return f"{token}{enc(p.value)}{d}"
        if p.op == "begins_with":
            return f"{token}{keys.part(p.value, what, tail=True)}"
        lower, upper = token, token + MAX_KEY_CHAR
        if p.op == ">":
            lower = f"{token}{enc(p.value)}{d}{MAX_KEY_CHAR}"
        elif p.op == ">=":
            lower = f"{token}{enc(p.value)}"
        elif p.op == "<":
            upper = f"{token}{enc(p.value)}"
        elif p.op == "<=":
            upper = f"{token}{enc(p.value)}{d}{MAX_KEY_CHAR}"
        elif p.op == "between":
            lower = f"{token}{enc(p.value)}"
            upper = f"{token}{enc(p.value2)}{d}{MAX_KEY_CHAR}"
        return lower, upper

    @staticmethod
    def _key_condition(
        where: KeyQuery, partition: str, bounds: tuple[str, str] | str
    ) -> KeyCondition:
        condition = key(where.partition_attribute).eq(partition)
        if isinstance(bounds, tuple):
            return condition & key(where.sort_attribute).between(*bounds)
        if bounds:
            return condition & key(where.sort_attribute).begins_with(bounds)
        return condition

    def order(self, state: QueryState, candidate: Candidate | None) -> tuple[bool, Any, list[str]]:
        if state.order is None:
            return True, None, []
        attribute, direction = state.order
        if candidate is not None and attribute in self._key_order(state, candidate):
            return direction == "asc", None, []
        warning = (
            f"order_by({attribute!r}) is not the sort key of this access path, so results are "
            "sorted in memory after every page is read"
        )
        return True, state.order, [warning]

    def _key_order(self, state: QueryState, candidate: Candidate) -> tuple[str, ...]:
        """Attributes the path's sort key is ordered by: its sort attribute, or, when the sort
        key ends in the id alone (``POST#<id>``), the id (ULIDs: creation order)."""
        if state.model is None:
            return ()
        entity = self.registry.schema.entity(state.model)
        if candidate.sort_attribute is not None:
            keyed = self.key_ordered(entity, candidate.sort_attribute)
            return (candidate.sort_attribute,) if keyed else ()
        if candidate.sort_token:
            return (entity.model.primary_key,)
        return ()

    def filter_for(
        self, state: QueryState, entity: EntityScheme, used: tuple[Predicate, ...], *, scoped: bool
    ) -> Condition | None:
        parts: list[Condition] = []
        rest = to_condition([(c, clause) for c, clause in state.wheres if clause not in used])
        if rest is not None:
            parts.append(rest)
        if scoped:
            parts.append(
                attr(self.config.single_table_design.entity_type_attribute).eq(entity.name)
            )
        soft = self.soft_delete(state, entity)
        if soft is not None:
            name, trashed = soft
            parts.append(attr(name).exists() if trashed == "only" else attr(name).not_exists())
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else and_(*parts)


def _attributes(clauses: Any) -> list[str]:
    names: list[str] = []
    for _, clause in clauses:
        if isinstance(clause, Group):
            names += _attributes(clause.clauses)
        else:
            names.append(clause.attribute)
    return names
