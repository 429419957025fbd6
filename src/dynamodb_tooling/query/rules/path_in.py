"""``where_in`` on what a path is keyed by → one Query per value, run concurrently and merged.

``Post.where_in("user_id", [u1, u2, u3])`` (a relation's foreign key), ``where_in("status",
[...])`` (an indexed attribute), ``Comment.where("commentable_type", "Post").where_in(
"commentable_id", [...])`` (a polymorphic link with a fixed type, or a fixed id in several
types), ``Order.where_in("user_id", [...])`` (a collection parent's id)
and ``OrderLine.where_in("id", [...])`` (a collection child by id alone) each read one partition
per distinct value. Results hold every item once (a value is one partition), in a deterministic
order: by the path's sort key when ``order_by`` asks for it (merged), else grouped by value in
the order the values were given. Cursor pages are refused (several streams), like sharded paths.
This is also what eager loading of a has-many relation needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.query.rules.base import Candidate, Context
from dynamodb_tooling.query.rules.paths import nested
from dynamodb_tooling.schema import KeyQuery
from dynamodb_tooling.schema.resolve import (
    CollectionIdPath,
    IndexedAttributePath,
    MorphLink,
    MorphPath,
    ParentPath,
)

#: Below a single-partition Query on an equality (50): N Queries cost more than one.
SCORE = 45


def per_value(count: int) -> str:
    return f"one Query per value ({count}), run concurrently"


class IndexPathInRule:
    """``where_in`` on a foreign key, an indexed attribute, a collection parent's id, a
    collection child's id or one half of a polymorphic link (the other half equal) → one Query
    per distinct value on that path."""

    name: ClassVar[str] = "index path IN"

    def candidates(self, ctx: Context) -> list[Candidate]:
        found: list[Candidate] = []
        for listed in ctx.listed:
            found += self._for(ctx, listed)
        return found

    def _for(self, ctx: Context, listed: Predicate) -> list[Candidate]:
        entity, keys, attribute = ctx.entity, ctx.keys, listed.attribute
        values = tuple(dict.fromkeys(listed.value))
        found = []
        collection = self._collection(ctx, listed, values)
        if collection is not None:
            found.append(collection)
        for path in entity.gsi_paths:
            match path:
                case CollectionIdPath() if attribute == entity.model.primary_key:
                    what = f"{entity.name} by id (its by-id index)"
                    queries = self._each(values, lambda v: keys.id_query(entity.name, v))
                    found.append(self._candidate(listed, what, queries, None, ""))
                case ParentPath(link=link) if link.foreign_key == attribute:
                    what = f"{entity.name} by {link.parent}"
                    queries = self._each(values, lambda v: keys.children_query(link, v))
                    token = queries[0].sort_prefix
                    found.append(self._candidate(listed, what, queries, path.sort_by, token))
                case IndexedAttributePath() if path.attribute == attribute:
                    if ctx.wants_trashed:
                        continue
                    what = f"the sparse index on {attribute}"
                    queries = self._each(
                        values, lambda v: keys.attribute_query(entity.name, attribute, v)
                    )
                    token = queries[0].sort_prefix
                    found.append(self._candidate(listed, what, queries, path.sort_by, token))
                case MorphPath(link=morph):
                    morphed = self._morph(ctx, listed, values, morph)
                    if morphed is not None:
                        found.append(morphed)
        return found

    def _morph(
        self, ctx: Context, listed: Predicate, values: tuple[Any, ...], morph: MorphLink
    ) -> Candidate | None:
        """``where_in`` on a polymorphic link's id with its type equal (or on its type with
        its id equal): one Query per parent."""
        equal, entity = ctx.equal, ctx.entity
        if listed.attribute == morph.id_attribute and morph.type_attribute in equal:
            fixed = equal[morph.type_attribute]

            def query(v: Any) -> KeyQuery:
                return ctx.keys.morph_children_query(entity.name, morph.morph_name, fixed.value, v)
        elif listed.attribute == morph.type_attribute and morph.id_attribute in equal:
            fixed = equal[morph.id_attribute]

            def query(v: Any) -> KeyQuery:
                return ctx.keys.morph_children_query(entity.name, morph.morph_name, v, fixed.value)
        else:
            return None
        queries = self._each(values, query)
        what = f"{entity.name} by its {morph.morph_name}"
        token = queries[0].sort_prefix
        return self._candidate(listed, what, queries, None, token, used=(fixed,))

    def _collection(
        self, ctx: Context, listed: Predicate, values: tuple[Any, ...]
    ) -> Candidate | None:
        """``where_in`` on one ancestor's id, equality on the others: one collection Query per
        value (each its own partition, or its own range of one)."""
        ancestry, equal = ctx.entity.ancestry, ctx.equal
        names = [link.foreign_key for link in ancestry]
        if listed.attribute not in names:
            return None
        if not all(name in equal for name in names if name != listed.attribute):
            return None
        fixed = {name: equal[name].value for name in names if name != listed.attribute}
        queries = self._each(
            values,
            lambda v: ctx.keys.collection_query(ctx.entity.name, {**fixed, listed.attribute: v}),
        )
        used = tuple(equal[name] for name in names if name != listed.attribute)
        what = f"{ancestry[-1].parent}'s collection"
        token = queries[0].sort_prefix
        return self._candidate(listed, what, queries, None, token, nested(ctx), used)

    @staticmethod
    def _each(values: tuple[Any, ...], query: Callable[[Any], KeyQuery]) -> tuple[KeyQuery, ...]:
        return tuple(query(value) for value in values)

    def _candidate(
        self,
        listed: Predicate,
        what: str,
        queries: tuple[KeyQuery, ...],
        sort_attribute: str | None,
        token: str,
        scoped: bool = False,
        used: tuple[Predicate, ...] = (),
    ) -> Candidate:
        reason = f"{listed.attribute} in {len(queries)} values: {what}; {per_value(len(queries))}"
        return Candidate(
            SCORE,
            reason,
            queries[0],
            (*used, listed),
            sort_attribute,
            token,
            scoped,
            more=queries[1:],
            rule=self.name,
        )
