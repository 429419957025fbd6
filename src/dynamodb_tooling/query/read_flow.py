"""Reads of a plan as sans-IO flows (the same flow runs on a sync or an async executor).

Each flow yields requests (independent ones together, so they run concurrently) and returns
unmarshalled items; checks DynamoDB cannot make (entity type, soft deletes, after-fetch
conditions), sorting and ``limit`` are the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.batch import batch_get
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.requests.pagination import next_page, pages_concurrently, parallel_scan
from dynamodb_tooling.schema.casts import values_equal
from dynamodb_tooling.schema.keys import SENTINEL_OWNER

__all__ = [
    "batch_flow",
    "count_flow",
    "fill_flow",
    "get_flow",
    "merged_flow",
    "segments_flow",
    "unique_flow",
]


def get_flow(request: Request) -> Flow[dict[str, Any] | None]:
    """One GetItem: the item, or ``None``."""
    found = (yield request).get("Item")
    return unmarshall_item(found) if found else None


def unique_flow(plan: Plan, sentinel_request: Request) -> Flow[dict[str, Any] | None]:
    """The owner of a unique value: the sentinel's GetItem, then the owner's — ``None`` unless
    the owner still holds the value (a stale sentinel must not find the item)."""
    sentinel = yield from get_flow(sentinel_request)
    if sentinel is None or not isinstance(sentinel.get(SENTINEL_OWNER), Mapping):
        return None
    projection = list(plan.projection) or None
    owner = dict(sentinel[SENTINEL_OWNER])
    item = yield from get_flow(
        get_item(plan.table, owner, consistent_read=plan.consistent, projection=projection)
    )
    if item is None or plan.unique_check is None:
        return item
    attribute, value = plan.unique_check
    return item if attribute in item and values_equal(item[attribute], value) else None


def batch_flow(plan: Plan, key_names: tuple[str, ...]) -> Flow[list[dict[str, Any] | None]]:
    """BatchGetItem of the plan's keys: one entry per key, in the plan's order."""
    table = plan.table
    projection = {table: list(plan.projection)} if plan.projection else None
    found = yield from batch_get(
        {table: list(plan.keys)}, consistent_read=plan.consistent, projection=projection
    )
    by_key = {_identity(i, key_names): unmarshall_item(i) for i in found.get(table, [])}
    return [by_key.get(_identity(marshall_item(k), key_names)) for k in plan.keys]


def segments_flow(plan: Plan, request: Request) -> Flow[list[dict[str, Any]]]:
    """A parallel Scan of the plan's segments."""
    pages = yield from parallel_scan(request, plan.segments)
    return [unmarshall_item(i) for i in pages.items]


def merged_flow(plan: Plan, requests: list[Request]) -> Flow[list[dict[str, Any]]]:
    """Several Queries (shards, or one per value of a ``where_in``) followed concurrently and
    merged: on ``merge_key`` when the plan has one, else in request order."""
    collected = yield from pages_concurrently(requests)
    merged = [unmarshall_item(i) for pages in collected for i in pages.items]
    if plan.merge_key is None:
        return merged
    return sort_items(merged, plan.merge_key, not plan.scan_forward)


def fill_flow(
    request: Request, per_page: int
) -> Flow[tuple[list[tuple[dict[str, Any], dict[str, Any]]], int]]:
    """Up to ``per_page + 1`` matches from ``request`` on (the extra one tells whether another
    page exists); returns ``(item, wire item)`` pairs and how many items were scanned."""
    matches: list[tuple[dict[str, Any], dict[str, Any]]] = []
    scanned = 0
    current: Request | None = replace(request, params={**request.params, "Limit": per_page + 1})
    while current is not None and len(matches) <= per_page:
        response = yield current
        scanned += int(response.get("ScannedCount", 0))
        matches += [(unmarshall_item(wire), wire) for wire in response.get("Items", [])]
        current = next_page(current, response)
    return matches, scanned


def count_flow(requests: list[Request]) -> Flow[int]:
    """``Select=COUNT`` over every page of every request (requests run concurrently)."""
    counting = [replace(r, params={**r.params, "Select": "COUNT"}) for r in requests]
    collected = yield from pages_concurrently(counting)
    return sum(pages.count for pages in collected)


def _identity(item: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(repr(item.get(name)) for name in names if name in item)


def sort_items(
    items: list[dict[str, Any]], attribute: str, descending: bool
) -> list[dict[str, Any]]:
    """``items`` ordered on ``attribute``; items without it come last."""
    present = [i for i in items if i.get(attribute) is not None]
    missing = [i for i in items if i.get(attribute) is None]
    present.sort(key=lambda i: i[attribute], reverse=descending)
    return present + missing
