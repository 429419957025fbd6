"""``import_``: JSON, JSON Lines or CSV records into a table — validated, batched, concurrent,
resumable, and with nothing lost under throttling.

Records are raw items (keys as they are, e.g. an ``export``) or, with ``model=``, model values
whose keys the model derives. With ``validate`` every record is checked first (through the
model, or for the table's key attributes and DynamoDB's value rules) and all errors are
reported with their lines before anything is written — or, with ``continue_on_error``, the
valid records are written and the rest reported. Writes go out as BatchWriteItem requests of
``batch_size`` puts, ``concurrency`` at a time; throttled and unprocessed writes are retried
with backoff until none remain. A checkpoint beside the input (:mod:`.checkpoint`) makes a
re-run resume where a crashed one stopped.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.errors import (
    DynamoDBToolingError,
    IncompleteBatchError,
    ModelValidationError,
)
from dynamodb_tooling.marshal import unmarshall
from dynamodb_tooling.orm.loading import get_model
from dynamodb_tooling.query.executor import Executor, default_executor
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.requests import Backoff, Flow, gather, tables
from dynamodb_tooling.requests.batch import WriteRequest, batch_write, put
from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.schema.validation import validate_values
from dynamodb_tooling.transfer._records import Mapping_, Record, read_records
from dynamodb_tooling.transfer.checkpoint import Checkpoint, checkpoint_path, fingerprint
from dynamodb_tooling.transfer.errors import ImportValidationError, RecordError, TransferError
from dynamodb_tooling.transfer.export import Format, format_of
from dynamodb_tooling.transfer.progress import ProgressCallback, TransferProgress

#: Retries per batch before an import stops (resumable) — effectively "until none remain".
IMPORT_BACKOFF = Backoff(base=0.05, cap=2.0, max_attempts=60)
MAX_BATCH_SIZE = 25


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: ``records`` read, ``written`` items, the records ``skipped`` as
    already written by an earlier run (resume), and the ``errors`` of invalid records."""

    path: Path
    format: Format
    table: str
    records: int
    written: int
    skipped: int = 0
    errors: tuple[RecordError, ...] = ()
    dry_run: bool = False
    requests: int = 0
    seconds: float = 0.0
    model: str | None = None


def import_(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    table: str | None = None,
    model: str | type[Any] | None = None,
    mapping: Mapping_ | None = None,
    validate: bool = True,
    continue_on_error: bool = False,
    dry_run: bool = False,
    resume: bool = True,
    batch_size: int = MAX_BATCH_SIZE,
    concurrency: int = 8,
    client: Executor | None = None,
    progress: ProgressCallback | None = None,
    backoff: Backoff | None = None,
) -> ImportResult:
    """Write the records of ``path`` to ``table`` (default: the configured one).

    ``mapping`` renames columns/attributes (``{"E-mail": "email"}``; ``None`` drops one).
    ``dry_run`` reads and validates everything and sends no write. ``resume`` carries on from
    the checkpoint a crashed run left (``resume=False`` starts over).

    >>> import_("users.csv", model="User", mapping={"E-mail": "email"})   # doctest: +SKIP
    ImportResult(..., records=1200, written=1200, ...)
    """
    job = _job(path, format, table, model, mapping, validate, continue_on_error, dry_run)
    job = replace(job, resume=resume, batch_size=batch_size, concurrency=concurrency)
    executor = client or default_executor()
    return executor.run(_import_flow(job, executor.config, progress, backoff))


async def aimport_(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    table: str | None = None,
    model: str | type[Any] | None = None,
    mapping: Mapping_ | None = None,
    validate: bool = True,
    continue_on_error: bool = False,
    dry_run: bool = False,
    resume: bool = True,
    batch_size: int = MAX_BATCH_SIZE,
    concurrency: int = 8,
    client: Executor | None = None,
    progress: ProgressCallback | None = None,
    backoff: Backoff | None = None,
) -> ImportResult:
    """The async twin of :func:`import_`: the same flow on the async executor."""
    job = _job(path, format, table, model, mapping, validate, continue_on_error, dry_run)
    job = replace(job, resume=resume, batch_size=batch_size, concurrency=concurrency)
    executor = client or default_executor()
    return await executor.arun(_import_flow(job, executor.config, progress, backoff))


