"""QueryPlanner: choose the cheapest request for a query (DESIGN §3).

In order of preference: primary-key equality → GetItem (``where_in`` → BatchGetItem); unique
attribute equality → sentinel GetItem then GetItem; foreign-key / indexed-attribute /
collection-parent equality → Query on that path, with range conditions on the path's sort
attribute folded into the key condition; anything else → Scan (warned, or refused when
``allow_scan`` is off). Every other condition becomes a filter; entity-type scoping is added
wherever an index or partition holds more than one entity type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dynamodb_tooling.config import full_table_name
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.expressions import Condition, KeyCondition, and_, attr, key
from dynamodb_tooling.query._raw_plan import RANGE_OPS, RawPlanner
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import Clause, Group, Predicate, to_condition
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import EntityScheme, KeyQuery
from dynamodb_tooling.schema.casts import AttributeCastError, to_storage
from dynamodb_tooling.schema.indexes import key_attribute_names
from dynamodb_tooling.schema.keys import MAX_KEY_CHAR
from dynamodb_tooling.schema.transformer import EntityTransformer

# Encodings of these types never contain a character below the key delimiter, so a sort key
# "TOKEN<value>#<id>" orders exactly as the values do. Free-form strings may ("Ann Lee" vs
# "Ann"), so string sort attributes are filtered and sorted in memory instead.
_KEY_ORDERED_TYPES = ("integer", "number", "decimal", "datetime", "date")


@dataclass(frozen=True)
class Candidate:
    """A way to serve the query: a Query on ``where`` consuming ``used`` predicates."""

    score: int
    reason: str
    where: KeyQuery
    used: tuple[Predicate, ...]
    sort_attribute: str | None = None
    sort_token: str = ""
    #: The range read can hold other entity types (a collection with nested children).
    scoped: bool = False


class QueryPlanner(RawPlanner):
    """Plans queries for the models of a registry (or raw queries on a table)."""

    def plan(self, state: QueryState, *, executing: bool = True) -> Plan:
        """See :meth:`_plan`; a ``select()`` also fetches what the library needs itself."""
        chosen = self._plan(state, executing=executing)
        if not chosen.projection:
            return chosen
        return replace(chosen, projection=self._needed(chosen, state))

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
        if state.model is not None:
            extra.append(self.registry.model(state.model).primary_key)
        return tuple(dict.fromkeys((*plan.projection, *extra)))

    def _plan(self, state: QueryState, *, executing: bool = True) -> Plan:
        """The plan for ``state``. When ``executing`` (not for ``explain()``), a Scan warns
        with :class:`PerformanceWarning`, or raises :class:`ScanNotAllowedError` when
        ``allow_scan`` is off."""
        self._executing = executing
        table = state.table or full_table_name(config=self.config)
        if state.model is None:
            return self._raw_plan(state, table)
        entity = self.registry.schema.entity(state.model)
        state = self._stored_form(state)
        conjuncts = self._conjuncts(state)
        if not state.force_scan:
            direct = self._direct(state, entity, conjuncts, table)
            if direct is not None:
                return direct
            candidate = self._best(state, entity, conjuncts)
            if candidate is not None:
                return self._query_plan(state, entity, candidate, table)
        if state.force_query:
            raise QueryError(
                f"force_query(): no key condition can be formed for {entity.name} from "
                f"{self._describe(conjuncts)}; query by id, a unique attribute, a relation's "
                "foreign key or an indexed attribute"
            )
        return self._scan_plan(state, entity, conjuncts, table)

    # Values in the form items store them (UTC ISO datetimes, timestamps in their format...).
    def _stored_form(self, state: QueryState) -> QueryState:
        assert state.model is not None
        transformer = EntityTransformer(self.registry)
        definition = self.registry.model(state.model)
        stamps = set(transformer.managed_attributes(definition)) - {
            self.config.query_builder.version_attribute
        }

        def convert(attribute: str, value: Any) -> Any:
            if value is None:
                return None
            declared = definition.attribute(attribute)
            if declared is not None and declared.type not in ("any", "json"):
                try:
                    return to_storage(declared, value, definition.name)
                except AttributeCastError as exc:
                    raise QueryError(f"where({attribute!r}, ...): {exc}") from None
            if attribute in stamps:
                return transformer.timestamp(value)
            return value

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
    def _describe(conjuncts: list[Predicate]) -> str:
        if not conjuncts:
            return "no AND-ed conditions"
        names = ", ".join(dict.fromkeys(p.attribute for p in conjuncts))
        return f"the conditions on {names}"

    # GetItem, BatchGetItem and unique lookups.
    def _direct(
        self, state: QueryState, entity: EntityScheme, conjuncts: list[Predicate], table: str
    ) -> Plan | None:
        pk = entity.model.primary_key
        equal = {p.attribute: p for p in conjuncts if p.op == "="}
        ancestors = [link.foreign_key for link in entity.ancestry]
        if pk in equal and all(a in equal for a in ancestors):
            values = {name: equal[name].value for name in (pk, *ancestors)}
            used = [equal[name] for name in (pk, *ancestors)]
            return self._get_plan(
                state,
                entity,
                table,
                "GetItem",
                values,
                used,
                f"{pk} equality: the primary key is known",
            )
        listed = next((p for p in conjuncts if p.op == "in" and p.attribute == pk), None)
        if listed is not None and not ancestors and state.index is None:
            unique_ids = tuple(dict.fromkeys(listed.value))
            keys = tuple(self.registry.keys.primary_key(entity.name, {pk: v}) for v in unique_ids)
            return self._finish(
                state,
                entity,
                Plan(
                    operation="BatchGetItem",
                    table=table,
                    keys=keys,
                    reason=f"where_in on {pk}: every key is known (100 per request, in parallel)",
                    post_filter=self._rest(state, [listed]),
                ),
            )
        for attribute in entity.model.unique_attributes:
            if attribute.name in equal and state.index is None:
                sentinel = self.registry.keys.sentinel_key(
                    entity.name, attribute.name, equal[attribute.name].value
                )
                return self._finish(
                    state,
                    entity,
                    Plan(
                        operation="UniqueLookup",
                        table=table,
                        key=sentinel,
                        reason=f"{attribute.name} is unique: its sentinel holds the owner's key",
                        post_filter=self._rest(state, [equal[attribute.name]]),
                        unique_check=(attribute.name, equal[attribute.name].value),
                    ),
                )
        return None

    def _get_plan(
        self,
        state: QueryState,
        entity: EntityScheme,
        table: str,
        operation: Any,
        values: dict[str, Any],
        used: list[Predicate],
        reason: str,
    ) -> Plan:
        key_values = self.registry.keys.primary_key(entity.name, values)
        return self._finish(
            state,
            entity,
            Plan(
                operation=operation,
                table=table,
                key=key_values,
                reason=reason,
                post_filter=self._rest(state, used),
            ),
        )

    def _finish(self, state: QueryState, entity: EntityScheme, plan: Plan) -> Plan:
        """Entity type, soft deletes, projection and consistency for item lookups."""
        return replace(
            plan,
            entity_type=entity.name,
            soft_delete=self._soft_delete(state, entity),
            projection=state.projection,
            consistent=state.consistent,
            limit=state.limit,
            client_sort=state.order,
            entity_type_attribute=self.config.single_table_design.entity_type_attribute,
        )

    def _soft_delete(self, state: QueryState, entity: EntityScheme) -> Any:
        if not entity.model.traits.soft_deletes or state.trashed == "with":
            return None
        return (self.config.query_builder.soft_deletes.attribute, state.trashed)

    # Query candidates.
    def _best(
        self, state: QueryState, entity: EntityScheme, conjuncts: list[Predicate]
    ) -> Candidate | None:
        found = self._candidates(entity, conjuncts, state)
        if state.index is not None:
            found = [c for c in found if (c.where.index or "table") == state.index]
            if not found:
                usable = self._reachable(entity, conjuncts, state)
                raise QueryError(
                    f"use_index({state.index!r}): no condition on {entity.name} reaches that "
                    f"index; indexes this query could use: {usable}"
                )
        if state.order is not None:
            found = [
                replace(c, score=c.score + (5 if c.sort_attribute == state.order[0] else 0))
                for c in found
            ]
        return max(found, key=lambda c: c.score, default=None)

    def _reachable(
        self, entity: EntityScheme, conjuncts: list[Predicate], state: QueryState
    ) -> str:
        reachable = self._candidates(entity, conjuncts, replace(state, index=None))
        return ", ".join(sorted({c.where.index or "table" for c in reachable})) or "none"

    def _candidates(
        self, entity: EntityScheme, conjuncts: list[Predicate], state: QueryState
    ) -> list[Candidate]:
        order = state.order[0] if state.order else None
        keys = self.registry.keys
        equal = {p.attribute: p for p in conjuncts if p.op == "="}
        found: list[Candidate] = []
        pk = entity.model.primary_key
        if entity.ancestry and pk in equal:
            where = keys.id_query(entity.name, equal[pk].value)
            reason = f"{pk} equality without the parent ids: the by-id index of {entity.name}"
            found.append(Candidate(70, reason, where, (equal[pk],)))
        if entity.ancestry and all(link.foreign_key in equal for link in entity.ancestry):
            used = tuple(equal[link.foreign_key] for link in entity.ancestry)
            values = {p.attribute: p.value for p in used}
            where = keys.collection_query(entity.name, values)
            nested = any(link.collection for link in entity.children)
            found.append(
                Candidate(
                    60,
                    f"{entity.ancestry[-1].parent}'s collection: one partition",
                    where,
                    used,
                    None,
                    where.sort_prefix,
                    nested,
                )
            )
            found += [
                replace(c, scoped=nested)
                for c in self._lsi_candidates(entity, conjuncts, where, used, order)
            ]
        # Soft-deleted items leave attribute indexes: with_trashed/only_trashed can't use them.
        wants_trashed = state.trashed != "without" and entity.model.traits.soft_deletes
        for path in entity.gsi_paths:
            if wants_trashed and path.kind == "attribute":
                continue
            candidate = self._path_candidate(entity, path, equal, conjuncts)
            if candidate is not None:
                found.append(candidate)
        extra = self._extra_candidate(state, equal)
        found += [extra] if extra is not None else []
        return [self._with_range(entity, c, conjuncts) for c in found]

    def _extra_candidate(self, state: QueryState, equal: dict[str, Predicate]) -> Candidate | None:
        """``use_index(<a configured extra GSI>)`` with equality on its partition attribute
        (opt-in only: the planner cannot know which entities the index holds)."""
        extras = self.config.global_secondary_indexes
        extra = next((x for x in extras if x.name == state.index), None)
        if extra is None or extra.partition_key not in equal:
            return None
        if extra.projection != "ALL" or state.consistent:
            raise QueryError(
                f"use_index({extra.name!r}) on a model query needs whole items, eventually "
                f"consistent: the index projects {extra.projection} (make it 'ALL', or read it "
                "with table(...)); consistent() is not allowed on a GSI"
            )
        used = equal[extra.partition_key]
        where = KeyQuery(extra.name, extra.partition_key, used.value, extra.sort_key or "", "")
        reason = f"{extra.partition_key} equality on the configured index {extra.name}"
        return Candidate(30, reason, where, (used,), scoped=True)

    def key_ordered(self, entity: EntityScheme, attribute: str) -> bool:
        """Whether a sort key built from ``attribute`` orders like its values."""
        declared = entity.model.attribute(attribute)
        if declared is not None:
            return declared.type in _KEY_ORDERED_TYPES
        query = self.config.query_builder
        stamps = (query.created_at_attribute, query.updated_at_attribute)
        ttl = entity.model.traits.ttl_attribute or self.config.ttl.attribute_name
        return (entity.model.traits.timestamps and attribute in stamps) or attribute == ttl

    def always_present(self, entity: EntityScheme, attribute: str) -> bool:
        declared = entity.model.attribute(attribute)
        if declared is not None:
            return not declared.nullable
        query = self.config.query_builder
        stamps = (query.created_at_attribute, query.updated_at_attribute)
        return entity.model.traits.timestamps and attribute in stamps

    def _path_candidate(
        self,
        entity: EntityScheme,
        path: Any,
        equal: dict[str, Predicate],
        conjuncts: list[Predicate],
    ) -> Candidate | None:
        keys = self.registry.keys
        if path.kind == "parent" and path.link.foreign_key in equal:
            used = equal[path.link.foreign_key]
            where = keys.children_query(path.link, used.value)
            reason = f"{path.link.foreign_key} equality: {entity.name} by {path.link.parent}"
            return Candidate(50, reason, where, (used,), path.sort_by, where.sort_prefix)
        if path.kind == "attribute" and path.attribute in equal:
            used = equal[path.attribute]
            where = keys.attribute_query(entity.name, path.attribute, used.value)
            reason = f"{path.attribute} equality: the sparse index on {path.attribute}"
            return Candidate(50, reason, where, (used,), path.sort_by, where.sort_prefix)
        if path.kind == "expiry" and any(p.attribute == path.attribute for p in conjuncts):
            where = keys.expiry_query(entity.name)
            reason = f"{path.attribute} range: the expiry index lists items by expiry"
            return Candidate(40, reason, where, (), path.attribute, where.sort_prefix)
        return None

    def _lsi_candidates(
        self,
        entity: EntityScheme,
        conjuncts: list[Predicate],
        where: KeyQuery,
        used: tuple[Predicate, ...],
        order: str | None,
    ) -> list[Candidate]:
        design = self.config.single_table_design
        found = []
        for lsi in entity.lsi_paths:
            if not self.key_ordered(entity, lsi.sort_by):
                continue
            # A sparse LSI (nullable sort attribute) lacks items without a value: only use it
            # for ordering when every item has one, or when a range requires a value anyway.
            ranged = any(p.attribute == lsi.sort_by and p.op in RANGE_OPS for p in conjuncts)
            ordered = order == lsi.sort_by and self.always_present(entity, lsi.sort_by)
            if ranged or ordered:
                on_lsi = replace(
                    where, index=design.lsi_name(lsi.slot), sort_attribute=design.lsi_sk(lsi.slot)
                )
                found.append(
                    Candidate(
                        58,
                        f"collection sorted by {lsi.sort_by} (LSI)",
                        on_lsi,
                        used,
                        lsi.sort_by,
                        on_lsi.sort_prefix,
                    )
                )
        return found

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
    def _query_plan(
        self, state: QueryState, entity: EntityScheme, candidate: Candidate, table: str
    ) -> Plan:
        where = candidate.where
        sort_bounds = self._sort_bounds(candidate)
        conditions = tuple(
            self._key_condition(where, partition, sort_bounds) for partition in where.partitions()
        )
        filter_ = self._filter(state, entity, candidate.used, scoped=candidate.scoped)
        scan_forward, client_sort, warns = self._order(state, candidate)
        if where.shards > 1:
            warns.append(f"write-sharded path: {where.shards} Queries merged in order")
        if state.consistent and where.index and where.index.startswith(self._gsi_prefix()):
            raise QueryError(
                f"consistent() cannot read {where.index}: global secondary indexes are only "
                "eventually consistent; drop consistent() or query by the primary key"
            )
        return Plan(
            operation="Query",
            table=table,
            reason=candidate.reason,
            index=where.index,
            merge_key=where.sort_attribute if where.shards > 1 else None,
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
        )

    def _gsi_prefix(self) -> str:
        return self.config.single_table_design.gsi_name_pattern.split("{n}")[0]

    def _sort_bounds(self, candidate: Candidate) -> tuple[str, str] | str:
        """``begins_with`` prefix, or ``(lower, upper)`` for BETWEEN."""
        token = candidate.sort_token
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

    def _order(self, state: QueryState, candidate: Candidate | None) -> tuple[bool, Any, list[str]]:
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

    def _filter(
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
        soft = self._soft_delete(state, entity)
        if soft is not None:
            name, trashed = soft
            parts.append(attr(name).exists() if trashed == "only" else attr(name).not_exists())
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else and_(*parts)

    # Scans.
    def _scan_plan(
        self, state: QueryState, entity: EntityScheme, conjuncts: list[Predicate], table: str
    ) -> Plan:
        suggestion = self._suggest(entity, conjuncts)
        reason = (
            "force_scan()"
            if state.force_scan
            else f"no key condition can be formed from {self._describe(conjuncts)}"
        )
        message = f"{entity.name} query needs a Scan of {table}: {reason}"
        if suggestion:
            message += f"; {suggestion}"
        self._refuse_or_warn(message, state)
        _, client_sort, warns = self._order(state, None)
        return Plan(
            operation="Scan",
            table=table,
            reason=reason,
            filter=self._filter(state, entity, (), scoped=True),
            client_sort=client_sort,
            limit=state.limit,
            projection=state.projection,
            consistent=state.consistent,
            segments=state.segments,
            warnings=(message, *warns),
            suggestion=suggestion,
            entity_type=entity.name,
            entity_type_attribute=self.config.single_table_design.entity_type_attribute,
        )


def _attributes(clauses: Any) -> list[str]:
    names: list[str] = []
    for _, clause in clauses:
        if isinstance(clause, Group):
            names += _attributes(clause.clauses)
        else:
            names.append(clause.attribute)
    return names
