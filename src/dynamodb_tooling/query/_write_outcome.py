"""What a failed write means, told from the item as it is now (pure: no IO).

When the entity action of a write fails its condition, the item read back (consistently) says
why: it already exists (an insert), it is gone, or it no longer holds a value the write relied
on (a stale instance). When an earlier attempt of the write had an unknown outcome, the same
item says whether that attempt was in fact applied — then the write succeeded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ItemAlreadyExistsError,
    StaleModelError,
    TransactionCanceledError,
    UniqueConstraintError,
    VersionConflictError,
)
from dynamodb_tooling.marshal import marshall, unmarshall, unmarshall_item
from dynamodb_tooling.query._write_plan import EntityTarget, UniqueTarget, VersionTarget, WritePlan

CONDITION_FAILED = "ConditionalCheckFailed"


def failed_entities(
    plan: WritePlan, error: ConditionalCheckFailedError | TransactionCanceledError
) -> list[EntityTarget]:
    """The entity actions of ``plan`` whose condition failed."""
    if isinstance(error, TransactionCanceledError):
        failed = {r.index for r in error.failed if r.code == CONDITION_FAILED}
        return [e for e in plan.entities if e.index in failed]
    return [e for e in plan.entities if e.index == 0] if not plan.transactional else []


def _same(stored: Any, wanted: Any) -> bool:
    """Whether a stored (read back) value is ``wanted`` (a value as written)."""
    if wanted is None:
        return stored is None
    return stored is not None and bool(unmarshall(marshall(wanted)) == stored)


def applied(target: EntityTarget, current: Mapping[str, Any] | None) -> bool | None:
    """Whether the item ``current`` shows that ``target`` was applied; ``None`` when the item
    cannot tell (an increment or append: its result depends on what was there before)."""
    if target.kind == "delete":
        return current is None
    if current is None:
        return False
    if target.kind == "put":
        item = target.item or {}
        return set(item) == set(current) and all(_same(current[k], v) for k, v in item.items())
    if not target.verifiable:
        return None
    return all(_same(current.get(name), value) for name, value in target.changes.items())


def explain(
    target: EntityTarget,
    current: Mapping[str, Any] | None,
    error: ConditionalCheckFailedError | TransactionCanceledError,
) -> Exception | None:
    """The error a failed condition of ``target`` stands for, given the item ``current``
    (``None`` when the failure is not the library's own guard, e.g. a caller's condition)."""
    what = (
        f"{target.model} {target.ident!r}"
        if target.ident is not None
        else f"{target.model} ({_describe(target.key)})"
    )
    hidden = target.hidden
    common: dict[str, Any] = {
        "code": error.code,
        "operation": error.operation,
        "response": _visible_response(error.response, hidden),
    }
    if target.must_be_absent and current is not None:
        return ItemAlreadyExistsError(
            f"{what} already exists; nothing was written — load it and save() changes, or use "
            "upsert() to replace it",
            item=_visible(current, hidden),
            **common,
        )
    if current is None and (target.must_exist or target.kind == "update"):
        return StaleModelError(
            f"{what} does not exist (deleted since it was read?); nothing was written",
            **common,
        )
    if current is None:
        return None
    for name, value in target.expects.items():
        now = current.get(name)
        if not _same(now, value):
            change = (
                f"its {name} (hidden) is no longer the value it was read with"
                if name in hidden
                else f"its {name} is no longer {value!r} (it is {now!r})"
            )
            return StaleModelError(
                f"{what} changed since it was read: {change}; nothing was written — refresh() "
                "it and apply the change again",
                item=_visible(current, hidden),
                **common,
            )
    return None


def _visible(item: Mapping[str, Any] | None, hidden: Collection[str]) -> dict[str, Any] | None:
    """``item`` without its ``hidden`` attributes (errors carry items, and get logged)."""
    if item is None:
        return None
    return {name: value for name, value in item.items() if name not in hidden}


def _visible_response(response: Mapping[str, Any], hidden: Collection[str]) -> dict[str, Any]:
    """A copy of a raw response whose items (``Item``, ``CancellationReasons[].Item``) hold no
    ``hidden`` attribute."""
    visible = dict(response)
    if not hidden:
        return visible
    if isinstance(visible.get("Item"), Mapping):
        visible["Item"] = _visible(visible["Item"], hidden)
    reasons = visible.get("CancellationReasons")
    if isinstance(reasons, list):
        visible["CancellationReasons"] = [
            {**r, "Item": _visible(r["Item"], hidden)}
            if isinstance(r, Mapping) and isinstance(r.get("Item"), Mapping)
            else r
            for r in reasons
        ]
    return visible


def _hide_values(
    error: ConditionalCheckFailedError | TransactionCanceledError, plan: WritePlan
) -> None:
    """Strip the hidden attributes of the plan's entities from the items ``error`` carries
    (``ALL_OLD`` on a failed condition): the error is raised, or chained as a cause."""
    hidden = frozenset().union(*(e.hidden for e in plan.entities))
    if not hidden:
        return
    error.response = _visible_response(error.response, hidden)
    if isinstance(error, TransactionCanceledError):
        by_index = {e.index: e.hidden for e in plan.entities}
        error.reasons = tuple(
            replace(r, item=_visible(r.item, by_index[r.index]))
            if r.item is not None and by_index.get(r.index)
            else r
            for r in error.reasons
        )
    elif error.item is not None:
        error.item = _visible(error.item, hidden)


def _describe(key: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in key.items())


def translate_write_error(
    error: ConditionalCheckFailedError | TransactionCanceledError, plan: WritePlan
) -> Exception:
    """The error ``error`` stands for, given which actions of ``plan`` guard what.

    A failed sentinel put → :class:`UniqueConstraintError`; a failed versioned write whose item
    is at another version (or gone) → :class:`VersionConflictError`; otherwise ``error``.
    """
    _hide_values(error, plan)
    failed: dict[int, Mapping[str, Any] | None]
    if isinstance(error, TransactionCanceledError):
        failed = {r.index: r.item for r in error.failed if r.code == CONDITION_FAILED}
    else:
        failed = {0: error.item} if not plan.transactional else {}
    for unique in plan.uniques:
        if unique.index in failed:
            return _taken(unique)
    for version in plan.versions:
        if version.index in failed:
            conflict = _version_conflict(version, failed[version.index])
            if conflict is not None:
                return conflict
    return error


def _taken(unique: UniqueTarget) -> UniqueConstraintError:
    if unique.hidden:  # neither the message nor ``value`` shows a hidden value
        return UniqueConstraintError(
            f"{unique.model}.{unique.attribute} (hidden) is already taken; nothing was written",
            model=unique.model,
            attribute=unique.attribute,
            value=None,
        )
    return UniqueConstraintError(
        f"{unique.model}.{unique.attribute} {unique.value!r} is already taken; nothing was written",
        model=unique.model,
        attribute=unique.attribute,
        value=unique.value,
    )


def _version_conflict(
    version: VersionTarget, item: Mapping[str, Any] | None
) -> VersionConflictError | None:
    """A conflict unless the item is still at the expected version (then another condition
    failed). Without the item (it is gone, or the engine did not return it) it is a conflict."""
    current = unmarshall_item(item).get(version.attribute) if item is not None else None
    if item is not None and current == version.expected:
        return None
    where = ", ".join(f"{k}={v!r}" for k, v in version.key.items()) or "the item"
    now = "it no longer exists" if item is None else f"it is at version {current}"
    return VersionConflictError(
        f"{version.model} ({where}) was changed since version {version.expected} was read "
        f"({now}); nothing was written — reload it and apply the change again",
        model=version.model,
        expected=version.expected,
    )