@dataclass(frozen=True, slots=True)
class _ImportJob:
    """An import's checked options (what :func:`_import_flow` runs)."""

    source: Path
    kind: Format
    table: str | None
    model: str | type[Any] | None
    mapping: Mapping_ | None
    validate: bool
    continue_on_error: bool
    dry_run: bool
    resume: bool = True
    batch_size: int = MAX_BATCH_SIZE
    concurrency: int = 8

    def check(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise TransferError(f"batch_size must be 1 to {MAX_BATCH_SIZE} (got {self.batch_size})")
        if self.concurrency < 1:
            raise TransferError(f"concurrency must be at least 1 (got {self.concurrency})")


def _job(
    path: str | os.PathLike[str],
    format: Format | None,
    table: str | None,
    model: str | type[Any] | None,
    mapping: Mapping_ | None,
    validate: bool,
    continue_on_error: bool,
    dry_run: bool,
) -> _ImportJob:
    source = Path(path)
    if not source.is_file():
        raise TransferError(f"{source} does not exist (or is not a file); check the path")
    kind = format_of(source, format)
    return _ImportJob(source, kind, table, model, mapping, validate, continue_on_error, dry_run)


def _import_flow(
    job: _ImportJob,
    config: Config,
    progress: ProgressCallback | None = None,
    backoff: Backoff | None = None,
) -> Flow[ImportResult]:
    """The import as one sans-IO flow: DescribeTable (the key schema), the validation pass
    (no request), then windows of concurrent BatchWriteItem flows, checkpointed."""
    job.check()
    started = time.perf_counter()
    source, kind = job.source, job.kind
    name = job.table or full_table_name(config=config)
    convert = _Converter(name, job.model, job.validate)
    described: Response = yield tables.describe_table(name)
    convert.keys = tuple(k["AttributeName"] for k in described["Table"]["KeySchema"])

    def records() -> Iterator[Record]:
        return read_records(source, kind, job.mapping, convert.text_attributes)

    errors: list[RecordError] = []
    total: int | None = None
    if job.validate:
        total, errors = _validate(records(), convert, progress)
        if errors and not job.continue_on_error:
            raise ImportValidationError(str(source), errors)
    shown = convert.model_name
    if job.dry_run:
        valid = (total or 0) - len({e.line for e in errors})
        return ImportResult(
            source,
            kind,
            name,
            total or 0,
            0,
            errors=tuple(errors),
            dry_run=True,
            requests=-(-valid // job.batch_size),
            seconds=time.perf_counter() - started,
            model=shown,
        )
    now = Checkpoint(str(source.resolve()), fingerprint(source), name, convert.model_name)
    saved = checkpoint_path(source)
    earlier = Checkpoint.load(saved) if job.resume else None
    if earlier is not None:
        earlier.matches(now, saved)
        now = earlier
    skipped = now.done
    bad_lines = {e.line for e in errors}
    writer = _Writer(name, job.batch_size, job.concurrency, backoff or IMPORT_BACKOFF)
    count = 0
    for count, record in enumerate(records(), 1):
        if count <= skipped or record.line in bad_lines:
            continue
        write, found = convert(record)
        if found and not job.continue_on_error:
            yield from _flush(writer, now, saved, count - 1, progress, total)
            raise ImportValidationError(str(source), found, done=count - 1)
        errors += found
        if write is not None:
            writer.add(write)
        if writer.full():
            yield from _flush(writer, now, saved, count, progress, total)
    yield from _flush(writer, now, saved, count, progress, total)
    saved.unlink(missing_ok=True)
    return ImportResult(
        source,
        kind,
        name,
        count,
        writer.written,
        skipped=skipped,
        errors=tuple(errors),
        requests=writer.requests,
        seconds=time.perf_counter() - started,
        model=shown,
    )


def _validate(
    records: Iterator[Record], convert: _Converter, progress: ProgressCallback | None
) -> tuple[int, list[RecordError]]:
    """Check every record (nothing written); returns how many there are and their errors."""
    errors: list[RecordError] = []
    seen: dict[tuple[Any, ...], int] = {}
    count = 0
    for count, record in enumerate(records, 1):
        item, found = convert(record)
        errors += found
        if item is not None:
            identity = convert.identity(item)
            if identity in seen:
                errors.append(
                    RecordError(
                        record.line,
                        None,
                        f"has the same key as line {seen[identity]} ({_shown_key(identity)}); "
                        "the later one would silently replace it — remove one of them",
                    )
                )
            else:
                seen[identity] = record.line
        if progress is not None and count % 500 == 0:
            progress(TransferProgress("validate", count))
    if progress is not None:
        progress(TransferProgress("validate", count, count))
    return count, errors


def _shown_key(identity: tuple[Any, ...]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in identity)


def _flush(
    writer: _Writer,
    checkpoint: Checkpoint,
    saved: Path,
    done: int,
    progress: ProgressCallback | None,
    total: int | None,
) -> Flow[None]:
    """Write the window (retrying until done) and record the progress in the checkpoint."""
    try:
        checkpoint.written += yield from writer.flush()
    except IncompleteBatchError as exc:
        checkpoint.save(saved)
        raise TransferError(
            f"the import stopped after {checkpoint.done} records: {exc}. Everything before "
            f"is written (checkpoint {saved}); run the same import again to resume"
        ) from exc
    checkpoint.done = done
    checkpoint.save(saved)
    if progress is not None:
        progress(TransferProgress("import", done, total))


class _Writer:
    """Collects puts into windows of ``batch_size * concurrency`` and writes each window as
    concurrent BatchWriteItem requests, retried until every write is done."""

    def __init__(self, table: str, batch_size: int, concurrency: int, backoff: Backoff) -> None:
        self.table = table
        self.batch_size = batch_size
        self.window = batch_size * concurrency
        self.backoff = backoff
        self.pending: list[WriteRequest] = []
        self.requests = 0
        self.written = 0

    def add(self, write: WriteRequest) -> None:
        self.pending.append(write)

    def full(self) -> bool:
        return len(self.pending) >= self.window

    def flush(self) -> Flow[int]:
        """Write what is pending; returns how many items were written."""
        writes, self.pending = self.pending, []
        if not writes:
            return 0
        chunks = [writes[i : i + self.batch_size] for i in range(0, len(writes), self.batch_size)]
        self.requests += len(chunks)
        flows = [batch_write({self.table: c}, backoff=self.backoff) for c in chunks]
        results = yield from gather(flows)
        failures = [r for r in results if isinstance(r, Exception)]
        if failures:
            first = failures[0]
            if isinstance(first, IncompleteBatchError):
                raise first
            raise IncompleteBatchError(
                f"{len(failures)} of {len(chunks)} batches failed: {first}",
                unprocessed={},
                errors=failures,
            )
        self.written += len(writes)
        return len(writes)


_CAST = re.compile(r"^\w+\.(\w+) |has no attribute '(\w+)'")


class _Converter:
    """A record's values → the put of its item, or the errors that stop it."""

    def __init__(self, table: str, model: str | type[Any] | None, validate: bool) -> None:
        self.keys: tuple[str, ...] = ()
        self.validate = validate
        self.model_name: str | None = None
        self.text_attributes: frozenset[str] = frozenset()
        if model is None:
            return
        cls = get_model(model) if isinstance(model, str) else model
        registry = cls.__registry__
        definition = cls.__definition__
        self.model_name = definition.name
        self.definition = definition
        if definition.unique_attributes:
            names = ", ".join(a.name for a in definition.unique_attributes)
            raise TransferError(
                f"cannot import {definition.name} values in batches: {names} must stay unique, "
                "which needs a transaction per item (BatchWriteItem has no conditions); import "
                "raw items (an export, with its unique sentinels) without model=, or create "
                "the items with the model"
            )
        self.compiler = WriteCompiler(registry, table)
        self.text_attributes = frozenset(
            a.name for a in definition.attributes if a.type == "string"
        )

    def identity(self, write: WriteRequest) -> tuple[Any, ...]:
        item = write["PutRequest"]["Item"]
        return tuple((name, _plain(item.get(name))) for name in self.keys)

    def __call__(self, record: Record) -> tuple[WriteRequest | None, list[RecordError]]:
        if record.errors:
            return None, list(record.errors)
        try:
            item = self._item(record)
            return put(item), []
        except ModelValidationError as exc:
            found = [
                RecordError(record.line, name, message)
                for name, messages in exc.errors.items()
                for message in messages
            ]
            return None, found
        except DynamoDBToolingError as exc:
            return None, [RecordError(record.line, _attribute_of(exc), str(exc))]

    def _item(self, record: Record) -> dict[str, Any]:
        values = record.values
        if self.model_name is None:
            missing = [k for k in self.keys if values.get(k) is None]
            if missing:
                raise _RecordProblemError(
                    missing[0],
                    f"the key attribute {missing[0]!r} is missing; a raw item needs "
                    f"{', '.join(self.keys)} (or import model values with model=)",
                )
            return values
        definition = self.definition
        if values.get(definition.primary_key) is None:
            raise _RecordProblemError(
                definition.primary_key,
                f"{definition.name}.{definition.primary_key} is missing; an import needs the "
                "ids so that a resumed or repeated import writes the same items (add the "
                "column, or map yours to it)",
            )
        if self.validate:
            validate_values(definition, values, partial=False)
        return self.compiler.transformer.to_item(definition.name, values)


class _RecordProblemError(DynamoDBToolingError):
    def __init__(self, attribute: str, message: str) -> None:
        super().__init__(message)
        self.attribute = attribute


def _attribute_of(error: Exception) -> str | None:
    if isinstance(error, _RecordProblemError):
        return error.attribute
    if isinstance(error, AttributeCastError):
        found = _CAST.search(str(error))
        if found:
            return found.group(1) or found.group(2)
    return None


def _plain(value: Any) -> Any:
    return None if value is None else unmarshall(value)
