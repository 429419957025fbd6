"""PerformanceWarnings name the user's line, from sync and async terminals alike."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import PerformanceWarning
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.testing.stub import StubExecutor

USER = ModelDefinition(
    "User", "USER", attributes=(make_attribute("name", "string"), make_attribute("n", "integer"))
)


def builder(stub: StubExecutor) -> QueryBuilder[dict[str, Any]]:
    registry = Registry(validate_config(query_builder={"aggregate_warning_threshold": 1}))
    registry.register(USER)
    return QueryBuilder(QueryState(model="User"), registry=registry, hydrate=dict, client=stub)


def scanned(stub: StubExecutor) -> QueryBuilder[dict[str, Any]]:
    items = [{"pk": {"S": f"USER#{i}"}, "_et": {"S": "User"}, "n": {"N": "1"}} for i in range(3)]
    stub.on("Scan", {"Items": items}, {"Items": items}, {"Items": items})
    return builder(stub).where("name", "Ada")


def test_a_scan_warning_blames_the_calling_line() -> None:
    query = scanned(StubExecutor())
    with pytest.warns(PerformanceWarning, match="needs a Scan") as caught:
        query.get()
    assert caught[0].filename == __file__


def test_the_async_twin_blames_the_calling_line_too() -> None:
    query = scanned(StubExecutor())

    async def handler() -> Any:
        return await query.aget()  # the line blamed

    with pytest.warns(PerformanceWarning, match="needs a Scan") as caught:
        asyncio.run(handler())
    assert (caught[0].filename, caught[0].lineno) == (__file__, handler.__code__.co_firstlineno + 1)


def test_a_large_aggregate_warning_blames_the_calling_line() -> None:
    query = scanned(StubExecutor()).force_scan()
    with pytest.warns(PerformanceWarning, match="processed 3 items") as caught:
        query.sum("n")
    assert [w.filename for w in caught] == [__file__]
