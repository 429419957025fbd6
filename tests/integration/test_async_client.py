"""The low-level client's and raw access's async twins send the same requests as their sync
twins (checked on the engine, on whichever driver the suite runs with)."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.expressions import Update, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.query.raw import apartiql, araw_get, araw_put, araw_update
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.requests.transactions import TransactUpdate
from dynamodb_tooling.testing.plugin import TableFactory

pytestmark = pytest.mark.integration


def test_client_twins(dynamodb_client: DynamoDBClient, make_table: TableFactory) -> None:
    table = make_table()

    async def scenario() -> dict[str, Any]:
        client = dynamodb_client
        await client.aput_item(table, {"pk": "A", "sk": "1", "n": 1})
        await client.aupdate_item(table, {"pk": "A", "sk": "1"}, Update().increment("n"))
        written = await client.abatch_write(
            {table: [put({"pk": "A", "sk": str(i)}) for i in range(2, 40)]}
        )
        await client.atransact_write(
            [TransactUpdate(table, {"pk": "A", "sk": "1"}, Update().set("t", True))]
        )
        got = await client.aget_item(table, {"pk": "A", "sk": "1"})
        pages = await client.aquery_all(table, key("pk").eq("A"))
        batch = await client.abatch_get({table: [{"pk": "A", "sk": str(i)} for i in range(1, 6)]})
        await client.adelete_item(table, {"pk": "A", "sk": "2"})
        return {
            "written": written,
            "item": unmarshall_item(got["Item"]),
            "count": len(pages.items),
            "batch": len(batch[table]),
        }

    result = asyncio.run(scenario())
    assert result["written"] == 38
    assert result["item"] == {"pk": "A", "sk": "1", "n": 2, "t": True}
    assert result["count"] == 39
    assert result["batch"] == 5
    assert "Item" not in dynamodb_client.get_item(table, {"pk": "A", "sk": "2"})


def test_raw_twins(dynamodb_client: DynamoDBClient, make_table: TableFactory) -> None:
    table = make_table()
    item = {"pk": {"S": "R"}, "sk": {"S": "1"}, "n": {"N": "5"}}

    async def scenario() -> tuple[Any, Any]:
        await araw_put({"TableName": table, "Item": item}, client=dynamodb_client)
        await araw_update(
            {
                "TableName": table,
                "Key": {"pk": {"S": "R"}, "sk": {"S": "1"}},
                "UpdateExpression": "SET #s = :s",
                "ExpressionAttributeNames": {"#s": "state"},
                "ExpressionAttributeValues": {":s": {"S": "on"}},
            },
            client=dynamodb_client,
        )
        got = await araw_get(
            {"TableName": table, "Key": {"pk": {"S": "R"}, "sk": {"S": "1"}}},
            client=dynamodb_client,
        )
        rows = await apartiql(
            f'SELECT * FROM "{table}" WHERE pk = ?', ["R"], client=dynamodb_client
        )
        return got["Item"], rows

    got, rows = asyncio.run(scenario())
    assert got["state"] == {"S": "on"}
    assert rows == [{"pk": "R", "sk": "1", "n": 5, "state": "on"}]
