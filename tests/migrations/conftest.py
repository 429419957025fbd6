from collections.abc import Iterator

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from tests.migrations._engine import MigrationEnv


@pytest.fixture
def env(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[MigrationEnv]:
    """A uniquely named table for one test, deleted afterwards (whatever the test did)."""
    found = MigrationEnv(dynamodb_config, dynamodb_client)
    yield found
    found.drop()
