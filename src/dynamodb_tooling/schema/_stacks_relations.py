"""Stacks relation properties → :class:`RelationDefinition` (the same ones the Python
declarations produce).

``hasOne``, ``hasMany``, ``belongsTo``, ``belongsToMany``: a list of model names or objects
(``{model, relationName, foreignKey, collection, sortBy, index, shards, pivot,
pivotAttributes}``); ``"self"`` names the model itself (a tree: ``hasMany: ['self']`` is
``children`` through ``parent_id``).

Polymorphic relations take a name, an object, or a list of either:

- ``morphOne`` / ``morphMany``: ``['Comment']`` or ``{model: 'Comment', morphName:
  'commentable'}`` (the morph name defaults to ``<snake model>able``);
- ``morphTo``: ``'commentable'`` or ``{morphName: 'commentable', index: false}`` (the
  relation is named after the morph name unless ``relationName`` says otherwise);
- ``morphToMany`` (on each type) / ``morphedByMany`` (on the target): ``['Tag']`` or
  ``{model: 'Tag', morphName: 'taggable', pivotAttributes: ['order']}``; the morph name
  defaults to the target's (``<snake target>able``).

``name`` is accepted as a spelling of ``morphName`` in polymorphic entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dynamodb_tooling.schema._stacks_values import (
    Context,
    bool_,
    canonical,
    describe,
    identifier,
    list_,
    mapping,
    shards,
)
from dynamodb_tooling.schema.definitions import RelationDefinition, RelationKind
from dynamodb_tooling.schema.naming import default_morph_name, relation_name

RELATION_KINDS: Mapping[str, RelationKind] = {
    "hasOne": "has_one",
    "hasMany": "has_many",
    "belongsTo": "belongs_to",
    "belongsToMany": "belongs_to_many",
    "morphOne": "morph_one",
    "morphMany": "morph_many",
    "morphTo": "morph_to",
    "morphToMany": "morph_to_many",
    "morphedByMany": "morphed_by_many",
}
_MORPHS = ("morph_one", "morph_many", "morph_to", "morph_to_many", "morphed_by_many")
_RELATION_KEYS = (
    "model",
    "relationName",
    "foreignKey",
    "collection",
    "sortBy",
    "index",
    "shards",
    "pivot",
    "pivotAttributes",
)
_MORPH_KEYS: Mapping[RelationKind, tuple[str, ...]] = {
    "morph_one": ("model", "relationName", "morphName"),
    "morph_many": ("model", "relationName", "morphName"),
    "morph_to": ("morphName", "relationName", "index"),
    "morph_to_many": ("model", "relationName", "morphName", "pivotAttributes"),
    "morphed_by_many": ("model", "relationName", "morphName", "pivotAttributes"),
}


def relations(props: Mapping[str, Any], ctx: Context) -> tuple[RelationDefinition, ...]:
    """Every relation of a model's (canonically keyed) properties, in their order."""
    found: list[RelationDefinition] = []
    for key, value in props.items():
        kind = RELATION_KINDS.get(key)
        if kind is None:
            continue
        if kind in _MORPHS:
            entries: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
            found.extend(_morph(kind, key, entry, ctx) for entry in entries)
            continue
        if not isinstance(value, list | tuple):
            ctx.fail(
                f"{key} must be a list of model names or relation objects "
                f"(e.g. {key}: ['Post']), got {describe(value)}"
            )
        found.extend(_relation(kind, key, entry, ctx) for entry in value)
    return tuple(found)


def _relation(kind: RelationKind, key: str, entry: Any, ctx: Context) -> RelationDefinition:
    if isinstance(entry, str):
        entry = {"model": entry}
    where = f"in a {key} entry"
    opts = canonical(mapping(entry, f"an entry of {key}", ctx), _RELATION_KEYS, (), {}, where, ctx)
    if "model" not in opts:
        ctx.fail(f"a {key} entry needs 'model' (e.g. {{model: 'Post'}}), got {entry!r}")
    target = identifier(opts["model"], f"{key}.model", ctx)
    what = f"{key} {target}"
    _check_relation_kind(kind, opts, what, ctx)

    def name(option: str, default: Any) -> Any:
        value = opts.get(option)
        return default if value is None else identifier(value, f"{what}: {option}", ctx)

    pivot_attributes = list_(opts.get("pivotAttributes"), f"{what}: pivotAttributes", ctx)
    return RelationDefinition(
        name=name("relationName", relation_name(kind, target)),
        kind=kind,
        target=target,
        foreign_key=name("foreignKey", ""),
        collection=bool_(opts.get("collection", False), f"{what}: collection", ctx),
        sort_by=name("sortBy", None),
        index=bool_(opts.get("index", True), f"{what}: index", ctx),
        shards=shards(opts.get("shards", 1), what, ctx),
        pivot=name("pivot", ""),
        pivot_attributes=tuple(
            identifier(a, f"{what}: pivotAttributes", ctx) for a in pivot_attributes
        ),
    )


def _check_relation_kind(
    kind: RelationKind, opts: Mapping[str, Any], what: str, ctx: Context
) -> None:
    if kind != "belongs_to_many":
        for option in ("pivot", "pivotAttributes"):
            if option in opts:
                ctx.fail(f"{what}: {option!r} only applies to belongsToMany")
    elif opts.get("collection"):
        ctx.fail(f"{what}: many-to-many edges cannot be a collection; drop collection")


def _morph(kind: RelationKind, key: str, entry: Any, ctx: Context) -> RelationDefinition:
    """One polymorphic entry: a name (the model; the morph name for ``morphTo``) or an
    object."""
    if isinstance(entry, str):
        entry = {"morphName" if kind == "morph_to" else "model": entry}
    where = f"in a {key} entry"
    known = _MORPH_KEYS[kind]
    aliases = {"name": "morphName"}
    opts = canonical(mapping(entry, f"an entry of {key}", ctx), known, (), aliases, where, ctx)
    if kind == "morph_to":
        if "morphName" not in opts:
            ctx.fail(f"a {key} entry needs 'morphName' (e.g. {key}: 'commentable'), got {entry!r}")
        target = ""
        morph = identifier(opts["morphName"], f"{key}.morphName", ctx)
        what = f"{key} {morph}"
    else:
        if "model" not in opts:
            ctx.fail(f"a {key} entry needs 'model' (e.g. {key}: ['Comment']), got {entry!r}")
        target = identifier(opts["model"], f"{key}.model", ctx)
        what = f"{key} {target}"
        given = opts.get("morphName")
        if given is not None:
            morph = identifier(given, f"{what}: morphName", ctx)
        elif kind == "morphed_by_many":
            morph = default_morph_name(ctx.model)
        else:
            morph = default_morph_name(target)
    named = opts.get("relationName")
    pivot_attributes = list_(opts.get("pivotAttributes"), f"{what}: pivotAttributes", ctx)
    return RelationDefinition(
        name=(
            relation_name(kind, target, morph)
            if named is None
            else identifier(named, f"{what}: relationName", ctx)
        ),
        kind=kind,
        target=target,
        index=bool_(opts.get("index", True), f"{what}: index", ctx),
        pivot_attributes=tuple(
            identifier(a, f"{what}: pivotAttributes", ctx) for a in pivot_attributes
        ),
        morph_name=morph,
    )
