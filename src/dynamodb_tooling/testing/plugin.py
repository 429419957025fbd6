"""pytest fixtures: a DynamoDB-compatible endpoint, a client for it, and throwaway tables.

``dynamodb_endpoint`` is the URL of ``DYNAMODB_ENDPOINT`` when set (DynamoDB Local, a
``dbtooling start`` server, ...) and otherwise of an embedded moto server on 127.0.0.1 started
once per test session. Tables made with ``make_table`` get unique names and are deleted after
the test, so the suite can share any endpoint.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import BotocoreDriver, DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, EmbeddedEngine
from dynamodb_tooling.errors import ResourceNotFoundError

ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"

TableFactory = Callable[..., str]


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """The endpoint every integration test talks to."""
    external = os.environ.get(ENDPOINT_VARIABLE)
    if external:
        yield external
        return
    engine = EmbeddedEngine()
    yield engine.start()
    engine.stop()


def engine_is_moto(endpoint: str) -> bool:
    """Whether ``endpoint`` is served by moto (it answers its ``/moto-api/`` management API)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def dynamodb_engine_is_moto(dynamodb_endpoint: str) -> bool:
    """True when the test endpoint is moto, for marking its known deviations from DynamoDB."""
    return engine_is_moto(dynamodb_endpoint)


@pytest.fixture(scope="session")
def dynamodb_config(dynamodb_endpoint: str) -> Config:
    """A configuration pointing at ``dynamodb_endpoint`` (with local credentials)."""
    key, secret = EMBEDDED_CREDENTIALS
    return validate_config(
        endpoint=dynamodb_endpoint,
        credentials={"access_key_id": key, "secret_access_key": secret},
        max_retries=2,
    )


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_config: Config) -> Iterator[DynamoDBClient]:
    """A client (botocore driver) for the test endpoint."""
    client = DynamoDBClient(BotocoreDriver(dynamodb_config), config=dynamodb_config)
    yield client
    client.close()


def key_schema_table(name: str, *, gsi_count: int = 0, sort_key: bool = True) -> dict[str, Any]:
    """A pay-per-request CreateTable definition with ``pk``/``sk`` and ``GSI{n}`` indexes."""
    names = ["pk", "sk"] if sort_key else ["pk"]
    schema: list[dict[str, str]] = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    indexes = []
    for n in range(1, gsi_count + 1):
        names += [f"gsi{n}pk", f"gsi{n}sk"]
        indexes.append(
            {
                "IndexName": f"GSI{n}",
                "KeySchema": [
                    {"AttributeName": f"gsi{n}pk", "KeyType": "HASH"},
                    {"AttributeName": f"gsi{n}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    definition: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": schema,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
    }
    if indexes:
        definition["GlobalSecondaryIndexes"] = indexes
    return definition


@pytest.fixture
def make_table(dynamodb_client: DynamoDBClient) -> Iterator[TableFactory]:
    """``make_table(gsi_count=0, sort_key=True) -> name``: a fresh table, deleted afterwards."""
    created: list[str] = []

    def factory(*, gsi_count: int = 0, sort_key: bool = True, prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        dynamodb_client.create_table(key_schema_table(name, gsi_count=gsi_count, sort_key=sort_key))
        created.append(name)
        dynamodb_client.wait_for_table_active(name, interval=0.1)
        return name

    yield factory
    for name in created:
        try:
            dynamodb_client.delete_table(name)
        except ResourceNotFoundError:
            continue
