"""Types users see on the client, config and request compilers (checked by mypy, not run)."""

from typing import Any, assert_type

from dynamodb_tooling.config import Config, get_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient, HealthStatus
from dynamodb_tooling.expressions import key
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import get_item
from dynamodb_tooling.requests.pagination import Pages


def check(client: DynamoDBClient) -> None:
    assert_type(get_config(), Config)
    assert_type(set_config(region="x"), Config)
    assert_type(validate_config({}), Config)
    assert_type(get_item("T", {"pk": "a"}), Request)
    assert_type(client.get_item("T", {"pk": "a"}), dict[str, Any])
    assert_type(client.query_all("T", key("pk").eq("a")), Pages)
    assert_type(client.batch_write({}), int)
    assert_type(client.list_all_tables(), list[str])
    assert_type(client.driver.health_check(), HealthStatus)
    client.get_item("T", {"pk": "a"}, consistent_read=True)
    client.get_item("T", {"pk": "a"}, consistant_read=True)  # type: ignore[call-arg]
