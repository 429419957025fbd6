"""Paging through Query, Scan and PartiQL results as sans-IO flows.

DynamoDB returns at most 1 MB per page and says there is more with ``LastEvaluatedKey`` (Query,
Scan) or ``NextToken`` (ExecuteStatement). We follow those markers until they are absent; an
empty page that still carries a marker is followed too (engines differ on trailing empty pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dynamodb_tooling._types import Item, Key, Response
from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.requests._flow import Concurrently, Flow
from dynamodb_tooling.requests._request import Request

_CURSORS = {
    "Query": "ExclusiveStartKey",
    "Scan": "ExclusiveStartKey",
    "ExecuteStatement": "NextToken",
}
_MARKERS = {
    "Query": "LastEvaluatedKey",
    "Scan": "LastEvaluatedKey",
    "ExecuteStatement": "NextToken",
}


def next_page(request: Request, response: Response) -> Request | None:
    """The request for the page after ``response``, or ``None`` when it was the last."""
    if request.operation not in _CURSORS:
        raise RequestValidationError(f"{request.operation} does not paginate")
    marker = response.get(_MARKERS[request.operation])
    if not marker:
        return None
    return replace(request, params={**request.params, _CURSORS[request.operation]: marker})


@dataclass
class Pages:
    """Everything collected from following every page of one request."""

    items: list[Item] = field(default_factory=list)
    count: int = 0
    scanned_count: int = 0
    pages: int = 0
    last_evaluated_key: Key | None = None
    consumed_capacity: list[dict[str, Any]] = field(default_factory=list)

    def add(self, response: Response) -> None:
        self.items.extend(response.get("Items", ()))
        self.count += int(response.get("Count", len(response.get("Items", ()))))
        self.scanned_count += int(response.get("ScannedCount", 0))
        self.pages += 1
        self.last_evaluated_key = response.get("LastEvaluatedKey")
        capacity = response.get("ConsumedCapacity")
        if isinstance(capacity, dict):
            self.consumed_capacity.append(capacity)
        elif isinstance(capacity, list):
            self.consumed_capacity.extend(capacity)


def all_pages(first: Request, *, max_pages: int | None = None) -> Flow[Pages]:
    """Follow ``first`` through every page (or ``max_pages``) and collect the items."""
    pages = Pages()
    request: Request | None = first
    while request is not None and (max_pages is None or pages.pages < max_pages):
        response: Response = yield request
        pages.add(response)
        request = next_page(request, response)
    return pages


def pages_concurrently(requests: list[Request]) -> Flow[list[Pages]]:
    """Follow every request through all its pages at once: each step fetches the next page of
    every unfinished request concurrently. Returns one :class:`Pages` per request, in order."""
    collected = [Pages() for _ in requests]
    pending: dict[int, Request] = dict(enumerate(requests))
    while pending:
        order = sorted(pending)
        responses: list[Response] = yield Concurrently.of([pending[n] for n in order])
        for n, response in zip(order, responses, strict=True):
            collected[n].add(response)
            following = next_page(pending[n], response)
            if following is None:
                del pending[n]
            else:
                pending[n] = following
    return collected


def parallel_scan(first: Request, segments: int) -> Flow[Pages]:
    """Scan ``segments`` segments at once (each step fetches one page of every unfinished
    segment concurrently) and merge the items in segment order."""
    if first.operation != "Scan":
        raise RequestValidationError(f"parallel_scan needs a Scan request, not {first.operation}")
    if segments < 1:
        raise RequestValidationError(f"segments must be at least 1 (got {segments})")
    per_segment = yield from pages_concurrently(
        [
            replace(first, params={**first.params, "Segment": n, "TotalSegments": segments})
            for n in range(segments)
        ]
    )
    merged = Pages()
    for part in per_segment:
        merged.items.extend(part.items)
        merged.count += part.count
        merged.scanned_count += part.scanned_count
        merged.pages += part.pages
        merged.consumed_capacity.extend(part.consumed_capacity)
    return merged
