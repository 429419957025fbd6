"""Key values over DynamoDB's size limits (partition keys 2,048 bytes, sort keys 1,024 bytes,
UTF-8) are refused while keys are built — entity keys, GSI/LSI keys, unique sentinels, edges and
read keys — naming the model attribute and the limit, so nothing reaches the engine."""

import math
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import MarshallingError, RequestValidationError
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.requests.items import delete_item, get_item
from dynamodb_tooling.schema import KeyValueError, Registry
from dynamodb_tooling.schema.casts import AttributeCastError
from tests.schema import blog


@pytest.fixture
def registry() -> Registry:
    registry = Registry(validate_config())
    for definition in blog.BLOG:
        registry.register(definition)
    return registry


def test_entity_keys_up_to_the_limit_are_built(registry: Registry) -> None:
    longest = "i" * (1024 - len("USER#"))  # the sk (1,024 bytes) fills up first
    keys = registry.keys.item_keys("User", {"id": longest})
    assert len(keys["sk"].encode()) == 1024


def test_an_id_making_the_sort_key_too_long_is_refused(registry: Registry) -> None:
    with pytest.raises(KeyValueError) as caught:
        registry.keys.item_keys("User", {"id": "i" * 1020})
    assert str(caught.value) == (
        "User.id is too long for a key: sk = 'USER#iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii'... would "
        "be 1,025 bytes (UTF-8), above DynamoDB's limit of 1,024 bytes for a sort key; use a "
        "shorter value"
    )


def test_sizes_are_counted_in_utf8_bytes(registry: Registry) -> None:
    registry.keys.item_keys("User", {"id": "é" * 509})  # 5 + 1,018 bytes
    with pytest.raises(KeyValueError, match=r"would be 1,805 bytes \(UTF-8\), above .* 1,024"):
        registry.keys.item_keys("User", {"id": "€" * 600})  # 600 characters, 1,800 bytes


def test_a_foreign_key_making_a_gsi_partition_key_too_long_is_refused(registry: Registry) -> None:
    registry.keys.item_keys("Post", {"id": "p1", "user_id": "u" * (2048 - len("USER#"))})
    with pytest.raises(KeyValueError) as caught:
        registry.keys.item_keys("Post", {"id": "p1", "user_id": "u" * 2044})
    message = str(caught.value)
    assert message.startswith("Post.user_id is too long for a key: gsi1pk = 'USER#uuu")
    assert "2,049 bytes (UTF-8), above DynamoDB's limit of 2,048 bytes for a partition key" in (
        message
    )
    assert message.endswith("use a shorter value, or leave it out of the index (index=False)")


def test_an_indexed_value_making_a_gsi_partition_key_too_long_is_refused(
    registry: Registry,
) -> None:
    prefix = len("POST#status#")
    keys = registry.keys.item_keys("Post", {"id": "p1", "status": "s" * (2048 - prefix)})
    assert len(keys["gsi2pk"]) == 2048
    with pytest.raises(KeyValueError, match=r"^Post\.status is too long for a key: gsi2pk = "):
        registry.keys.item_keys("Post", {"id": "p1", "status": "s" * (2049 - prefix)})


def test_a_sort_value_making_an_lsi_sort_key_too_long_is_refused(registry: Registry) -> None:
    values = {"id": "o1", "user_id": "u1", "created_at": "t" * 1020}
    with pytest.raises(KeyValueError) as caught:
        registry.keys.item_keys("Order", values)
    assert str(caught.value).startswith("Order.created_at is too long for a key: lsi1sk = 'ORDER#")
    assert "limit of 1,024 bytes for a sort key" in str(caught.value)


def test_a_collection_parent_id_making_the_partition_key_too_long_is_refused(
    registry: Registry,
) -> None:
    with pytest.raises(KeyValueError, match=r"^Order\.user_id is too long for a key: pk = "):
        registry.keys.item_keys("Order", {"id": "o1", "user_id": "u" * 2044})


