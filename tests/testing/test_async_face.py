"""The suite's async form: a sync call on an ``AsyncFaceDriver`` is sent by the wrapped
driver's async face, on the shared event loop, concurrent steps gathered there."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.drivers.registry import get_driver
from dynamodb_tooling.errors import DriverError
from dynamodb_tooling.expressions import key
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.testing import plugin
from dynamodb_tooling.testing.async_face import (
    AsyncFaceDriver,
    _shared_loop,
    inner_driver_name,
    register_async_face_drivers,
)
from dynamodb_tooling.testing.plugin import TableFactory, execution_form


def _recorded(config: Config) -> tuple[AsyncFaceDriver, list[tuple[str, str]]]:
    base = inner_driver_name(config.driver) or config.driver
    inner = plugin._driver_for(validate_config(config, driver=base))
    seen: list[tuple[str, str]] = []
    original = inner.aexecute

    async def recording(request: Request) -> Any:
        seen.append((request.operation, threading.current_thread().name))
        return await original(request)

    inner.aexecute = recording  # type: ignore[method-assign]
    return AsyncFaceDriver(inner), seen


@pytest.mark.integration
def test_sync_calls_are_sent_by_the_async_face(
    dynamodb_config: Config, make_table: TableFactory
) -> None:
    table = make_table()
    driver, seen = _recorded(dynamodb_config)
    client = DynamoDBClient(driver, config=dynamodb_config)
    rows = [{"pk": "P", "sk": f"S{n:03}", "n": n} for n in range(60)]
    client.batch_write({table: [put(row) for row in rows]})  # a flow: 3 concurrent batches
    pages = client.query_all(table, key("pk").eq("P"), limit=25)  # 3 pages
    item = client.get_item(table, {"pk": "P", "sk": "S007"})
    assert (len(pages.items), pages.pages) == (60, 3)
    assert item["Item"]["n"] == {"N": "7"}
    assert [operation for operation, _ in seen] == ["BatchWriteItem"] * 3 + ["Query"] * 3 + [
        "GetItem"
    ]
    assert {thread for _, thread in seen} == {"dbtooling-async-face"}
    client.close()


def test_a_sync_call_on_the_loop_itself_is_refused(dynamodb_config: Config) -> None:
    driver = AsyncFaceDriver(
        get_driver("botocore", validate_config(dynamodb_config, driver="botocore"))
    )

    async def inside() -> Any:
        return driver.execute(Request("ListTables", {"Limit": 1}))

    with pytest.raises(DriverError, match="await the a-prefixed twin there instead"):
        _shared_loop().call(inside())


def test_async_face_drivers_are_registered_by_name() -> None:
    register_async_face_drivers("lean")
    config = validate_config(endpoint="http://127.0.0.1:1", driver="lean_async_face")
    driver = get_driver(config=config)
    assert isinstance(driver, AsyncFaceDriver)
    assert (driver.name, driver.inner.name) == ("lean_async_face", "lean")
    assert inner_driver_name("lean_async_face") == "lean"
    assert inner_driver_name("lean") is None


def test_the_execution_form_is_sync_async_or_a_clear_failure() -> None:
    assert execution_form({}) == "sync"
    assert execution_form({"DBTOOLING_TEST_EXECUTION": "async"}) == "async"
    with pytest.raises(pytest.fail.Exception, match="'threads' is not a test execution form"):
        execution_form({"DBTOOLING_TEST_EXECUTION": "threads"})
