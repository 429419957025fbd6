"""Run a read plan: page through results, apply what DynamoDB could not, stop when done.

Items come back as plain Python dicts (unmarshalled, keys included). Conditions DynamoDB could
not apply (after a GetItem), entity-type and soft-delete checks on fetched items, in-memory
sorting and ``limit`` with a filter (keep paging until ``limit`` items match) happen here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dynamodb_tooling.drivers.client import DynamoDBClient
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.query.cursor import CursorCodec, scope_of
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import matches
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.batch import batch_get
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.requests.pagination import next_page, parallel_scan
from dynamodb_tooling.schema.casts import values_equal
from dynamodb_tooling.schema.keys import SENTINEL_OWNER


@dataclass(frozen=True)
class RawPage:
    """One page of raw items and the cursor of the page after it (``None``: the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    scanned_count: int


class Reader:
    """Executes one plan with a client."""

    def __init__(self, client: DynamoDBClient, plan: Plan, key_names: tuple[str, ...]) -> None:
        self.client = client
        self.plan = plan
        self.key_names = key_names
        self.requests = plan.requests()  # compiled (and marshalled) once per read

    # Checks on fetched items.
    def keep(self, item: Mapping[str, Any]) -> bool:
        plan = self.plan
        if plan.entity_type and item.get(plan.entity_type_attribute) != plan.entity_type:
            return False
        if plan.soft_delete is not None:
            name, trashed = plan.soft_delete
            deleted = item.get(name) is not None
            if deleted != (trashed == "only"):
                return False
        return not plan.post_filter or matches(plan.post_filter, dict(item))

    # Whole results.
    def items(self) -> Iterator[dict[str, Any]]:
        """Every matching item, in order, up to ``limit``."""
        found = self._unsorted()
        if self.plan.client_sort is not None:
            attribute, direction = self.plan.client_sort
            found = iter(_sorted(list(found), attribute, direction == "desc"))
        for count, item in enumerate(found):
            if self.plan.limit is not None and count >= self.plan.limit:
                return
            yield item

    def _unsorted(self) -> Iterator[dict[str, Any]]:
        operation = self.plan.operation
        if operation == "GetItem":
            yield from self._checked([self._get(self.requests[0])])
        elif operation == "UniqueLookup":
            yield from self._checked([self._unique()])
        elif operation == "BatchGetItem":
            yield from self._checked(self._batch())
        elif self.plan.segments > 1:
            pages = self.client.run(parallel_scan(self.requests[0], self.plan.segments))
            yield from (unmarshall_item(i) for i in pages.items)
        elif len(self.requests) > 1:
            yield from self._merged_shards()
        else:
            for page in self.client.iter_pages(self.requests[0]):
                yield from (unmarshall_item(i) for i in page.get("Items", ()))

    def _checked(self, found: list[dict[str, Any] | None]) -> Iterator[dict[str, Any]]:
        return (item for item in found if item is not None and self.keep(item))

    def _get(self, request: Request) -> dict[str, Any] | None:
        found = self.client.execute(request).get("Item")
        return unmarshall_item(found) if found else None

    def _unique(self) -> dict[str, Any] | None:
        sentinel = self._get(self.requests[0])
        if sentinel is None or not isinstance(sentinel.get(SENTINEL_OWNER), Mapping):
            return None
        owner = dict(sentinel[SENTINEL_OWNER])
        projection = list(self.plan.projection) or None
        item = self._get(
            get_item(
                self.plan.table, owner, consistent_read=self.plan.consistent, projection=projection
            )
        )
        return item if item is not None and self._still_owns(item) else None

    def _still_owns(self, item: Mapping[str, Any]) -> bool:
        """Whether the owner still holds the looked-up value: a write that changed it without
        releasing the sentinel leaves a stale one behind, which must not find the item."""
        if self.plan.unique_check is None:
            return True
        attribute, value = self.plan.unique_check
        return attribute in item and values_equal(item[attribute], value)

    def _batch(self) -> list[dict[str, Any] | None]:
        table = self.plan.table
        projection = {table: list(self.plan.projection)} if self.plan.projection else None
        found = self.client.run(
            batch_get(
                {table: list(self.plan.keys)},
                consistent_read=self.plan.consistent,
                projection=projection,
            )
        )
        by_key = {_identity(i, self.key_names): unmarshall_item(i) for i in found.get(table, [])}
        order = [_identity(marshall_item(k), self.key_names) for k in self.plan.keys]
        return [by_key.get(k) for k in order]

    def _merged_shards(self) -> Iterator[dict[str, Any]]:
        merged: list[dict[str, Any]] = []
        for request in self.requests:
            for page in self.client.iter_pages(request):
                merged.extend(unmarshall_item(i) for i in page.get("Items", ()))
        key = self.plan.merge_key or ""
        return iter(_sorted(merged, key, not self.plan.scan_forward))

    # Pages with cursors.
    def page(self, per_page: int, cursor: str | None, codec: CursorCodec) -> RawPage:
        """Up to ``per_page`` matching items after ``cursor`` (Query and Scan only)."""
        plan = self.plan
        if per_page < 1:
            raise QueryError(f"per_page must be at least 1 (got {per_page})")
        if not plan.pageable:
            raise QueryError(
                f"cursor pages need one server-ordered Query or Scan; this query is a "
                f"{plan.operation}"
                + (" sorted in memory" if plan.client_sort else "")
                + " — use get() (or chunk(), which slices the whole result)"
            )
        if plan.operation in ("GetItem", "UniqueLookup"):
            return RawPage(list(self.items()), None, 0)
        request = self.requests[0]
        scope = scope_of(request.params)
        if cursor:
            start = codec.decode(cursor, scope=scope)
            request = replace(request, params={**request.params, "ExclusiveStartKey": start})
        return self._fill(request, per_page, codec, scope)

    def _fill(self, request: Request, per_page: int, codec: CursorCodec, scope: str) -> RawPage:
        """Collect ``per_page`` matches plus one more: the extra one (never returned) says
        exactly whether another page exists, even when a page fills up exactly."""
        matches: list[tuple[dict[str, Any], dict[str, Any]]] = []
        scanned = 0
        current: Request | None = replace(request, params={**request.params, "Limit": per_page + 1})
        while current is not None and len(matches) <= per_page:
            response = self.client.execute(current)
            scanned += int(response.get("ScannedCount", 0))
            matches += [(unmarshall_item(wire), wire) for wire in response.get("Items", [])]
            current = next_page(current, response)
        if len(matches) <= per_page:
            return RawPage([item for item, _ in matches], None, scanned)
        _, last = matches[per_page - 1]
        cursor = codec.encode({k: v for k, v in last.items() if k in self.key_names}, scope=scope)
        return RawPage([item for item, _ in matches[:per_page]], cursor, scanned)

    def count(self) -> int:
        """How many items match: ``Select=COUNT`` when DynamoDB can count them all."""
        plan = self.plan
        countable = plan.operation in ("Query", "Scan") and plan.segments == 1
        if not countable or plan.limit is not None:
            return sum(1 for _ in self.items())
        total = 0
        for request in replace(plan, projection=(), page_limit=None).requests():
            counting = replace(request, params={**request.params, "Select": "COUNT"})
            for page in self.client.iter_pages(counting):
                total += int(page.get("Count", 0))
        return total


def _identity(item: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(repr(item.get(name)) for name in names if name in item)


def _sorted(items: list[dict[str, Any]], attribute: str, descending: bool) -> list[dict[str, Any]]:
    present = [i for i in items if i.get(attribute) is not None]
    missing = [i for i in items if i.get(attribute) is None]
    present.sort(key=lambda i: i[attribute], reverse=descending)
    return present + missing
