"""Configured request defaults reach the wire; explicit values win."""

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.expressions import key
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.defaults import apply_defaults
from dynamodb_tooling.requests.items import get_item, put_item, query

KEY = {"pk": "A", "sk": "B"}


def test_nothing_changes_with_the_default_configuration() -> None:
    request = get_item("T", KEY)
    assert apply_defaults(request, validate_config()) is request


def test_consistent_read_applies_to_table_reads_but_not_to_gsi_queries() -> None:
    config = validate_config(consistent_read=True)
    assert apply_defaults(get_item("T", KEY), config).params["ConsistentRead"] is True
    table_query = apply_defaults(query("T", key("pk").eq("A")), config)
    assert table_query.params["ConsistentRead"] is True
    on_index = apply_defaults(query("T", key("gsi1pk").eq("A"), index="GSI1"), config)
    assert "ConsistentRead" not in on_index.params  # GSIs cannot be read consistently
    batch = apply_defaults(Request("BatchGetItem", {"RequestItems": {"T": {"Keys": []}}}), config)
    assert batch.params["RequestItems"]["T"]["ConsistentRead"] is True


def test_capacity_and_metrics_defaults_go_to_operations_that_take_them() -> None:
    config = validate_config(
        return_consumed_capacity="TOTAL", return_item_collection_metrics="SIZE"
    )
    put = apply_defaults(put_item("T", KEY), config).params
    assert (put["ReturnConsumedCapacity"], put["ReturnItemCollectionMetrics"]) == ("TOTAL", "SIZE")
    read = apply_defaults(get_item("T", KEY), config).params
    assert read["ReturnConsumedCapacity"] == "TOTAL"
    assert "ReturnItemCollectionMetrics" not in read


def test_a_value_the_request_carries_wins() -> None:
    config = validate_config(return_consumed_capacity="TOTAL", consistent_read=True)
    request = get_item("T", KEY, return_consumed_capacity="INDEXES")
    assert apply_defaults(request, config).params["ReturnConsumedCapacity"] == "INDEXES"