def test_a_long_unique_value_makes_a_sentinel_key_too_long(registry: Registry) -> None:
    registry.keys.sentinel_key("User", "email", "e" * (1024 - len("_UNIQUE#USER#email#")))
    with pytest.raises(KeyValueError) as caught:
        registry.keys.sentinel_key("User", "email", "e" * 1006)
    assert str(caught.value) == (
        "User.email is too long for a key: sk = '_UNIQUE#USER#email#eeeeeeeeeeeeeeeeeeeee'... "
        "would be 1,025 bytes (UTF-8), above DynamoDB's limit of 1,024 bytes for a sort key; a "
        "unique value is stored in its sentinel's key; use a shorter value or drop unique"
    )


def test_edge_keys_are_checked(registry: Registry) -> None:
    pivot = registry.schema.pivot("RoleUser")
    with pytest.raises(KeyValueError, match=r"^RoleUser\.role_id is too long for a key: sk = "):
        registry.keys.edge_keys(pivot, "u1", "r" * 1100)


def test_read_keys_are_checked(registry: Registry) -> None:
    with pytest.raises(KeyValueError, match=r"^User\.id is too long for a key: sk = 'USER#"):
        registry.keys.id_query("User", "i" * 1100)
    with pytest.raises(KeyValueError, match=r"^Post\.status is too long for a key: gsi2pk = "):
        registry.keys.attribute_query("Post", "status", "s" * 2100)
    link = registry.schema.entity("Post").parents[0]
    with pytest.raises(KeyValueError, match=r"^User\.id is too long for a key: gsi1pk = "):
        registry.keys.children_query(link, "u" * 2100)


def test_wire_keys_over_2048_bytes_are_refused_before_sending() -> None:
    get_item("T", {"pk": "k" * 2048, "sk": "s"})
    for compile_request, operation in (
        (lambda key: get_item("T", key), "GetItem"),
        (lambda key: delete_item("T", key), "DeleteItem"),
    ):
        with pytest.raises(RequestValidationError) as caught:
            compile_request({"pk": "k" * 2049, "sk": "s"})
        assert str(caught.value) == (
            f"{operation}: key attribute 'pk' is 2,049 bytes, above DynamoDB's limit of 2,048 "
            "bytes for a partition key (1,024 bytes for a sort key); no item can have this key "
            "— use a shorter value"
        )
    with pytest.raises(RequestValidationError, match=r"^GetItem: key attribute 'sk' is 2,100"):
        get_item("T", {"pk": "k", "sk": "é" * 1050})
    with pytest.raises(RequestValidationError, match=r"^GetItem: key attribute 'pk' is 3,000"):
        get_item("T", {"pk": b"\0" * 3000})


# --- against the engine: refused writes send nothing -------------------------------------------


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"ksz-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Account(Model, registry=registry):
        email: str = attribute(unique=True)
        logins: int = 0
        profile: dict[str, Any] | None = None

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Account": Account, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


@pytest.mark.integration
def test_refused_writes_reach_nothing(app: dict[str, Any], dynamodb_client: DynamoDBClient) -> None:
    Account, table = app["Account"], app["table"]
    deep: Any = "leaf"
    for _ in range(1_500):
        deep = {"a": deep}
    refused: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"email": "e" * 1100 + "@example.com"}, KeyValueError, r"^Account\.email is too long"),
        ({"id": "i" * 1100, "email": "a@example.com"}, KeyValueError, r"^Account\.id is too long"),
        (
            {"email": "a@example.com", "logins": math.nan},
            AttributeCastError,
            r"^Account\.logins must be an integer.*got float nan",
        ),
        (
            {"email": "a@example.com", "logins": "--5"},
            AttributeCastError,
            r"^Account\.logins must be an integer.*got str '--5'",
        ),
        (
            {"email": "a@example.com", "profile": deep},
            MarshallingError,
            r"^value nested more than 32 levels deep at profile(\.a){32}: DynamoDB allows",
        ),
    ]
    for values, error, message in refused:
        with pytest.raises(error, match=message):
            Account.create(**values)
    assert dynamodb_client.scan_all(table).items == []
    Account.create(email="a@example.com", logins=3)
    assert len(dynamodb_client.scan_all(table).items) == 2  # the account and its sentinel


@pytest.mark.parametrize("value", [Decimal("Infinity"), Decimal("sNaN"), Decimal("NaN")])
def test_non_finite_decimals_in_keys_are_key_errors(registry: Registry, value: Decimal) -> None:
    with pytest.raises(KeyValueError, match=r"^User\.id is a Decimal; keys take str, int"):
        registry.keys.item_keys("User", {"id": value})
