"""Direct rules: the item keys are known, no Query needed (DESIGN §3, step 1 and 2)."""

from __future__ import annotations

from typing import ClassVar

from dynamodb_tooling.query.plan import Plan, Route
from dynamodb_tooling.query.rules.base import Context


class PrimaryKeyRule:
    """Primary-key equality (with the ancestors' ids of a collection child) → GetItem."""

    name: ClassVar[str] = "primary key"

    def plan(self, ctx: Context) -> Plan | None:
        entity, equal = ctx.entity, ctx.equal
        pk = entity.model.primary_key
        names = (pk, *(link.foreign_key for link in entity.ancestry))
        if not all(name in equal for name in names):
            return None
        values = {name: equal[name].value for name in names}
        used = [equal[name] for name in names]
        return ctx.planner.finish(
            ctx,
            Plan(
                operation="GetItem",
                table=ctx.table,
                key=ctx.keys.primary_key(entity.name, values),
                reason=f"{pk} equality: the primary key is known",
                post_filter=ctx.planner.rest(ctx.state, used),
                route=Route(self.name),
            ),
        )


class KeyListRule:
    """``where_in`` on the primary key of an entity with its own partition → BatchGetItem
    (100 keys per request, in parallel; duplicate ids read once)."""

    name: ClassVar[str] = "key list"

    def plan(self, ctx: Context) -> Plan | None:
        entity = ctx.entity
        pk = entity.model.primary_key
        listed = next((p for p in ctx.conjuncts if p.op == "in" and p.attribute == pk), None)
        if listed is None or entity.ancestry or ctx.state.index is not None:
            return None
        unique_ids = tuple(dict.fromkeys(listed.value))
        keys = tuple(ctx.keys.primary_key(entity.name, {pk: v}) for v in unique_ids)
        return ctx.planner.finish(
            ctx,
            Plan(
                operation="BatchGetItem",
                table=ctx.table,
                keys=keys,
                reason=f"where_in on {pk}: every key is known (100 per request, in parallel)",
                post_filter=ctx.planner.rest(ctx.state, [listed]),
                route=Route(self.name),
            ),
        )


class UniqueRule:
    """Equality on a unique attribute → GetItem of its sentinel, then GetItem of the owner."""

    name: ClassVar[str] = "unique"

    def plan(self, ctx: Context) -> Plan | None:
        if ctx.state.index is not None:
            return None
        for attribute in ctx.entity.model.unique_attributes:
            used = ctx.equal.get(attribute.name)
            if used is None:
                continue
            sentinel = ctx.keys.sentinel_key(ctx.entity.name, attribute.name, used.value)
            return ctx.planner.finish(
                ctx,
                Plan(
                    operation="UniqueLookup",
                    table=ctx.table,
                    key=sentinel,
                    reason=f"{attribute.name} is unique: its sentinel holds the owner's key",
                    post_filter=ctx.planner.rest(ctx.state, [used]),
                    unique_check=(attribute.name, used.value),
                    route=Route(self.name),
                ),
            )
        return None
