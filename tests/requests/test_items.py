"""Compiled GetItem/PutItem/UpdateItem/DeleteItem/Query/Scan requests (no server)."""

import pytest

from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.expressions import Update, attr, key
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import (
    delete_item,
    get_item,
    put_item,
    query,
    scan,
    update_item,
)

KEY = {"pk": "USER#1", "sk": "USER#1"}
WIRE_KEY = {"pk": {"S": "USER#1"}, "sk": {"S": "USER#1"}}


def test_get_item_minimal() -> None:
    assert get_item("T", KEY) == Request("GetItem", {"TableName": "T", "Key": WIRE_KEY})


def test_get_item_with_every_option() -> None:
    request = get_item(
        "T",
        KEY,
        consistent_read=True,
        projection=["name", "profile.tags[1]"],
        return_consumed_capacity="TOTAL",
    )
    assert request.params == {
        "TableName": "T",
        "Key": WIRE_KEY,
        "ConsistentRead": True,
        "ProjectionExpression": "#n0, #n1.#n2[1]",
        "ExpressionAttributeNames": {"#n0": "name", "#n1": "profile", "#n2": "tags"},
        "ReturnConsumedCapacity": "TOTAL",
    }


def test_put_item_conditional_with_return_values() -> None:
    request = put_item(
        "T",
        {**KEY, "age": 36, "tags": {"a"}},
        condition=attr("pk").not_exists(),
        return_values="ALL_OLD",
        return_values_on_condition_check_failure="ALL_OLD",
        return_item_collection_metrics="SIZE",
    )
    assert request == Request(
        "PutItem",
        {
            "TableName": "T",
            "Item": {**WIRE_KEY, "age": {"N": "36"}, "tags": {"SS": ["a"]}},
            "ConditionExpression": "attribute_not_exists(#n0)",
            "ExpressionAttributeNames": {"#n0": "pk"},
            "ReturnValues": "ALL_OLD",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            "ReturnItemCollectionMetrics": "SIZE",
        },
    )


def test_update_item_puts_update_before_condition_placeholders() -> None:
    request = update_item(
        "T", KEY, Update().set("name", "Ada"), condition=attr("_v").eq(3), return_values="ALL_NEW"
    )
    assert request.params == {
        "TableName": "T",
        "Key": WIRE_KEY,
        "ConditionExpression": "#n0 = :v0",
        "UpdateExpression": "SET #n1 = :v1",
        "ExpressionAttributeNames": {"#n0": "_v", "#n1": "name"},
        "ExpressionAttributeValues": {":v0": {"N": "3"}, ":v1": {"S": "Ada"}},
        "ReturnValues": "ALL_NEW",
    }


def test_delete_item_with_condition() -> None:
    request = delete_item("T", KEY, condition=attr("status").eq("draft"))
    assert request.params["ConditionExpression"] == "#n0 = :v0"
    assert request.params["ExpressionAttributeNames"] == {"#n0": "status"}
    assert request.params["Key"] == WIRE_KEY


def test_query_on_index_descending_with_filter_and_page_start() -> None:
    start = {"pk": {"S": "USER#1"}, "sk": {"S": "ORDER#5"}}
    request = query(
        "T",
        key("gsi1pk").eq("TEAM#1") & key("gsi1sk").begins_with("USER#"),
        filter=attr("age").gt(30),
        index="GSI1",
        limit=10,
        scan_index_forward=False,
        exclusive_start_key=start,
        select="COUNT",
    )
    assert request == Request(
        "Query",
        {
            "TableName": "T",
            "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
            "FilterExpression": "#n2 > :v2",
            "ExpressionAttributeNames": {"#n0": "gsi1pk", "#n1": "gsi1sk", "#n2": "age"},
            "ExpressionAttributeValues": {
                ":v0": {"S": "TEAM#1"},
                ":v1": {"S": "USER#"},
                ":v2": {"N": "30"},
            },
            "ScanIndexForward": False,
            "IndexName": "GSI1",
            "Limit": 10,
            "ExclusiveStartKey": start,
            "Select": "COUNT",
        },
    )


def test_scan_segment() -> None:
    request = scan("T", filter=attr("_et").eq("User"), segment=1, total_segments=4)
    assert request.params == {
        "TableName": "T",
        "FilterExpression": "#n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "_et"},
        "ExpressionAttributeValues": {":v0": {"S": "User"}},
        "Segment": 1,
        "TotalSegments": 4,
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_item("", KEY), "table name is required"),
        (lambda: get_item("T", {}), "primary key"),
        (lambda: query("T", key("pk").eq("a"), limit=0), "limit must be at least 1"),
        (lambda: scan("T", segment=1), "given together"),
        (lambda: scan("T", segment=4, total_segments=4), "segment must be 0 to 3"),
        (lambda: scan("T", segment=0, total_segments=0), "total_segments must be 1"),
    ],
)
def test_bad_input_is_refused_before_sending(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RequestValidationError, match=message):
        call()


def test_oversize_item_is_refused_with_its_size() -> None:
    with pytest.raises(RequestValidationError, match=r"409,600 bytes") as caught:
        put_item("T", {**KEY, "blob": "x" * 410_000})
    assert "S3" in str(caught.value)
