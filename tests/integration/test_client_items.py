"""Item operations, queries and scans through DynamoDBClient against the engine."""

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ResourceNotFoundError,
    ValidationError,
)
from dynamodb_tooling.expressions import Update, attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests import items
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.testing.plugin import TableFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def table(make_table: TableFactory) -> str:
    return make_table(gsi_count=1)


def test_put_get_update_delete_round_trip(dynamodb_client: DynamoDBClient, table: str) -> None:
    user = {"pk": "USER#1", "sk": "USER#1", "name": "Ada", "age": 36, "tags": {"math"}}
    dynamodb_client.put_item(table, user, condition=attr("pk").not_exists())
    got = dynamodb_client.get_item(table, {"pk": "USER#1", "sk": "USER#1"}, consistent_read=True)
    assert unmarshall_item(got["Item"]) == user

    updated = dynamodb_client.update_item(
        table,
        {"pk": "USER#1", "sk": "USER#1"},
        Update().increment("age").add("tags", {"logic"}).remove("name"),
        return_values="ALL_NEW",
    )
    assert unmarshall_item(updated["Attributes"]) == {
        "pk": "USER#1",
        "sk": "USER#1",
        "age": 37,
        "tags": {"math", "logic"},
    }
    old = dynamodb_client.delete_item(
        table, {"pk": "USER#1", "sk": "USER#1"}, return_values="ALL_OLD"
    )
    assert unmarshall_item(old["Attributes"])["age"] == 37
    assert "Item" not in dynamodb_client.get_item(table, {"pk": "USER#1", "sk": "USER#1"})


def test_failed_condition_raises_typed_error_and_writes_nothing(
    dynamodb_client: DynamoDBClient, table: str
) -> None:
    dynamodb_client.put_item(table, {"pk": "A", "sk": "A", "v": 1})
    with pytest.raises(ConditionalCheckFailedError) as caught:
        dynamodb_client.put_item(
            table,
            {"pk": "A", "sk": "A", "v": 2},
            condition=attr("pk").not_exists(),
            return_values_on_condition_check_failure="ALL_OLD",
        )
    assert caught.value.code == "ConditionalCheckFailedException"
    assert "nothing was written" in str(caught.value)
    stored = dynamodb_client.get_item(table, {"pk": "A", "sk": "A"})["Item"]
    assert unmarshall_item(stored)["v"] == 1


def test_query_all_follows_every_page(dynamodb_client: DynamoDBClient, table: str) -> None:
    rows = [{"pk": "USER#1", "sk": f"ORDER#{n:03d}", "total": n} for n in range(40)]
    dynamodb_client.batch_write({table: [put(r) for r in rows]})
    pages = dynamodb_client.query_all(
        table,
        key("pk").eq("USER#1") & key("sk").begins_with("ORDER#"),
        filter=attr("total").gte(10),
        limit=7,
    )
    assert pages.pages >= 6
    assert [unmarshall_item(i)["total"] for i in pages.items] == list(range(10, 40))
    assert pages.count == 30

    newest = dynamodb_client.query(
        table, key("pk").eq("USER#1"), scan_index_forward=False, limit=2, projection=["sk"]
    )
    assert [unmarshall_item(i) for i in newest["Items"]] == [
        {"sk": "ORDER#039"},
        {"sk": "ORDER#038"},
    ]

    lazily = list(dynamodb_client.iter_pages(items.query(table, key("pk").eq("USER#1"), limit=15)))
    assert sum(len(page["Items"]) for page in lazily) == 40


def test_query_on_a_gsi(dynamodb_client: DynamoDBClient, table: str) -> None:
    for n in range(3):
        dynamodb_client.put_item(
            table,
            {
                "pk": f"POST#{n}",
                "sk": f"POST#{n}",
                "gsi1pk": "USER#9",
                "gsi1sk": f"POST#{n}",
            },
        )
    dynamodb_client.put_item(table, {"pk": "X", "sk": "X", "gsi1pk": "USER#8", "gsi1sk": "POST#9"})
    pages = dynamodb_client.query_all(table, key("gsi1pk").eq("USER#9"), index="GSI1")
    assert sorted(unmarshall_item(i)["pk"] for i in pages.items) == ["POST#0", "POST#1", "POST#2"]


def test_scan_all_and_parallel_scan_agree(dynamodb_client: DynamoDBClient, table: str) -> None:
    dynamodb_client.batch_write(
        {table: [put({"pk": f"P#{n}", "sk": "S", "n": n}) for n in range(30)]}
    )
    plain = dynamodb_client.scan_all(table, filter=attr("n").lt(20), limit=8)
    parallel = dynamodb_client.parallel_scan(items.scan(table, filter=attr("n").lt(20)), 4)
    assert sorted(unmarshall_item(i)["n"] for i in plain.items) == list(range(20))
    assert sorted(unmarshall_item(i)["n"] for i in parallel.items) == list(range(20))
    counted = dynamodb_client.scan(table, select="COUNT")
    assert counted["Count"] == 30


def test_missing_table_and_invalid_request_map_to_typed_errors(
    dynamodb_client: DynamoDBClient,
) -> None:
    with pytest.raises(ResourceNotFoundError, match="create the table first"):
        dynamodb_client.get_item("no-such-table-here", {"pk": "a", "sk": "b"})


def test_wrong_key_shape_is_a_validation_error(dynamodb_client: DynamoDBClient, table: str) -> None:
    with pytest.raises(ValidationError) as caught:
        dynamodb_client.get_item(table, {"pk": "only-partition"})
    assert caught.value.operation == "GetItem"
