"""The differ: models (a desired :class:`Snapshot`) against the live table and the stored state.

Table settings are compared with what the engine *says* (DescribeTable and friends), so a
partly applied migration resumes where it stopped; the key scheme is compared with the snapshot
the last successful migration stored, since items do not describe the scheme they were written
under. Settings a migration did not manage (a tag, TTL or PITR turned on by hand) are left alone
rather than removed. Every function is pure: tests build a live table and a snapshot by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.migrations import actions as act
from dynamodb_tooling.migrations._diff_context import DiffContext, broken
from dynamodb_tooling.migrations._key_scheme_diff import entity_changes, pivot_changes
from dynamodb_tooling.migrations.autoscaling import (
    LiveScaling,
    scaling_changes,
    scaling_requests,
    unmanaged_targets,
)
from dynamodb_tooling.migrations.live import LiveTable
from dynamodb_tooling.migrations.plan import MigrationPlan
from dynamodb_tooling.migrations.snapshot import Snapshot
from dynamodb_tooling.requests.tables import update_gsi

COPY_TABLE_PATH = (
    "DynamoDB creates LSIs only with the table, so the table must be copied into a new one: "
    "run `dbtooling migrate:copy-table [--to NAME]` (in Python: "
    "`dynamodb_tooling.migrations.copy_table(to=...)`). It creates the new table (default "
    "<table>-v2) with the LSIs the models need, copies every item with a parallel scan and "
    "batched writes (resumable, each item's LSI and GSI keys derived on the way), verifies "
    "the counts, and prints the configuration change that switches the application to it "
    "(default_table_name = the new name); the old table is kept unless you pass "
    "--drop-old --force"
)


def diff(
    desired: Snapshot, stored: Snapshot | None, live: LiveTable, config: Config
) -> MigrationPlan:
    """The plan that brings ``live`` (and the stored state) to ``desired``."""
    d = DiffContext(desired, stored, live, config.single_table_design.gsi_name)
    if not live.exists:
        _create(d)
    else:
        if stored is None:
            d.notes.append(
                "the table has no migration state yet: this run adopts it as it is. Changes to "
                "the models made before this run cannot be detected; if items were written under "
                "another key scheme, run the backfill (dynamodb_tooling.migrations.backfill)"
            )
        _lsis(d)
        gsis = _Gsis(d)
        gsis.drops()
        _capacity(d, gsis)
        gsis.creations()
        _stream(d)
        _options(d)
        _ttl(d)
        _pitr(d)
        _contributor_insights(d)
        _tags(d)
        if stored is not None:
            entity_changes(d)
            pivot_changes(d)
            _morph_pivot_changes(d)
            _edges_follow_prefixes(d)
    _auto_scaling(d)
    if d.backfill:
        models = sorted(d.backfill)
        reasons = [r for m in models for r in d.backfill[m]]
        d.actions.append(act.backfill(models, reasons, _new_unique(desired, stored)))
    return MigrationPlan(
        table=desired.table_name,
        desired=desired,
        applied_hash=None if stored is None else stored.hash,
        table_exists=live.exists,
        arn=live.arn,
        changes=tuple(d.changes),
        actions=tuple(d.actions),
        notes=tuple(d.notes),
    )


def _new_unique(desired: Snapshot, stored: Snapshot | None) -> list[str]:
    """``Model.attribute`` of every attribute that became unique on a model that had items."""
    if stored is None:
        return []
    old, new = stored.entities, desired.entities
    return [
        f"{name}.{attribute}"
        for name in sorted(set(old) & set(new))
        for attribute in sorted(set(new[name]["unique"]) - set(old[name]["unique"]))
    ]


# A new table.


def _create(d: DiffContext) -> None:
    definition = d.desired.definition
    d.change("create_table", "info", f"create table {d.desired.table_name}")
    d.actions.append(act.create_table(definition))
    table = d.desired.table
    if table["ttl"]:
        d.change("ttl", "info", f"enable TTL on {table['ttl']}")
        d.actions.append(act.update_ttl(table["ttl"], enabled=True))
    if table["pitr"]:
        d.change("pitr", "info", "enable point-in-time recovery")
        d.actions.append(act.update_pitr(enabled=True))
    if table["contributor_insights"]:
        _insights_on(d)
    models = tuple(sorted(d.desired.entities))
    if models:
        d.change("new_models", "info", f"models {', '.join(models)}: keys derived, no backfill")


# Indexes.


def _index_keys(index: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in index.get("KeySchema", ())]


def _same_index(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    projection_a = a.get("Projection") or {}
    projection_b = b.get("Projection") or {}
    return (
        _index_keys(a) == _index_keys(b)
        and projection_a.get("ProjectionType") == projection_b.get("ProjectionType")
        and sorted(projection_a.get("NonKeyAttributes") or ())
        == sorted(projection_b.get("NonKeyAttributes") or ())
    )


def _lsis(d: DiffContext) -> None:
    desired = {i["IndexName"]: i for i in d.desired.definition.get("LocalSecondaryIndexes") or ()}
    live = d.live.lsis
    differing = sorted(
        name
        for name in set(desired) | set(live)
        if name not in desired or name not in live or not _same_index(desired[name], live[name])
    )
    if differing:
        d.change(
            "lsi",
            "impossible",
            f"LSIs differ from the table's ({', '.join(differing)}): the models need "
            f"{sorted(desired) or 'none'}, the table has {sorted(live) or 'none'}",
            [COPY_TABLE_PATH],
        )


class _Gsis:
    """The GSI changes: drops first, then (after any capacity change) creations, one each."""

    def __init__(self, d: DiffContext) -> None:
        self.d = d
        self.desired = {
            i["IndexName"]: i for i in d.desired.definition.get("GlobalSecondaryIndexes") or ()
        }
        live = d.live.gsis
        self.removed = [
            n for n in live if n not in self.desired or not _same_index(self.desired[n], live[n])
        ]
        self.added = [n for n in self.desired if n not in live or n in self.removed]
        self.current = [n for n in live if n not in self.removed]
        self.types = {**d.live.attribute_types, **_types(d.desired.definition)}

    def drops(self) -> None:
        remaining = list(self.d.live.gsis)
        for name in self.removed:
            remaining.remove(name)
            breaks = _breaks_index(self.d, name)
            self.d.change("gsi_remove", "destructive", f"drop GSI {name}", breaks)
            definitions = _definitions(self.d, remaining, self.desired, self.types)
            self.d.actions.append(act.delete_gsi(name, definitions, breaks))

    def creations(self) -> None:
        current = list(self.current)
        for name in self.added:
            before = _definitions(self.d, current, self.desired, self.types)
            current.append(name)
            keys = ", ".join(a for a, _ in _index_keys(self.desired[name]))
            self.d.change("gsi_add", "info", f"add GSI {name} ({keys})")
            after = _definitions(self.d, current, self.desired, self.types)
            self.d.actions.append(act.create_gsi(self.desired[name], after, before))


def _types(definition: Mapping[str, Any]) -> dict[str, str]:
    return {a["AttributeName"]: a["AttributeType"] for a in definition["AttributeDefinitions"]}


def _definitions(
    d: DiffContext,
    gsis: list[str],
    desired: Mapping[str, Mapping[str, Any]],
    types: Mapping[str, str],
) -> list[dict[str, str]]:
    """Every key attribute of the table once ``gsis`` are its GSIs (moto replaces the table's
    list with the one an UpdateTable sends, so it is always complete)."""
    indexes: list[Mapping[str, Any]] = [d.live.description or {}, *d.live.lsis.values()]
    indexes += [desired.get(n) or d.live.gsis[n] for n in gsis]
    names = [name for index in indexes for name, _ in _index_keys(index)]
    return [{"AttributeName": n, "AttributeType": types[n]} for n in dict.fromkeys(names)]


def _breaks_index(d: DiffContext, name: str) -> list[str]:
    if d.stored is None:
        return [
            f"no migration state is stored, so which queries used {name} is unknown; "
            "check `dbtooling access-patterns` of the code still running"
        ]
    used = [p for p in d.stored.patterns if p.get("index") == name]
    if not used:
        return [f"no access pattern of the last applied models used {name}"]
    return [broken(p) for p in used]


def _morph_pivot_changes(d: DiffContext) -> None:
    """New, removed and re-keyed polymorphic many-to-many pivots (``Taggable``): a changed one
    backfills its edge items (the pivot's name is a kind the backfill knows)."""
    assert d.stored is not None
    old = d.stored.data.get("morph_pivots", {})
    new = d.desired.data.get("morph_pivots", {})
    for name in sorted(set(new) - set(old)):
        d.change("new_morph_pivot", "info", f"new polymorphic many-to-many {name}: no table change")
    for name in sorted(set(old) - set(new)):
        d.change(
            "morph_pivot_removed",
            "destructive",
            f"polymorphic many-to-many {name} removed: its edge items stay in the table, unread",
            [
                f"listing {', '.join(old[name]['types'])} / {old[name]['target']} through {name} "
                "stops working"
            ],
        )
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            d.change(
                "morph_pivot_changed",
                "needs-backfill",
                f"polymorphic many-to-many {name} changed: its edge items get their new keys",
                models=(name,),
            )


def _edges_follow_prefixes(d: DiffContext) -> None:
    """A model whose key prefix changed moves its many-to-many edges too (their pk or sk holds
    the prefix): the pivots and polymorphic pivots it takes part in are backfilled with it."""
    assert d.stored is not None
    old, new = d.stored.entities, d.desired.entities
    moved = {n for n in set(old) & set(new) if old[n].get("prefix") != new[n].get("prefix")}
    if not moved:
        return
    edges = [name for name, p in d.desired.pivots.items() if {p["owner"], p["other"]} & moved] + [
        name
        for name, p in d.desired.data.get("morph_pivots", {}).items()
        if {*p["types"], p["target"]} & moved
    ]
    for name in sorted(edges):
        if name not in d.backfill:
            d.change(
                "edges_rekeyed",
                "needs-backfill",
                f"edges {name} hold the changed key prefix of {', '.join(sorted(moved))}: "
                "they are re-keyed",
                models=(name,),
            )


# Capacity, stream, table options.


def _capacity(d: DiffContext, gsis: _Gsis) -> None:
    """Billing mode and provisioned capacity of the table and of the GSIs that stay."""
    definition = d.desired.definition
    mode = definition.get("BillingMode", "PROVISIONED")
    live_mode = d.live.billing_mode
    if mode != "PROVISIONED":
        if live_mode == "PROVISIONED":
            summary = "switch billing to PAY_PER_REQUEST"
            undo = _provisioned(d.live.throughput, _live_gsi_capacity(d, gsis.current))
            d.change("billing", "info", summary)
            d.actions.append(
                act.update_table(
                    summary, {"billing_mode": mode}, undo, "switch back to PROVISIONED"
                )
            )
        return
    wanted = definition["ProvisionedThroughput"]
    table = (wanted["ReadCapacityUnits"], wanted["WriteCapacityUnits"])
    wanted_gsis = {
        n: _capacity_of(gsis.desired[n]) or table for n in gsis.current if n in gsis.desired
    }
    if live_mode != "PROVISIONED":
        summary = f"switch billing to PROVISIONED (read {table[0]}, write {table[1]})"
        d.change("billing", "info", summary)
        params = _provisioned(table, wanted_gsis)
        undo = {"billing_mode": "PAY_PER_REQUEST"}
        d.actions.append(act.update_table(summary, params, undo, "switch back to PAY_PER_REQUEST"))
        return
    live_gsis = _live_gsi_capacity(d, gsis.current)
    changed = {n: c for n, c in wanted_gsis.items() if live_gsis.get(n) != c}
    if d.live.throughput == table and not changed:
        return
    summary = f"set provisioned capacity to read {table[0]}, write {table[1]}"
    if changed:
        summary += f" (and of {', '.join(changed)})"
    d.change("capacity", "info", summary)
    params = _provisioned(table, changed)
    undo = _provisioned(d.live.throughput, {n: live_gsis[n] for n in changed if n in live_gsis})
    del params["billing_mode"], undo["billing_mode"]
    old = f"read {d.live.throughput[0]}, write {d.live.throughput[1]}"
    d.actions.append(act.update_table(summary, params, undo, f"set capacity back to {old}"))


def _capacity_of(index: Mapping[str, Any]) -> tuple[int, int] | None:
    found = index.get("ProvisionedThroughput")
    if not found:
        return None
    return int(found.get("ReadCapacityUnits") or 0), int(found.get("WriteCapacityUnits") or 0)


def _live_gsi_capacity(d: DiffContext, names: list[str]) -> dict[str, tuple[int, int]]:
    return {n: _capacity_of(d.live.gsis[n]) or (0, 0) for n in names}


def _provisioned(table: tuple[int, int], gsis: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """UpdateTable options for PROVISIONED capacity of the table and of ``gsis``."""
    params: dict[str, Any] = {
        "billing_mode": "PROVISIONED",
        "provisioned_throughput": {
            "ReadCapacityUnits": max(table[0], 1),
            "WriteCapacityUnits": max(table[1], 1),
        },
    }
    updates = [update_gsi(n, max(r, 1), max(w, 1)) for n, (r, w) in gsis.items()]
    if updates:
        params["gsi_updates"] = updates
    return params


def _stream(d: DiffContext) -> None:
    spec = d.desired.definition.get("StreamSpecification") or {}
    wanted = spec.get("StreamViewType") if spec.get("StreamEnabled") else None
    current = d.live.stream
    if wanted == current:
        return
    if current is not None:
        consumers = "consumers of the current stream stop receiving records"
        summary = (
            f"disable stream ({current})"
            if wanted is None
            else (
                f"change stream view {current} -> {wanted} "
                "(disabled, then enabled: a new stream ARN)"
            )
        )
        d.change("stream", "destructive", summary, [consumers])
        d.actions.append(act.update_stream(None, current))
    else:
        d.change("stream", "info", f"enable stream ({wanted})")
    if wanted is not None:
        d.actions.append(act.update_stream(wanted, None))


def _options(d: DiffContext) -> None:
    definition = d.desired.definition
    wanted_class = definition.get("TableClass", "STANDARD")
    stored_class = None if d.stored is None else d.stored.definition.get("TableClass")
    # Engines that do not report the class (moto) are taken to have what was last applied.
    live_class = d.live.table_class or stored_class or "STANDARD"
    if wanted_class != live_class:
        summary = f"set table class {wanted_class}"
        d.change("table_class", "info", summary)
        d.actions.append(
            act.update_table(
                summary,
                {"table_class": wanted_class},
                {"table_class": live_class},
                f"set table class back to {live_class}",
            )
        )
    protection = bool(definition.get("DeletionProtectionEnabled", False))
    if protection != d.live.deletion_protection:
        summary = f"{'enable' if protection else 'disable'} deletion protection"
        d.change("deletion_protection", "info", summary)
        d.actions.append(
            act.update_table(
                summary,
                {"deletion_protection": protection},
                {"deletion_protection": not protection},
                f"{'disable' if protection else 'enable'} deletion protection again",
            )
        )


# TTL, PITR, Contributor Insights, tags: only what migrations manage is turned off.


def _managed(d: DiffContext, setting: str) -> Any:
    return None if d.stored is None else d.stored.table.get(setting)


def _ttl(d: DiffContext) -> None:
    wanted, current = d.desired.table["ttl"], d.live.ttl
    if wanted == current:
        return
    if current is not None and (wanted is not None or _managed(d, "ttl") == current):
        d.change("ttl", "info", f"disable TTL on {current} (items stop expiring by it)")
        d.actions.append(act.update_ttl(current, enabled=False))
    elif current is not None:
        d.notes.append(f"TTL on {current} was not enabled by a migration; it is left on")
    if wanted is not None:
        note = " (DynamoDB allows one TTL change per table per hour)" if current else ""
        d.change("ttl", "info", f"enable TTL on {wanted}{note}")
        d.actions.append(act.update_ttl(wanted, enabled=True))


def _pitr(d: DiffContext) -> None:
    wanted, current = bool(d.desired.table["pitr"]), bool(d.live.pitr)
    if wanted and not current:
        d.change("pitr", "info", "enable point-in-time recovery")
        d.actions.append(act.update_pitr(enabled=True))
    elif current and not wanted:
        if _managed(d, "pitr"):
            d.change(
                "pitr",
                "destructive",
                "disable point-in-time recovery",
                [
                    "the restore window is lost: the table can no longer be restored to a moment "
                    "before PITR is enabled again"
                ],
            )
            d.actions.append(act.update_pitr(enabled=False))
        else:
            d.notes.append("point-in-time recovery was not enabled by a migration; it is left on")


def _insights_on(d: DiffContext) -> None:
    error = d.live.contributor_insights_error
    if error is not None:
        d.change(
            "contributor_insights",
            "info",
            "Contributor Insights: skipped, this engine does not support it",
            [f"{error}; it is applied when you migrate against DynamoDB"],
        )
        d.actions.append(act.update_contributor_insights(enabled=True, unsupported=error))
        return
    d.change("contributor_insights", "info", "enable Contributor Insights")
    d.actions.append(act.update_contributor_insights(enabled=True))


def _contributor_insights(d: DiffContext) -> None:
    wanted = bool(d.desired.table["contributor_insights"])
    current = d.live.contributor_insights
    if wanted and not current:
        _insights_on(d)
    elif not wanted and current and _managed(d, "contributor_insights"):
        d.change("contributor_insights", "info", "disable Contributor Insights")
        d.actions.append(act.update_contributor_insights(enabled=False))


def _tags(d: DiffContext) -> None:
    wanted = {t["Key"]: t["Value"] for t in d.desired.definition.get("Tags") or ()}
    live = dict(d.live.tags)
    new = {k: v for k, v in wanted.items() if k not in live}
    changed = {k: v for k, v in wanted.items() if k in live and live[k] != v}
    stored = (
        {}
        if d.stored is None
        else {t["Key"]: t["Value"] for t in d.stored.definition.get("Tags") or ()}
    )
    removed = sorted(k for k in stored if k not in wanted and k in live)
    if new:
        d.change("tags", "info", f"add tags {', '.join(sorted(new))}")
        d.actions.append(act.tag(new, {}))
    if changed:
        d.change("tags", "info", f"change tags {', '.join(sorted(changed))}")
        d.actions.append(act.tag(changed, {k: live[k] for k in changed}))
    if removed:
        d.change("tags", "info", f"remove tags {', '.join(removed)}")
        d.actions.append(act.untag(removed, {k: live[k] for k in removed}))


def _auto_scaling(d: DiffContext) -> None:
    """Targets and policies to register, change or (when a migration registered them and the
    configuration dropped them) remove; only what differs from what is registered."""
    settings = d.desired.table.get("auto_scaling")
    managed = bool(_managed(d, "auto_scaling"))
    if not settings and not managed:
        return
    table = d.desired.table_name
    gsis = [i["IndexName"] for i in d.desired.definition.get("GlobalSecondaryIndexes") or ()]
    wanted = scaling_requests(table, gsis, settings) if settings else []
    live = d.live.scaling or LiveScaling()
    if live.unsupported:
        if wanted:
            d.change(
                "auto_scaling",
                "info",
                "auto scaling: planned, this engine does not support Application Auto Scaling",
                [f"{live.error}; the requests are applied when you migrate against AWS"],
            )
            summary = f"auto scaling: {len(wanted)} Application Auto Scaling requests (planned)"
            d.actions.append(act.auto_scaling(wanted, summary=summary, unsupported=live.error))
        return
    if live.error is not None:
        d.notes.append(f"auto scaling could not be read ({live.error}); every request is sent")
    remove = unmanaged_targets(live, wanted, table) if managed else []
    changes = scaling_changes(wanted, live, remove)
    if not changes:
        return
    parts = []
    if changes.registered:
        parts.append(f"register {changes.registered} scalable target(s)")
    policies = sum(r["operation"] == "PutScalingPolicy" for r in changes.apply)
    if policies:
        parts.append(f"put {policies} scaling policy(ies)")
    if changes.removed:
        parts.append(f"deregister {changes.removed} target(s)")
    summary = f"auto scaling: {', '.join(parts)}"
    d.change("auto_scaling", "info", summary)
    d.actions.append(act.auto_scaling(changes.apply, changes.undo, summary=summary))
