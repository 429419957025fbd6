"""Configured request defaults are sent by the driver (the engine answers accordingly)."""

import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import BotocoreDriver, DynamoDBClient
from dynamodb_tooling.testing.plugin import TableFactory

pytestmark = pytest.mark.integration


def test_return_consumed_capacity_default_reaches_the_engine(
    dynamodb_config: Config, make_table: TableFactory
) -> None:
    table = make_table()
    config = validate_config(dynamodb_config, return_consumed_capacity="TOTAL")
    with DynamoDBClient(BotocoreDriver(config), config=config) as client:
        written = client.put_item(table, {"pk": "A", "sk": "B", "n": 1})
        read = client.get_item(table, {"pk": "A", "sk": "B"})
    assert written["ConsumedCapacity"]["TableName"] == table
    assert read["ConsumedCapacity"]["TableName"] == table
    with DynamoDBClient(BotocoreDriver(dynamodb_config), config=dynamodb_config) as plain:
        assert "ConsumedCapacity" not in plain.get_item(table, {"pk": "A", "sk": "B"})
