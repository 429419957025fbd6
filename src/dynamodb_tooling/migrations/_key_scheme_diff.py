"""The key-scheme half of the diff: models, access paths and pivots against the snapshot the
last migration stored. New paths and changed keys need a backfill of the model's items; removed
ones are destructive and name the access patterns that stop working."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamodb_tooling.migrations._diff_context import DiffContext, broken


def _vanished(d: DiffContext) -> list[Mapping[str, Any]]:
    assert d.stored is not None
    now = {(p["entity"], p["name"]) for p in d.desired.patterns}
    return [p for p in d.stored.patterns if (p["entity"], p["name"]) not in now]


def entity_changes(d: DiffContext) -> None:
    """New, removed and changed models."""
    assert d.stored is not None
    old, new = d.stored.entities, d.desired.entities
    vanished = _vanished(d)
    for name in sorted(set(new) - set(old)):
        d.change("new_model", "info", f"new model {name}: no table change (items carry keys)")
    for name in sorted(set(old) - set(new)):
        breaks = [broken(p) for p in vanished if p["entity"] == name]
        d.change(
            "model_removed",
            "destructive",
            f"model {name} removed: its items stay in the table, unread",
            breaks or [f"no stored access pattern returned {name}"],
        )
    for name in sorted(set(old) & set(new)):
        _entity(d, name, old[name], new[name], vanished)


def _entity(
    d: DiffContext,
    name: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    vanished: list[Mapping[str, Any]],
) -> None:
    rekey = [
        f"{field_name} {old.get(field_name)!r} -> {new.get(field_name)!r}"
        for field_name in ("prefix", "primary_key", "collection_parent", "ancestry")
        if old.get(field_name) != new.get(field_name)
    ]
    if rekey:
        d.change(
            "key_scheme",
            "needs-backfill",
            f"{name}: key scheme changed ({'; '.join(rekey)}): existing items are re-keyed",
            models=(name,),
        )
    added = sorted(set(new["attributes"]) - set(old["attributes"]))
    dropped = sorted(set(old["attributes"]) - set(new["attributes"]))
    if added or dropped:
        parts = [f"+{a}" for a in added] + [f"-{a}" for a in dropped]
        d.change("attributes", "info", f"{name}: attributes {' '.join(parts)} (no table change)")
    for attribute in sorted(set(new["unique"]) - set(old["unique"])):
        d.change(
            "unique",
            "needs-backfill",
            f"{name}.{attribute} became unique: sentinels for existing items",
            models=(name,),
        )
    _paths(d, name, old["paths"], new["paths"], vanished)
    if old.get("lsi") != new.get("lsi"):
        d.change("lsi_path", "needs-backfill", f"{name}: LSI sort keys changed", models=(name,))


def _paths(
    d: DiffContext,
    name: str,
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    vanished: list[Mapping[str, Any]],
) -> None:
    for path in sorted(set(new) - set(old)):
        slot = d.gsi_name(new[path]["slot"])
        d.change(
            "path_added",
            "needs-backfill",
            f"{name}: new access path {path} on {slot}: existing items get its keys",
            models=(name,),
        )
    for path in sorted(set(old) - set(new)):
        slot = d.gsi_name(old[path]["slot"])
        breaks = [broken(p) for p in vanished if p.get("index") == slot]
        breaks = breaks or [broken(p) for p in vanished if p["entity"] == name]
        d.change(
            "path_removed",
            "destructive",
            f"{name}: access path {path} on {slot} removed (its index keys are removed from "
            "existing items)",
            breaks or [f"queries of {name} by {path.split(':', 1)[1]} need a Scan from now on"],
            models=(name,),
        )
        d.backfill.setdefault(name, []).append(f"{name}: remove keys of {path}")
    for path in sorted(set(old) & set(new)):
        if old[path] != new[path]:
            d.change(
                "path_moved",
                "needs-backfill",
                f"{name}: access path {path} changed ({_path_text(d, old[path])} -> "
                f"{_path_text(d, new[path])}): existing items are re-indexed",
                models=(name,),
            )


def _path_text(d: DiffContext, path: Mapping[str, Any]) -> str:
    text = d.gsi_name(path["slot"])
    if path.get("sort"):
        text += f" sorted by {path['sort']}"
    return text


def pivot_changes(d: DiffContext) -> None:
    """New, removed and re-keyed many-to-many pivots."""
    assert d.stored is not None
    old, new = d.stored.pivots, d.desired.pivots
    vanished = _vanished(d)
    for name in sorted(set(new) - set(old)):
        d.change("new_pivot", "info", f"new many-to-many {name}: no table change")
    for name in sorted(set(old) - set(new)):
        owner, other = old[name]["owner"], old[name]["other"]
        breaks = [broken(p) for p in vanished if p["entity"] in (owner, other)]
        d.change(
            "pivot_removed",
            "destructive",
            f"many-to-many {name} removed: its edge items stay in the table, unread",
            breaks or [f"listing {owner}/{other} through {name} stops working"],
        )
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            d.change(
                "pivot_changed",
                "needs-backfill",
                f"many-to-many {name} changed: its edge items are re-keyed",
                models=(name,),  # the pivot's edge items, not the owner's entity items
            )
