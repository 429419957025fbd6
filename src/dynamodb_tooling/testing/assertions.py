"""Assertion helpers for tests of an application: what was sent, what is stored.

Request assertions record a block with :func:`~dynamodb_tooling.record_requests` and check it
when the block ends; given ``sent=`` (a recording, e.g. the ``dynamodb_requests`` fixture,
which records the whole test) they check at once::

    with assert_queried("Query", index="GSI1", times=1):
        team.users.get()
    with assert_request_count(1):
        User.find(ada.id)
    assert_request_count(3, sent=dynamodb_requests)

A failure lists every request the block sent (operation, table, index, key condition).
A request assertion that is never entered and gets no ``sent=`` checks nothing: it warns
(``UncheckedAssertionWarning``) so a forgotten ``with`` does not pass silently.

Stored-data assertions read the model's table back (a consistent Scan of that model's
items): ``assert_inserted(User, email="ada@example.com")``, ``assert_not_inserted(...)``.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.drivers.recording import RecordedRequest, RecordedRequests, record_requests
from dynamodb_tooling.expressions import attr
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.schema.transformer import transformer_of

__all__ = [
    "RequestAssertion",
    "UncheckedAssertionWarning",
    "assert_consumed_capacity",
    "assert_inserted",
    "assert_not_inserted",
    "assert_queried",
    "assert_request_count",
    "describe_requests",
]

READ_OPERATIONS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)


class UncheckedAssertionWarning(UserWarning):
    """A request assertion was created but never checked (no ``with``, no ``sent=``)."""


class RequestAssertion:
    """A check of recorded requests: a context manager, or checked at once with ``sent=``."""

    def __init__(
        self, describe: str, check: Callable[[RecordedRequests], str | None], sent: Any = None
    ) -> None:
        self.describe = describe
        self._check = check
        self._recorder: RecordedRequests | None = None
        self._checked = False
        if sent is not None:
            self.verify(sent)

    def verify(self, sent: RecordedRequests) -> None:
        """Check ``sent`` now; raises ``AssertionError`` listing what was sent."""
        __tracebackhide__ = True
        self._checked = True
        problem = self._check(sent)
        if problem is not None:
            raise AssertionError(
                f"{self.describe}: {problem}\n{describe_requests(sent.requests)}"
            ) from None

    def __enter__(self) -> RecordedRequests:
        if self._checked or self._recorder is not None:
            raise RuntimeError(f"{self.describe} was already checked; make a new one per block")
        self._recorder = record_requests()
        return self._recorder.__enter__()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        assert self._recorder is not None
        self._recorder.__exit__(kind, error, traceback)
        if kind is None:
            self.verify(self._recorder)
        self._checked = True

    async def __aenter__(self) -> RecordedRequests:
        return self.__enter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(kind, error, traceback)

    def __del__(self) -> None:
        if not self._checked and self._recorder is None:
            warnings.warn(
                f"{self.describe} checked nothing: use it as `with {self.describe}: ...` "
                "around the code, or pass sent=<a record_requests() recording>",
                UncheckedAssertionWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"<{self.describe}>"


def _call(name: str, *args: Any, **options: Any) -> str:
    parts = [repr(a) for a in args if a is not None]
    parts += [f"{k}={v!r}" for k, v in options.items() if v is not None]
    return f"{name}({', '.join(parts)})"


def _sent(count: int, what: str) -> str:
    """``"1 Query request was sent"``, ``"3 requests were sent"``."""
    noun, verb = ("request", "was") if count == 1 else ("requests", "were")
    return " ".join(part for part in (str(count), what, noun, verb, "sent") if part)


def _model_call(name: str, model: type[Any], values: Mapping[str, Any]) -> str:
    return ", ".join([f"{name}({model.__name__}", *(f"{k}={v!r}" for k, v in values.items())]) + ")"


def _matches(entry: RecordedRequest, table: str | None, index: str | None) -> bool:
    if table is not None and table not in entry.tables:
        return False
    return index is None or entry.params.get("IndexName") == index


def assert_queried(
    operation: str,
    *,
    table: str | None = None,
    index: str | None = None,
    times: int | None = None,
    sent: RecordedRequests | None = None,
) -> RequestAssertion:
    """``operation`` (``"Query"``, ``"GetItem"``, ``"Scan"``...) was sent — on ``table`` and
    ``index`` when given — ``times`` times exactly (default: at least once)."""
    if times is not None and times < 0:
        raise ValueError(f"assert_queried(times={times}): times must be 0 or more")

    def check(recorded: RecordedRequests) -> str | None:
        found = sum(_matches(e, table, index) for e in recorded.of(operation))
        if times is None and found == 0:
            return f"no matching {operation} was sent"
        if times is not None and found != times:
            return f"{_sent(found, f'matching {operation}')}, expected {times}"
        return None

    what = _call("assert_queried", operation, table=table, index=index, times=times)
    return RequestAssertion(what, check, sent)


def assert_request_count(
    n: int, operation: str | None = None, *, sent: RecordedRequests | None = None
) -> RequestAssertion:
    """Exactly ``n`` requests were sent (only ``operation``'s counted when given). A request
    the driver retried counts once (see ``RecordedRequests.attempts``)."""

    def check(recorded: RecordedRequests) -> str | None:
        found = len(recorded.of(operation)) if operation else recorded.count
        if found == n:
            return None
        return f"{_sent(found, operation or '')}, expected {n}"

    return RequestAssertion(_call("assert_request_count", n, operation), check, sent)


def capacity_units(entries: Iterable[RecordedRequest]) -> tuple[float, float, int]:
    """(read units, write units, how many requests reported ConsumedCapacity): a report's
    ``ReadCapacityUnits``/``WriteCapacityUnits`` when present, else its ``CapacityUnits``
    counted as read or write by the operation."""
    read = write = 0.0
    reported = 0
    for entry in entries:
        if entry.consumed_capacity:
            reported += 1
        for report in entry.consumed_capacity:
            split_read = report.get("ReadCapacityUnits")
            split_write = report.get("WriteCapacityUnits")
            if split_read is not None or split_write is not None:
                read += float(split_read or 0)
                write += float(split_write or 0)
            elif entry.operation in READ_OPERATIONS:
                read += float(report.get("CapacityUnits") or 0)
            else:
                write += float(report.get("CapacityUnits") or 0)
    return read, write, reported


def assert_consumed_capacity(
    *,
    max_rcu: float | None = None,
    max_wcu: float | None = None,
    sent: RecordedRequests | None = None,
) -> RequestAssertion:
    """The block consumed at most ``max_rcu`` read and ``max_wcu`` write capacity units, as
    the endpoint reported them (``ConsumedCapacity`` in responses: the requests must ask for
    it — ``return_consumed_capacity = "TOTAL"``, which the app-table fixtures set).

    Engines differ: DynamoDB and DynamoDB Local report real units; moto reports rough ones
    (it does not round item sizes the way DynamoDB does). The check uses what was reported,
    and fails when no response reported any (nothing to check is not a pass).
    """
    if max_rcu is None and max_wcu is None:
        raise ValueError("assert_consumed_capacity() needs max_rcu=..., max_wcu=... or both")

    def check(recorded: RecordedRequests) -> str | None:
        entries = recorded.requests
        read, write, reported = capacity_units(entries)
        if entries and not reported:
            return (
                "no response reported ConsumedCapacity: send ReturnConsumedCapacity "
                '(set_config(return_consumed_capacity="TOTAL"); the dynamodb_app fixtures '
                "do) on an engine that reports it"
            )
        over = []
        if max_rcu is not None and read > max_rcu:
            over.append(f"{read:g} read units were consumed, at most {max_rcu:g} expected")
        if max_wcu is not None and write > max_wcu:
            over.append(f"{write:g} write units were consumed, at most {max_wcu:g} expected")
        return "; ".join(over) or None

    what = _call("assert_consumed_capacity", max_rcu=max_rcu, max_wcu=max_wcu)
    return RequestAssertion(what, check, sent)


def describe_requests(entries: Iterable[RecordedRequest]) -> str:
    """One line per request: ``1. Query on T index GSI1 key '#k0 = :v0' -> ok``."""
    lines = []
    for n, entry in enumerate(entries, 1):
        parts = [f"{n}. {entry.operation}"]
        if entry.tables:
            parts.append(f"on {', '.join(entry.tables)}")
        if "IndexName" in entry.params:
            parts.append(f"index {entry.params['IndexName']}")
        for name, label in (("KeyConditionExpression", "key"), ("FilterExpression", "filter")):
            if name in entry.params:
                parts.append(f"{label} {_resolved(entry.params, name)!r}")
        if "Key" in entry.params:
            parts.append(f"key {_short(unmarshall_item(entry.params['Key']))}")
        parts.append(f"-> {entry.status}")
        lines.append("  " + " ".join(parts))
    if not lines:
        return "  (no requests were sent)"
    return "requests sent:\n" + "\n".join(lines)


def _resolved(params: Mapping[str, Any], name: str) -> str:
    """An expression with its #name placeholders replaced (values stay placeholders)."""
    text = str(params[name])
    for placeholder, real in sorted(
        (params.get("ExpressionAttributeNames") or {}).items(), key=lambda p: -len(p[0])
    ):
        text = text.replace(placeholder, str(real))
    return text


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Stored data.


def _stored(model: type[Any]) -> list[Any]:
    """Every stored instance of ``model`` (soft-deleted ones included), read consistently."""
    registry = model.__registry__
    table = registry.table_name(model.__definition__.name)  # its own with table=
    entity = registry.config.single_table_design.entity_type_attribute
    name = model.__definition__.name
    pages = get_client().scan_all(table, filter=attr(entity).eq(name), consistent_read=True)
    return [model.from_item(unmarshall_item(item)) for item in pages.items]


def _check_names(model: type[Any], values: Mapping[str, Any], what: str) -> None:
    definition = model.__definition__
    known = {
        definition.primary_key,
        *transformer_of(model.__registry__).allowed_names(definition.name),
    }
    unknown = sorted(set(values) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{what}: {definition.name} has no attribute {', '.join(map(repr, unknown))}{hint}; "
            f"its attributes are {', '.join(sorted(known))}"
        )


def _matching(instance: Any, values: Mapping[str, Any]) -> int:
    return sum(getattr(instance, k, None) == v for k, v in values.items())


def _listing(model: type[Any], stored: list[Any], values: Mapping[str, Any]) -> str:
    if not stored:
        return f"the table holds no {model.__definition__.name} items"
    shown = sorted(stored, key=lambda s: -_matching(s, values))[:5]
    key = model.__definition__.primary_key
    names = [key, *(k for k in values if k != key)]
    rows = ["  - " + ", ".join(f"{k}={getattr(item, k, None)!r}" for k in names) for item in shown]
    more = f"\n  ... and {len(stored) - 5} more" if len(stored) > 5 else ""
    noun = "item" if len(stored) == 1 else "items"
    head = f"the table holds {len(stored)} {model.__definition__.name} {noun} (closest first):"
    return head + "\n" + "\n".join(rows) + more


def assert_inserted(model: type[Any], **values: Any) -> Any:
    """A stored ``model`` item has every given value; returns it (Laravel's
    ``assertDatabaseHas``). Soft-deleted items count; values compare as the model casts them."""
    __tracebackhide__ = True
    what = _model_call("assert_inserted", model, values)
    _check_names(model, values, what)
    stored = _stored(model)
    for instance in stored:
        if _matching(instance, values) == len(values):
            return instance
    table = model.__registry__.table_name(model.__definition__.name)
    raise AssertionError(
        f"{what}: no matching {model.__definition__.name} in table {table}; "
        f"{_listing(model, stored, values)}"
    )


def assert_not_inserted(model: type[Any], **values: Any) -> None:
    """No stored ``model`` item has all the given values (none at all when none given)."""
    __tracebackhide__ = True
    what = _model_call("assert_not_inserted", model, values)
    _check_names(model, values, what)
    stored = _stored(model)
    found = [instance for instance in stored if _matching(instance, values) == len(values)]
    if found:
        table = model.__registry__.table_name(model.__definition__.name)
        raise AssertionError(
            f"{what}: {len(found)} matching {model.__definition__.name} stored in table "
            f"{table}; {_listing(model, found, values)}"
        )
