"""The last rule: a Scan of the table filtered by entity type (DESIGN §3, step 4)."""

from __future__ import annotations

from typing import ClassVar

from dynamodb_tooling.query.plan import Plan, Route
from dynamodb_tooling.query.rules.base import Context
from dynamodb_tooling.schema.resolve import ExpiryPath, IndexedAttributePath, MorphPath


class ScanRule:
    """Nothing else serves → Scan with the ``_et`` filter, warned with a suggested index
    (:class:`PerformanceWarning`), or refused (:class:`ScanNotAllowedError`) when
    ``allow_scan`` is off; ``force_scan()`` opts in without a warning."""

    name: ClassVar[str] = "scan"

    def plan(self, ctx: Context) -> Plan:
        planner, state, entity = ctx.planner, ctx.state, ctx.entity
        conjuncts = list(ctx.conjuncts)
        suggestion = _trashed_hint(ctx) or _morph_hint(ctx) or planner.suggest(entity, conjuncts)
        reason = (
            "force_scan()"
            if state.force_scan
            else f"no key condition can be formed from {planner.describe(conjuncts)}"
        )
        message = f"{entity.name} query needs a Scan of {ctx.table}: {reason}"
        if suggestion:
            message += f"; {suggestion}"
        planner.refuse_or_warn(message, state)
        _, client_sort, warns = planner.order(state, None)
        return Plan(
            operation="Scan",
            table=ctx.table,
            reason=reason,
            filter=planner.filter_for(state, entity, (), scoped=True),
            client_sort=client_sort,
            limit=state.limit,
            projection=state.projection,
            consistent=state.consistent,
            segments=state.segments,
            warnings=(message, *warns),
            suggestion=suggestion,
            entity_type=entity.name,
            entity_type_attribute=planner.config.single_table_design.entity_type_attribute,
            route=Route(self.name, scoped=True),
        )


def _trashed_hint(ctx: Context) -> str | None:
    """Why an indexed attribute could not serve ``with_trashed()``/``only_trashed()``."""
    if not ctx.wants_trashed:
        return None
    indexed = {p.attribute for p in ctx.entity.paths(IndexedAttributePath)}
    indexed |= {p.attribute for p in ctx.entity.paths(ExpiryPath)}
    used = sorted({p.attribute for p in ctx.conjuncts} & indexed)
    if not used:
        return None
    call = f"{ctx.state.trashed}_trashed()"
    return (
        f"soft-deleted {ctx.entity.name} items leave the index on {', '.join(used)}, so {call} "
        "cannot read them there; drop "
        f"{call} to use the index, or add a condition on the primary key or a relation"
    )


def _morph_hint(ctx: Context) -> str | None:
    """How a condition on half of an indexed polymorphic link becomes a Query."""
    named = {p.attribute for p in ctx.conjuncts if p.op in ("=", "in")}
    for path in ctx.entity.paths(MorphPath):
        morph = path.link
        halves = {morph.type_attribute, morph.id_attribute}
        if named & halves and not halves <= named:
            return (
                f"{ctx.entity.name}.{morph.morph_name} is indexed by its parent's type and id "
                f'together: add where("{morph.type_attribute}", <one of '
                f'{", ".join(morph.types)}>) and where("{morph.id_attribute}", <id>) (or '
                "where_in on one of them) to make it a Query"
            )
    return None
