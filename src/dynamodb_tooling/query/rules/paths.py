"""Query rules on one partition: collections, LSIs, GSI paths, the expiry index, extra indexes
(DESIGN §3, step 3)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.query._raw_plan import RANGE_OPS
from dynamodb_tooling.query.rules.base import Candidate, Context
from dynamodb_tooling.schema import KeyQuery
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    ExpiryPath,
    GsiPath,
    IndexedAttributePath,
    MorphPath,
    ParentPath,
)


def nested(ctx: Context) -> bool:
    """Whether the entity's partition range also holds nested collection children."""
    return any(link.collection for link in ctx.entity.children)


class CollectionRule:
    """Every ancestor's id known → one Query on the root parent's partition (the item
    collection), ``begins_with(sk, <levels>E#)``."""

    name: ClassVar[str] = "collection"

    def candidates(self, ctx: Context) -> list[Candidate]:
        entity, equal = ctx.entity, ctx.equal
        if not entity.ancestry or not all(link.foreign_key in equal for link in entity.ancestry):
            return []
        used = tuple(equal[link.foreign_key] for link in entity.ancestry)
        where = ctx.keys.collection_query(entity.name, {p.attribute: p.value for p in used})
        reason = f"{entity.ancestry[-1].parent}'s collection: one partition"
        return [
            Candidate(60, reason, where, used, None, where.sort_prefix, nested(ctx), rule=self.name)
        ]


class LsiRule:
    """A collection read ranged on (or ordered by) the attribute an LSI sorts it by → the same
    partition through the LSI."""

    name: ClassVar[str] = "LSI"

    def candidates(self, ctx: Context) -> list[Candidate]:
        entity, equal, planner = ctx.entity, ctx.equal, ctx.planner
        if not entity.ancestry or not all(link.foreign_key in equal for link in entity.ancestry):
            return []
        used = tuple(equal[link.foreign_key] for link in entity.ancestry)
        where = ctx.keys.collection_query(entity.name, {p.attribute: p.value for p in used})
        design = planner.config.single_table_design
        found = []
        for lsi in entity.lsi_paths:
            if not planner.key_ordered(entity, lsi.sort_by):
                continue
            # A sparse LSI (nullable sort attribute) lacks items without a value: only use it
            # for ordering when every item has one, or when a range requires a value anyway.
            ranged = any(p.attribute == lsi.sort_by and p.op in RANGE_OPS for p in ctx.conjuncts)
            ordered = ctx.order_attribute == lsi.sort_by and planner.always_present(
                entity, lsi.sort_by
            )
            if ranged or ordered:
                on_lsi = replace(
                    where, index=design.lsi_name(lsi.slot), sort_attribute=design.lsi_sk(lsi.slot)
                )
                reason = f"collection sorted by {lsi.sort_by} (LSI)"
                found.append(
                    Candidate(
                        58,
                        reason,
                        on_lsi,
                        used,
                        lsi.sort_by,
                        on_lsi.sort_prefix,
                        nested(ctx),
                        rule=self.name,
                    )
                )
        return found


class IndexPathRule:
    """Equality on what a GSI path is keyed by → one Query on that slot: a collection child's
    id (its by-id copy), a relation's foreign key, a polymorphic link's type and id, an
    indexed attribute."""

    name: ClassVar[str] = "index path"

    def candidates(self, ctx: Context) -> list[Candidate]:
        found = []
        for path in ctx.entity.gsi_paths:
            candidate = self._candidate(ctx, path)
            if candidate is not None:
                found.append(replace(candidate, rule=self.name))
        return found

    @staticmethod
    def _candidate(ctx: Context, path: GsiPath) -> Candidate | None:
        entity, equal, keys = ctx.entity, ctx.equal, ctx.keys
        match path:
            case CollectionIdPath():
                pk = entity.model.primary_key
                if pk not in equal:
                    return None
                where = keys.id_query(entity.name, equal[pk].value)
                reason = f"{pk} equality without the parent ids: the by-id index of {entity.name}"
                return Candidate(70, reason, where, (equal[pk],))
            case ParentPath(link=link) if link.foreign_key in equal:
                used = equal[link.foreign_key]
                where = keys.children_query(link, used.value)
                reason = f"{link.foreign_key} equality: {entity.name} by {link.parent}"
                return Candidate(50, reason, where, (used,), path.sort_by, where.sort_prefix)
            case MorphPath(link=morph) if morph.type_attribute in equal and (
                morph.id_attribute in equal
            ):
                kind, ident = equal[morph.type_attribute], equal[morph.id_attribute]
                where = keys.morph_children_query(
                    entity.name, morph.morph_name, kind.value, ident.value
                )
                reason = (
                    f"{morph.type_attribute} and {morph.id_attribute} equality: {entity.name} by "
                    f"its {morph.morph_name} (the {path.name} index of {', '.join(morph.types)})"
                )
                return Candidate(50, reason, where, (kind, ident), None, where.sort_prefix)
            case IndexedAttributePath(attribute=attribute) if attribute in equal:
                if ctx.wants_trashed:
                    return None
                used = equal[attribute]
                where = keys.attribute_query(entity.name, attribute, used.value)
                reason = f"{attribute} equality: the sparse index on {attribute}"
                return Candidate(50, reason, where, (used,), path.sort_by, where.sort_prefix)
        return None


class ExpiryRule:
    """A condition on the TTL attribute of a model with the expiry index → one Query on the
    expiry index (items listed by expiry; the range folds into the key condition)."""

    name: ClassVar[str] = "expiry"

    def candidates(self, ctx: Context) -> list[Candidate]:
        found = []
        for path in ctx.entity.paths(ExpiryPath):
            # Soft-deleted items leave the expiry index too.
            if ctx.wants_trashed:
                continue
            if any(p.attribute == path.attribute for p in ctx.conjuncts):
                where = ctx.keys.expiry_query(ctx.entity.name)
                reason = f"{path.attribute} range: the expiry index lists items by expiry"
                found.append(
                    Candidate(
                        40, reason, where, (), path.attribute, where.sort_prefix, rule=self.name
                    )
                )
        return found


class ExtraIndexRule:
    """``use_index(<a configured extra GSI>)`` with equality on its partition attribute
    (opt-in only: the planner cannot know which entities the index holds)."""

    name: ClassVar[str] = "extra index"

    def candidates(self, ctx: Context) -> list[Candidate]:
        state = ctx.state
        extras = ctx.planner.config.global_secondary_indexes
        extra = next((x for x in extras if x.name == state.index), None)
        if extra is None or extra.partition_key not in ctx.equal:
            return []
        if extra.projection != "ALL" or state.consistent:
            raise QueryError(
                f"use_index({extra.name!r}) on a model query needs whole items, eventually "
                f"consistent: the index projects {extra.projection} (make it 'ALL', or read it "
                "with table(...)); consistent() is not allowed on a GSI"
            )
        used = ctx.equal[extra.partition_key]
        where = KeyQuery(extra.name, extra.partition_key, used.value, extra.sort_key or "", "")
        reason = f"{extra.partition_key} equality on the configured index {extra.name}"
        return [Candidate(30, reason, where, (used,), scoped=True, rule=self.name)]
