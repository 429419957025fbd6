"""Run a read plan: page through results, apply what DynamoDB could not, stop when done.

Items come back as plain Python dicts (unmarshalled, keys included). Conditions DynamoDB could
not apply (after a GetItem), entity-type and soft-delete checks on fetched items, in-memory
sorting and ``limit`` with a filter (keep paging until ``limit`` items match) happen here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.cursor import CursorCodec, scope_of
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.predicates import matches
from dynamodb_tooling.query.read_flow import (
    batch_flow,
    count_flow,
    fill_flow,
    get_flow,
    merged_flow,
    segments_flow,
    sort_items,
    unique_flow,
)
from dynamodb_tooling.requests import Flow, Request
from dynamodb_tooling.requests.pagination import next_page

#: Reads that name each item by its full primary key.
_KEY_READS = frozenset({"GetItem", "BatchGetItem", "UniqueLookup"})


@dataclass(frozen=True)
class RawPage:
    """One page of raw items and the cursor of the page after it (``None``: the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    scanned_count: int


class Reader:
    """Reads one plan on an executor: each read is a flow of :mod:`read_flow`, run by
    ``executor.run`` (sync) or ``executor.arun`` (the ``a``-prefixed twins)."""

    def __init__(self, executor: Executor, plan: Plan, key_names: tuple[str, ...]) -> None:
        self.executor = executor
        self.plan = plan
        self.key_names = key_names
        self.requests = plan.requests()  # compiled (and marshalled) once per read

    # Checks on fetched items.
    def keep(self, item: Mapping[str, Any]) -> bool:
        plan = self.plan
        if plan.entity_type:
            found = item.get(plan.entity_type_attribute)
            # An item read by its own key is this entity (the key's prefix says so) even when
            # another tool wrote it without the entity-type attribute.
            by_key = found is None and plan.operation in _KEY_READS
            if found != plan.entity_type and not by_key:
                return False
        if plan.soft_delete is not None:
            name, trashed = plan.soft_delete
            deleted = item.get(name) is not None
            if deleted != (trashed == "only"):
                return False
        return not plan.post_filter or matches(plan.post_filter, dict(item))

    # Whole results.
    def items(self) -> Iterator[dict[str, Any]]:
        """Every matching item, in order, up to ``limit`` (pages fetched as they are needed)."""
        flow = self._whole()
        if flow is not None:
            found: Iterator[dict[str, Any]] = self._checked(self.executor.run(flow))
        else:
            found = self._stream()
        yield from self._finished(found)

    async def aitems(self) -> AsyncIterator[dict[str, Any]]:
        """The async twin of :meth:`items`."""
        flow = self._whole()
        if flow is not None:
            for item in self._finished(self._checked(await self.executor.arun(flow))):
                yield item
            return
        if self.plan.client_sort is not None:
            gathered = [item async for item in self._astream()]
            for item in self._finished(iter(gathered)):
                yield item
            return
        count = 0
        async for item in self._astream():
            if self.plan.limit is not None and count >= self.plan.limit:
                return
            count += 1
            yield item

    def all_flow(self) -> Flow[list[dict[str, Any]]]:
        """Every matching item as one sans-IO flow (what :meth:`items` reads, for a caller
        that composes reads into a larger flow: eager loading runs several side by side)."""
        whole = self._whole()
        if whole is not None:
            found = yield from whole
            return list(self._finished(self._checked(found)))
        rows: list[dict[str, Any]] = []
        limit = None if self.plan.client_sort is not None else self.plan.limit
        current: Request | None = self.requests[0]
        while current is not None and (limit is None or len(rows) < limit):
            response = yield current
            rows += [unmarshall_item(item) for item in response.get("Items", ())]
            current = next_page(current, response)
        return list(self._finished(iter(rows)))

    def _finished(self, found: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if self.plan.client_sort is not None:
            attribute, direction = self.plan.client_sort
            found = iter(sort_items(list(found), attribute, direction == "desc"))
        limit = self.plan.limit
        if limit is None:
            yield from found
            return
        for count, item in enumerate(found):
            if count >= limit:
                return
            yield item

    def _whole(self) -> Flow[list[dict[str, Any] | None]] | Flow[list[dict[str, Any]]] | None:
        """The flow reading the whole result at once, or ``None`` for one Query/Scan stream
        (read page by page, so a ``limit`` or an early stop reads no more than needed)."""
        plan = self.plan
        if plan.operation == "GetItem":
            return _listed(get_flow(self.requests[0]))
        if plan.operation == "UniqueLookup":
            return _listed(unique_flow(plan, self.requests[0]))
        if plan.operation == "BatchGetItem":
            return batch_flow(plan, self.key_names)
        if plan.segments > 1:
            return segments_flow(plan, self.requests[0])
        if len(self.requests) > 1:
            return merged_flow(plan, self.requests)
        return None

    def _checked(self, found: Iterable[dict[str, Any] | None]) -> Iterator[dict[str, Any]]:
        """Items read by key pass the checks a FilterExpression makes on Queries and Scans."""
        if self.plan.operation in ("GetItem", "UniqueLookup", "BatchGetItem"):
            return (item for item in found if item is not None and self.keep(item))
        return (item for item in found if item is not None)

    def _stream(self) -> Iterator[dict[str, Any]]:
        current: Request | None = self.requests[0]
        while current is not None:
            response = self.executor.execute(current)
            for item in response.get("Items", ()):
                yield unmarshall_item(item)
            current = next_page(current, response)

    async def _astream(self) -> AsyncIterator[dict[str, Any]]:
        current: Request | None = self.requests[0]
        while current is not None:
            response = await self.executor.aexecute(current)
            for item in response.get("Items", ()):
                yield unmarshall_item(item)
            current = next_page(current, response)

    # Pages with cursors.
    def page(self, per_page: int, cursor: str | None, codec: CursorCodec) -> RawPage:
        """Up to ``per_page`` matching items after ``cursor`` (Query and Scan only)."""
        request, scope = self._paged(per_page, cursor, codec)
        if request is None:
            return RawPage(list(self.items()), None, 0)
        return self._cut(self.executor.run(fill_flow(request, per_page)), per_page, codec, scope)

    async def apage(self, per_page: int, cursor: str | None, codec: CursorCodec) -> RawPage:
        """The async twin of :meth:`page`."""
        request, scope = self._paged(per_page, cursor, codec)
        if request is None:
            return RawPage([item async for item in self.aitems()], None, 0)
        found = await self.executor.arun(fill_flow(request, per_page))
        return self._cut(found, per_page, codec, scope)

    def _paged(
        self, per_page: int, cursor: str | None, codec: CursorCodec
    ) -> tuple[Request | None, str]:
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
            return None, ""
        request = self.requests[0]
        scope = scope_of(request.params)
        if cursor:
            start = codec.decode(cursor, scope=scope)
            request = replace(request, params={**request.params, "ExclusiveStartKey": start})
        return request, scope

    def _cut(
        self,
        found: tuple[list[tuple[dict[str, Any], dict[str, Any]]], int],
        per_page: int,
        codec: CursorCodec,
        scope: str,
    ) -> RawPage:
        """The page of ``per_page`` matches; the extra one fetched (never returned) says exactly
        whether another page exists, even when a page fills up exactly."""
        kept, scanned = found
        if len(kept) <= per_page:
            return RawPage([item for item, _ in kept], None, scanned)
        _, last = kept[per_page - 1]
        cursor = codec.encode({k: v for k, v in last.items() if k in self.key_names}, scope=scope)
        return RawPage([item for item, _ in kept[:per_page]], cursor, scanned)

    # Counting.
    def count(self) -> int:
        """How many items match: ``Select=COUNT`` when DynamoDB can count them all."""
        flow = self._count_flow()
        return sum(1 for _ in self.items()) if flow is None else self.executor.run(flow)

    async def acount(self) -> int:
        """The async twin of :meth:`count`."""
        flow = self._count_flow()
        if flow is None:
            return len([item async for item in self.aitems()])
        return await self.executor.arun(flow)

    def count_all_flow(self) -> Flow[int]:
        """:meth:`count` as one sans-IO flow (``Select=COUNT`` when DynamoDB can count)."""
        flow = self._count_flow()
        if flow is None:
            return len((yield from self.all_flow()))
        return (yield from flow)

    def _count_flow(self) -> Flow[int] | None:
        plan = self.plan
        countable = plan.operation in ("Query", "Scan") and plan.segments == 1
        if not countable or plan.limit is not None:
            return None
        return count_flow(replace(plan, projection=(), page_limit=None).requests())


def _listed(flow: Flow[dict[str, Any] | None]) -> Flow[list[dict[str, Any] | None]]:
    item = yield from flow
    return [item]
