"""Writes over every item a query matches: concurrent, and honest about partial failure.

Eloquent's ``User::where(...)->update([...])`` is one SQL statement; DynamoDB has none, so each
matching item gets its own write (keys, sentinels and versions kept right by the compiler).
They run side by side in rounds of :data:`ROUND` (one flow per item, gathered), and when some
fail, :class:`PartialWriteError` says how many were written and which items failed — never
"nothing was written" for a half-done bulk write. Like Eloquent's query builder, bulk writes
fire no model events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dynamodb_tooling.errors import PartialWriteError
from dynamodb_tooling.query._write_plan import WritePlan
from dynamodb_tooling.query.write_flow import write_flow
from dynamodb_tooling.requests import Flow, gather

#: How many item writes run side by side.
ROUND = 25


def bulk_flow(
    items: Iterable[Mapping[str, Any]],
    compile_write: Callable[[Mapping[str, Any]], WritePlan],
    *,
    exactly_once: bool = True,
    what: str = "write",
) -> Flow[int]:
    """Write each of ``items`` (compiled by ``compile_write``); returns how many were written,
    or raises :class:`PartialWriteError` listing the failures."""
    plans = [compile_write(item) for item in items]  # bad input fails before any request
    failures: list[tuple[Mapping[str, Any], Exception]] = []
    for start in range(0, len(plans), ROUND):
        chunk = plans[start : start + ROUND]
        results = yield from gather([write_flow(p, exactly_once=exactly_once) for p in chunk])
        failures += [
            (p.key, r) for p, r in zip(chunk, results, strict=True) if isinstance(r, Exception)
        ]
    if failures:
        done = len(plans) - len(failures)
        first = failures[0][1]
        raise PartialWriteError(
            f"{what}: {done} of {len(plans)} items written; {len(failures)} failed (first: "
            f"{first}) — .failed lists each item's key and error; the others were written",
            done=done,
            failed=failures,
        ) from first
    return len(plans)
