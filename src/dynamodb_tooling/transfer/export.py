"""``export``: a table (or some entity types, or one query) to a JSON, JSON Lines or CSV file.

Pages stream from a parallel scan (``segments`` at once) into sorted runs of ``chunk_size``
items on disk, then merge into the file in primary-key order, so memory stays flat and the
same items always give the same bytes (see :mod:`.encoding`). The file is written beside its
target and renamed over it when complete: an interrupted export leaves no half file.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeAlias

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.expressions import attr
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.query.reader import Reader
from dynamodb_tooling.requests import Flow, Request, tables
from dynamodb_tooling.requests import items as item_requests
from dynamodb_tooling.requests.pagination import next_page
from dynamodb_tooling.schema.indexes import key_attribute_names
from dynamodb_tooling.transfer._scan import streamed_scan
from dynamodb_tooling.transfer._spool import SortedSpool, temporary_path
from dynamodb_tooling.transfer.encoding import decode_item, encode_cell, encode_item
from dynamodb_tooling.transfer.errors import TransferError
from dynamodb_tooling.transfer.progress import ProgressCallback, TransferProgress

Format: TypeAlias = Literal["json", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("json", "jsonl", "csv")
_SUFFIXES: dict[str, Format] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}

#: Items per sorted run kept in memory before it spills to a temporary file.
DEFAULT_CHUNK_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote: ``items`` items of ``table`` to ``path`` in ``format``."""

    path: Path
    format: Format
    table: str
    items: int
    columns: tuple[str, ...]
    seconds: float


def format_of(path: Path, given: str | None) -> Format:
    """``given`` when set (checked), else the format the file's suffix names."""
    if given is not None:
        if given not in FORMATS:
            raise TransferError(f"unknown format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise TransferError(
            f"cannot tell the format of {path} from its suffix; name it .json, .jsonl or .csv, "
            "or pass format= (--format)"
        )
    return found


@dataclass(frozen=True, slots=True)
class _ExportJob:
    """An export's checked options (what :func:`_export_flow` runs)."""

    target: Path
    kind: Format
    table: str | None
    models: Sequence[str | type[Any]] | None
    query: QueryBuilder[Any] | None
    columns: Sequence[str] | None
    segments: int
    chunk_size: int
    ordered: bool
    progress: ProgressCallback | None


def _job(
    path: str | os.PathLike[str],
    format: Format | None,
    models: Sequence[str | type[Any]] | None,
    query: QueryBuilder[Any] | None,
    table: str | None,
    columns: Sequence[str] | None,
    segments: int,
    chunk_size: int,
    ordered: bool,
    progress: ProgressCallback | None,
) -> _ExportJob:
    target = Path(path)
    kind = format_of(target, format)
    if models is not None and query is not None:
        raise TransferError("pass models= or query=, not both (a query already names its model)")
    if segments < 1 or chunk_size < 1:
        raise TransferError(
            f"segments and chunk_size must be at least 1 (got {segments}, {chunk_size})"
        )
    if columns is not None and kind != "csv":
        raise TransferError("columns= only applies to CSV exports; JSON keeps every attribute")
    return _ExportJob(
        target, kind, table, models, query, columns, segments, chunk_size, ordered, progress
    )


