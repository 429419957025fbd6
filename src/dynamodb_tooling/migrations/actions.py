"""The steps a migration runs: small, JSON-able, each compiled to requests by a pure function.

An :class:`Action` says what to change (``kind`` + ``params``); :func:`compile_action` turns it
into the exact requests; :attr:`Action.undo` is the action that reverses it (``None`` when it
cannot be undone: a table created, a GSI dropped, a backfill). Actions are stored in the
migration history as dicts, so ``rollback`` can undo a step recorded by an earlier process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests import tables as t

ActionKind = Literal[
    "create_table",
    "delete_gsi",
    "create_gsi",
    "update_table",
    "update_stream",
    "update_ttl",
    "update_pitr",
    "update_contributor_insights",
    "tag",
    "untag",
    "backfill",
    "auto_scaling",
]

#: Actions after which the table (and its indexes) must be ACTIVE again before the next step.
WAITS = frozenset({"create_table", "delete_gsi", "create_gsi", "update_table", "update_stream"})
#: Actions that send no DynamoDB request (the backfill engine; Application Auto Scaling).
NOT_TABLE_REQUESTS = frozenset({"backfill", "auto_scaling"})


@dataclass(frozen=True)
class Action:
    """One step of a plan: ``kind``, JSON-able ``params``, a readable ``summary``."""

    kind: ActionKind
    summary: str
    params: Mapping[str, Any]
    undo: Action | None = None
    destructive: bool = False

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": self.kind,
            "summary": self.summary,
            "params": dict(self.params),
            "destructive": self.destructive,
        }
        if self.undo is not None:
            found["undo"] = self.undo.to_dict()
        return found

    @property
    def unsupported(self) -> str | None:
        """Why the engine cannot run this step (it is then not sent), or ``None``."""
        reason = self.params.get("unsupported")
        return None if reason is None else str(reason)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        undo = data.get("undo")
        return cls(
            kind=data["kind"],
            summary=str(data["summary"]),
            params=dict(data.get("params") or {}),
            undo=None if undo is None else cls.from_dict(undo),
            destructive=bool(data.get("destructive", False)),
        )


def compile_action(action: Action, table: str, arn: str | None) -> list[Request]:
    """The requests of ``action`` on ``table`` (``arn`` is needed by tag actions)."""
    p = action.params
    match action.kind:
        case "create_table":
            return [t.create_table(p["definition"])]
        case "create_gsi":
            update = t.create_gsi(p["index"])
            defs = p["attribute_definitions"]
            return [t.update_table(table, attribute_definitions=defs, gsi_updates=[update])]
        case "delete_gsi":
            update = t.delete_gsi(p["name"])
            defs = p["attribute_definitions"]
            return [t.update_table(table, attribute_definitions=defs, gsi_updates=[update])]
        case "update_table":
            return [t.update_table(table, **p)]
        case "update_stream":
            return [t.update_table(table, stream_specification=p["stream_specification"])]
        case "update_ttl":
            return [t.update_time_to_live(table, p["attribute"], enabled=p["enabled"])]
        case "update_pitr":
            return [t.update_continuous_backups(table, enabled=p["enabled"])]
        case "update_contributor_insights":
            return [t.update_contributor_insights(table, enabled=p["enabled"])]
        case "tag":
            return [t.tag_resource(_arn(arn, table), p["tags"])]
        case "untag":
            return [t.untag_resource(_arn(arn, table), p["keys"])]
        case "backfill" | "auto_scaling":
            return []


def _arn(arn: str | None, table: str) -> str:
    if not arn:
        raise RequestValidationError(
            f"tagging table {table!r} needs its ARN and DescribeTable did not return one; "
            "check that the table exists and that the engine reports TableArn"
        )
    return arn


# Constructors: each builds an action with its undo.


def create_table(definition: Mapping[str, Any]) -> Action:
    gsis = len(definition.get("GlobalSecondaryIndexes") or ())
    lsis = len(definition.get("LocalSecondaryIndexes") or ())
    return Action(
        "create_table",
        f"create table {definition['TableName']} ({gsis} GSI, {lsis} LSI)",
        {"definition": dict(definition)},
    )


def create_gsi(
    index: Mapping[str, Any], definitions: list[dict[str, str]], before: list[dict[str, str]]
) -> Action:
    """Add GSI ``index`` (``definitions``: every key attribute once it exists); the undo drops
    it again (``before``: the key attributes without it)."""
    name = index["IndexName"]
    undo = delete_gsi(name, before, [])
    return Action(
        "create_gsi",
        f"add GSI {name}",
        {"index": dict(index), "attribute_definitions": definitions},
        undo=undo,
    )


def delete_gsi(name: str, definitions: list[dict[str, str]], breaks: list[str]) -> Action:
    """Drop GSI ``name``; not undoable (its index entries are gone: adding it back is a new
    migration that rebuilds it)."""
    return Action(
        "delete_gsi",
        f"drop GSI {name}",
        {"name": name, "attribute_definitions": definitions, "breaks": breaks},
        destructive=True,
    )


def update_table(
    summary: str,
    params: Mapping[str, Any],
    undo_params: Mapping[str, Any],
    undo_summary: str | None = None,
) -> Action:
    """An UpdateTable of table options (``update_table`` keyword arguments); the undo sends
    ``undo_params`` (the values before)."""
    undo = Action("update_table", undo_summary or f"undo: {summary}", dict(undo_params))
    return Action("update_table", summary, dict(params), undo=undo if undo_params else None)


def update_stream(view_type: str | None, previous: str | None) -> Action:
    def spec(view: str | None) -> dict[str, Any]:
        return {"StreamEnabled": True, "StreamViewType": view} if view else {"StreamEnabled": False}

    def summary(view: str | None) -> str:
        return f"enable stream ({view})" if view else "disable stream"

    undo = Action("update_stream", summary(previous), {"stream_specification": spec(previous)})
    return Action(
        "update_stream",
        summary(view_type),
        {"stream_specification": spec(view_type)},
        undo=undo,
        destructive=view_type is None,
    )


def update_ttl(attribute: str, *, enabled: bool) -> Action:
    def make(on: bool, undo: Action | None) -> Action:
        verb = "enable" if on else "disable"
        return Action(
            "update_ttl",
            f"{verb} TTL on {attribute}",
            {"attribute": attribute, "enabled": on},
            undo,
        )

    return make(enabled, make(not enabled, None))


def update_pitr(*, enabled: bool) -> Action:
    def make(on: bool, undo: Action | None) -> Action:
        verb = "enable" if on else "disable"
        return Action(
            "update_pitr",
            f"{verb} point-in-time recovery",
            {"enabled": on},
            undo,
            destructive=not on,
        )

    return make(enabled, make(not enabled, None))


def update_contributor_insights(*, enabled: bool, unsupported: str | None = None) -> Action:
    """Turn Contributor Insights on or off; ``unsupported``: why the engine cannot (the runner
    then records the step as skipped instead of sending it)."""

    def make(on: bool, undo: Action | None) -> Action:
        verb = "enable" if on else "disable"
        params: dict[str, Any] = {"enabled": on}
        if unsupported is not None and undo is not None:
            params["unsupported"] = unsupported
        return Action("update_contributor_insights", f"{verb} Contributor Insights", params, undo)

    return make(enabled, make(not enabled, None))


def tag(tags: Mapping[str, str], previous: Mapping[str, str]) -> Action:
    """Set ``tags``, all new keys (``previous`` empty) or all existing ones (their old values):
    the undo removes the new keys or puts the old values back."""
    keys = sorted(tags)
    undo = (
        Action("tag", f"restore tags {', '.join(keys)}", {"tags": {k: previous[k] for k in keys}})
        if previous
        else Action("untag", f"untag {', '.join(keys)}", {"keys": keys})
    )
    return Action("tag", f"tag {', '.join(keys)}", {"tags": {k: tags[k] for k in keys}}, undo)


def untag(keys: list[str], previous: Mapping[str, str]) -> Action:
    """Remove tags ``keys``; the undo puts their ``previous`` values back."""
    names = ", ".join(keys)
    undo = Action("tag", f"restore tags {names}", {"tags": {k: previous[k] for k in keys}})
    return Action("untag", f"untag {names}", {"keys": list(keys)}, undo)


def backfill(models: list[str], reasons: list[str], unique: list[str] | None = None) -> Action:
    """Backfill the items of ``models``; ``unique``: ``Model.attribute`` values that need
    sentinels (attributes that became unique)."""
    params: dict[str, Any] = {"models": models, "reasons": reasons}
    summary = f"backfill derived keys of {', '.join(models)}"
    if unique:
        params["unique"] = unique
        summary += f" and sentinels of {', '.join(unique)}"
    return Action("backfill", summary, params)


def auto_scaling(
    requests: list[dict[str, Any]],
    undo: list[dict[str, Any]] | None = None,
    *,
    summary: str | None = None,
    unsupported: str | None = None,
) -> Action:
    """Send Application Auto Scaling ``requests`` (``undo``: the requests reversing them);
    ``unsupported``: why the engine cannot take them (the step stays planned)."""
    params: dict[str, Any] = {"requests": requests}
    if unsupported is not None:
        params["unsupported"] = unsupported
    text = summary or f"auto scaling: {len(requests)} Application Auto Scaling requests"
    reverse = Action("auto_scaling", f"undo: {text}", {"requests": undo}) if undo else None
    return Action("auto_scaling", text, params, reverse)
