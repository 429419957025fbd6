"""A parallel scan that hands each page to a sink as it arrives (memory stays flat)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dynamodb_tooling._types import Item, Response
from dynamodb_tooling.requests import Concurrently, Flow, Request
from dynamodb_tooling.requests.pagination import next_page

PageSink = Callable[[list[Item]], None]


def streamed_scan(first: Request, segments: int, sink: PageSink) -> Flow[int]:
    """Scan ``segments`` segments at once (one page of every unfinished segment per step);
    each page's items go to ``sink`` and are not kept. Returns how many items were seen."""
    pending: dict[int, Request] = (
        {
            n: replace(first, params={**first.params, "Segment": n, "TotalSegments": segments})
            for n in range(segments)
        }
        if segments > 1
        else {0: first}
    )
    seen = 0
    while pending:
        order = sorted(pending)
        responses: list[Response] = yield Concurrently.of([pending[n] for n in order])
        for n, response in zip(order, responses, strict=True):
            items = list(response.get("Items", ()))
            seen += len(items)
            if items:
                sink(items)
            following = next_page(pending[n], response)
            if following is None:
                del pending[n]
            else:
                pending[n] = following
    return seen