def export(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    models: Sequence[str | type[Any]] | None = None,
    query: QueryBuilder[Any] | None = None,
    table: str | None = None,
    columns: Sequence[str] | None = None,
    segments: int = 4,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    ordered: bool = True,
    client: Executor | None = None,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write the items of ``table`` (default: the configured one) to ``path``.

    ``models`` keeps only those entity types (a Scan filtered on the entity-type attribute);
    ``query`` exports what a query (``User.where("team_id", 1)``) reads instead, raw items with
    keys. ``format`` defaults to the file's suffix. ``columns`` picks the CSV columns (default:
    every attribute seen, keys first). ``ordered=False`` keeps scan order (no sorting).

    >>> export("users.jsonl", models=["User"])                  # doctest: +SKIP
    ExportResult(path=PosixPath('users.jsonl'), format='jsonl', items=1200, ...)
    """
    job = _job(path, format, models, query, table, columns, segments, chunk_size, ordered, progress)
    executor = client or default_executor()
    return executor.run(_export_flow(job, executor))


async def aexport(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    models: Sequence[str | type[Any]] | None = None,
    query: QueryBuilder[Any] | None = None,
    table: str | None = None,
    columns: Sequence[str] | None = None,
    segments: int = 4,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    ordered: bool = True,
    client: Executor | None = None,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """The async twin of :func:`export`: the same flow on the async executor."""
    job = _job(path, format, models, query, table, columns, segments, chunk_size, ordered, progress)
    executor = client or default_executor()
    return await executor.arun(_export_flow(job, executor))


def _export_flow(job: _ExportJob, executor: Executor) -> Flow[ExportResult]:
    """The export as one sans-IO flow: DescribeTable (the key schema), the reads, then the
    file (``executor`` only gives the configuration and a query's reader)."""
    started = time.perf_counter()
    config = executor.config
    name = job.table or _query_table(job.query) or full_table_name(config=config)
    described: Response = yield tables.describe_table(name)
    keys = tuple(k["AttributeName"] for k in described["Table"]["KeySchema"])
    spool = SortedSpool(_sort_key(keys) if job.ordered else None, job.chunk_size)
    seen: dict[str, None] = {}
    try:

        def add(item: dict[str, Any]) -> None:
            spool.add(encode_item(item))
            seen.update(dict.fromkeys(item))

        if job.query is not None:
            yield from _query_flow(executor, job.query, add, job.progress)
        else:
            yield from _scan_flow(config, name, job, add)
        chosen = tuple(job.columns) if job.columns is not None else _columns(keys, seen)
        _write(job.target, job.kind, spool, chosen, job.progress)
        count = spool.count
    finally:
        spool.close()
    shown = chosen if job.kind == "csv" else ()
    return ExportResult(job.target, job.kind, name, count, shown, time.perf_counter() - started)


def _query_table(query: QueryBuilder[Any] | None) -> str | None:
    if query is None:
        return None
    params = query.to_params()
    return str(params["TableName"]) if "TableName" in params else None


def _scan_flow(
    config: Config, table: str, job: _ExportJob, add: Callable[[dict[str, Any]], None]
) -> Flow[int]:
    """A parallel Scan whose pages go to ``add`` as they arrive (nothing is kept here)."""
    done = 0

    def page(raw_items: list[Any]) -> None:
        nonlocal done
        for raw in raw_items:
            add(unmarshall_item(raw))
        done += len(raw_items)
        if job.progress is not None:
            job.progress(TransferProgress("scan", done))

    request = item_requests.scan(table, filter=_entity_filter(config, job.models))
    return (yield from streamed_scan(request, job.segments, page))


def _query_flow(
    executor: Executor,
    query: QueryBuilder[Any],
    add: Callable[[dict[str, Any]], None],
    progress: ProgressCallback | None,
) -> Flow[None]:
    """What ``query`` reads: one Query or Scan streams page by page; anything else (key
    reads, merged or sorted results) is read whole by the query's own reader flow."""
    plan = query.plan()
    requests = plan.requests()
    streams = plan.operation in ("Query", "Scan") and plan.segments == 1 and len(requests) == 1
    if not streams or plan.client_sort is not None:
        reader = Reader(executor, plan, key_attribute_names(executor.config, plan.index))
        for item in (yield from reader.all_flow()):
            add(item)
        return
    current: Request | None = requests[0]
    done = 0
    while current is not None and (plan.limit is None or done < plan.limit):
        response: Response = yield current
        for raw in response.get("Items", ())[: None if plan.limit is None else plan.limit - done]:
            add(unmarshall_item(raw))
            done += 1
        if progress is not None:
            progress(TransferProgress("scan", done))
        current = next_page(current, response)


def _entity_filter(config: Config, models: Sequence[str | type[Any]] | None) -> Any:
    if models is None:
        return None
    names = [m if isinstance(m, str) else m.__name__ for m in models]
    if not names:
        raise TransferError("models= is empty; pass entity types to export, or None for all")
    return attr(config.single_table_design.entity_type_attribute).is_in(names)


def _sort_key(keys: tuple[str, ...]) -> Any:
    def key(line: str) -> tuple[tuple[int, Any], ...]:
        item = decode_item(line)
        return tuple(_rank(item.get(name)) for name in keys)

    return key


def _rank(value: Any) -> tuple[int, Any]:
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, int | Decimal):
        return (2, Decimal(value))
    if isinstance(value, bytes):
        return (3, value)
    return (0, "")


def _columns(keys: tuple[str, ...], seen: Iterable[str]) -> tuple[str, ...]:
    """Every attribute seen, the key attributes first (all of them for an empty export)."""
    found = set(seen)
    first = [k for k in keys if k in found or not found]
    return (*first, *sorted(found - set(keys)))


def _write(
    target: Path,
    kind: Format,
    spool: SortedSpool,
    columns: tuple[str, ...],
    progress: ProgressCallback | None,
) -> None:
    partial = temporary_path(target)
    total = spool.count
    with partial.open("w", encoding="utf-8", newline="") as out:
        lines = _reported(spool.lines(), total, progress)
        if kind == "jsonl":
            out.writelines(f"{line}\n" for line in lines)
        elif kind == "json":
            out.write("[")
            for index, line in enumerate(lines):
                out.write(f"{',' if index else ''}\n{line}")
            out.write("\n]\n" if total else "]\n")
        else:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for line in lines:
                item = decode_item(line)
                writer.writerow([encode_cell(item[c]) if c in item else "" for c in columns])
    os.replace(partial, target)


def _reported(lines: Iterator[str], total: int, progress: ProgressCallback | None) -> Iterator[str]:
    for done, line in enumerate(lines, 1):
        yield line
        if progress is not None and (done % 500 == 0 or done == total):
            progress(TransferProgress("write-file", done, total))
