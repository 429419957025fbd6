"""Items with a TTL are found by the expiry index on the engine, soonest first."""

import uuid

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer

pytestmark = pytest.mark.integration


def test_expiry_index_lists_sessions_by_expiry(
    dynamodb_client: DynamoDBClient, dynamodb_config: Config
) -> None:
    registry = Registry(dynamodb_config)

    class Session(Model, registry=registry, ttl="expires_at", ttl_index=True):
        token: str

    table = f"expiry-{uuid.uuid4().hex[:10]}"
    dynamodb_client.create_table(registry.table_definition(table))
    try:
        dynamodb_client.wait_for_table_active(table, interval=0.1)
        transformer = EntityTransformer(registry)
        for n, expires in enumerate([1900000300, 1900000100, None, 1900000200]):
            values = {"id": f"s{n}", "token": "t", "expires_at": expires}
            item = transformer.to_item("Session", {k: v for k, v in values.items() if v})
            dynamodb_client.put_item(table, item)
        where = registry.keys.expiry_query("Session")
        pages = dynamodb_client.query_all(
            table,
            key(where.partition_attribute).eq(where.partition_value)
            & key(where.sort_attribute).begins_with(where.sort_prefix),
            index=where.index,
        )
        assert [unmarshall_item(i)["id"] for i in pages.items] == ["s1", "s3", "s0"]
    finally:
        dynamodb_client.delete_table(table)
