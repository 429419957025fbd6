"""freeze_time / frozen_clock: every timestamp the ORM stamps reads the frozen clock, in every
timestamp format, on the compiled requests (no server: the stub executor answers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from dynamodb_tooling import Model
from dynamodb_tooling.config import use_config
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.schema.transformer import utc_now
from dynamodb_tooling.testing import FrozenClock, StubExecutor, freeze_time, use_executor

T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def _written(stub: StubExecutor) -> dict[str, Any]:
    """The item of the last PutItem / UpdateItem values the stub saw (Python values)."""
    last = stub.requests[-1]
    if last.operation == "PutItem":
        return unmarshall_item(last.params["Item"])
    values = unmarshall_item(last.params["ExpressionAttributeValues"])
    names = last.params["ExpressionAttributeNames"]
    return {"update": last.params["UpdateExpression"], "names": names, "values": values}


def _model() -> type[Any]:
    class Note(Model, registry=Registry(), timestamps=True, soft_deletes=True):
        title: str

    return Note


@pytest.mark.parametrize(
    ("fmt", "stored"),
    [
        ("iso", T0.isoformat()),
        ("unix", int(T0.timestamp())),
        ("unix_ms", int(T0.timestamp() * 1000)),
    ],
)
def test_created_at_and_updated_at_read_the_frozen_clock(fmt: str, stored: object) -> None:
    with (
        use_config(query_builder={"timestamp_format": fmt}),
        use_executor(StubExecutor()) as stub,
        freeze_time(T0),
    ):
        note = _model().create(title="Hi")
        item = _written(stub)
    assert (item["created_at"], item["updated_at"]) == (stored, stored)
    assert note.created_at == T0


def test_updates_and_soft_deletes_read_the_moved_clock() -> None:
    with use_executor(StubExecutor()) as stub, freeze_time(T0) as clock:
        note = _model().create(title="Hi")
        clock.tick(timedelta(minutes=5))
        note.update(title="Hello")
        update = _written(stub)
        clock.set(datetime(2024, 3, 2, tzinfo=UTC))
        note.delete()
        deleted = _written(stub)
    five = (T0 + timedelta(minutes=5)).isoformat()
    assert five in update["values"].values()
    assert "2024-03-02T00:00:00+00:00" in deleted["values"].values()
    assert (note.created_at, note.deleted_at) == (T0, datetime(2024, 3, 2, tzinfo=UTC))
    assert note.updated_at == note.deleted_at  # a soft delete touches updated_at too


def test_the_frozen_clock_fixture(frozen_clock: FrozenClock) -> None:
    assert utc_now() == frozen_clock.now == datetime(2024, 1, 1, tzinfo=UTC)
    assert frozen_clock.tick(1.5) == datetime(2024, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    assert utc_now() == frozen_clock.now


def test_blocks_nest_and_the_system_clock_comes_back() -> None:
    with freeze_time(T0):
        with freeze_time(datetime(2000, 1, 1, tzinfo=UTC)):
            assert utc_now().year == 2000
        assert utc_now() == T0
    assert utc_now() > T0


def test_other_zones_are_converted_and_naive_datetimes_refused() -> None:
    plus_two = timezone(timedelta(hours=2))
    with freeze_time(datetime(2024, 3, 1, 11, 30, tzinfo=plus_two)) as clock:
        assert clock.now == T0
        assert clock.now.tzinfo is UTC
    with pytest.raises(ValueError, match=r"needs an aware datetime.*replace\(tzinfo=UTC\)"):
        freeze_time(datetime(2024, 1, 1)).__enter__()
    with pytest.raises(TypeError, match="takes a datetime, got str"):
        FrozenClock("2024-01-01")  # type: ignore[arg-type]
