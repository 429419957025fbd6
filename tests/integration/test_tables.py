"""Table management against a real engine (moto by default, ``DYNAMODB_ENDPOINT`` when set).

Every test creates its own uniquely named tables and deletes them (and its backups) afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore import xform_name
from moto.dynamodb.responses import DynamoHandler

from dynamodb_tooling._types import AttributeDefinition, CreateTableInput, GlobalSecondaryIndex
from dynamodb_tooling.config import validate_config
from dynamodb_tooling.drivers.botocore_driver import BotocoreDriver
from dynamodb_tooling.drivers.client import DynamoDBClient
from dynamodb_tooling.errors import DynamoDBError, ResourceNotFoundError
from dynamodb_tooling.requests.tables import create_gsi, delete_gsi

pytestmark = pytest.mark.integration

#: Error codes with which engines say "this operation does not exist here".
UNSUPPORTED_CODES = {"UnknownOperationException", "NotImplementedException", "NotImplemented"}

Cleanup = Callable[[Callable[[], object]], None]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def attr(name: str) -> AttributeDefinition:
    return {"AttributeName": name, "AttributeType": "S"}


def index(name: str, hash_key: str, range_key: str) -> GlobalSecondaryIndex:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


TABLE_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "lsi1sk"]


def definition(name: str) -> CreateTableInput:
    return {
        "TableName": name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [attr(a) for a in TABLE_ATTRIBUTES],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            index("GSI1", "gsi1pk", "gsi1sk"),
            index("GSI2", "gsi2pk", "gsi2sk"),
        ],
        "LocalSecondaryIndexes": [index("LSI1", "pk", "lsi1sk")],
    }


@pytest.fixture(scope="module")
def client(dynamodb_endpoint: str) -> Iterator[DynamoDBClient]:
    config = validate_config(
        endpoint=dynamodb_endpoint,
        credentials={"access_key_id": "embedded", "secret_access_key": "embedded"},
    )
    with DynamoDBClient(BotocoreDriver(config), config=config) as connected:
        yield connected


@pytest.fixture
def cleanup() -> Iterator[Cleanup]:
    """Register undo actions; they run last-in first-out, ignoring what is already gone."""
    actions: list[Callable[[], object]] = []
    yield actions.append
    for action in reversed(actions):
        try:
            action()
        except ResourceNotFoundError:
            pass
        except DynamoDBError as error:
            if "NotFound" not in error.code:
                raise


def drop_table(client: DynamoDBClient, name: str) -> Callable[[], object]:
    def drop() -> None:
        client.delete_table(name)
        client.wait_for_table_deleted(name, interval=0.1, timeout=60)

    return drop


@pytest.fixture
def table(client: DynamoDBClient, cleanup: Cleanup) -> dict[str, Any]:
    """A fresh ACTIVE table with two GSIs and one LSI; returns its description."""
    name = unique("tables-it")
    cleanup(drop_table(client, name))
    client.create_table(definition(name))
    return client.wait_for_table_active(name, interval=0.1, timeout=60)


def put(client: DynamoDBClient, table: str, pk: str) -> None:
    client.put_item(table, {"pk": pk, "sk": pk, "gsi1pk": "G#1", "gsi1sk": pk, "lsi1sk": "L"})


@contextmanager
def engine_supports(operation: str) -> Iterator[None]:
    """Skip the test when the engine does not implement ``operation`` at all; else re-raise.

    Wraps the first call of an optional feature (backups, TTL, tags...) so a test run against
    another engine (``DYNAMODB_ENDPOINT``) reports what it lacks instead of failing.
    """
    try:
        yield
    except DynamoDBError as error:
        if error.code in UNSUPPORTED_CODES:
            pytest.skip(f"the engine does not implement {operation} ({error.code})")
        # moto's server answers an operation it has not implemented with a bare HTTP 500 page.
        if error.code == "500" and not hasattr(DynamoHandler, xform_name(operation)):
            pytest.skip(f"moto does not implement {operation} (it answers HTTP 500)")
        raise


def test_create_table_with_indexes_then_describe_and_list(
    client: DynamoDBClient, table: dict[str, Any]
) -> None:
    name = table["TableName"]
    assert table["TableStatus"] == "ACTIVE"
    described = client.describe_table(name)["Table"]
    assert [k["AttributeName"] for k in described["KeySchema"]] == ["pk", "sk"]
    gsis = {i["IndexName"]: i["IndexStatus"] for i in described["GlobalSecondaryIndexes"]}
    assert gsis == {"GSI1": "ACTIVE", "GSI2": "ACTIVE"}
    assert [i["IndexName"] for i in described["LocalSecondaryIndexes"]] == ["LSI1"]
    assert name in client.list_all_tables()


def test_list_tables_pages(client: DynamoDBClient, table: dict[str, Any]) -> None:
    first = client.list_tables(limit=1)
    assert len(first["TableNames"]) == 1


def test_update_table_adds_then_removes_a_gsi(
    client: DynamoDBClient, table: dict[str, Any]
) -> None:
    name = table["TableName"]
    everything = [attr(a) for a in [*TABLE_ATTRIBUTES, "gsi3pk", "gsi3sk"]]
    gsi3 = index("GSI3", "gsi3pk", "gsi3sk")
    client.update_table(name, attribute_definitions=everything, gsi_updates=[create_gsi(gsi3)])
    added = client.wait_for_table_active(name, interval=0.1, timeout=120)
    assert "GSI3" in {i["IndexName"] for i in added["GlobalSecondaryIndexes"]}
    client.put_item(name, {"pk": "A#1", "sk": "A#1", "gsi3pk": "X", "gsi3sk": "A#1"})
    page = client.scan(name, index="GSI3")
    assert [item["pk"] for item in page["Items"]] == [{"S": "A#1"}]

    client.update_table(name, gsi_updates=[delete_gsi("GSI3")])
    removed = client.wait_for_table_active(name, interval=0.1, timeout=120)
    assert {i["IndexName"] for i in removed["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}
    assert {"pk", "sk"} <= {a["AttributeName"] for a in removed["AttributeDefinitions"]}


def test_time_to_live(client: DynamoDBClient, table: dict[str, Any]) -> None:
    name = table["TableName"]
    with engine_supports("UpdateTimeToLive"):
        client.update_time_to_live(name, "expires_at")
    ttl = client.describe_time_to_live(name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] in {"ENABLED", "ENABLING"}
    assert ttl["AttributeName"] == "expires_at"


def test_continuous_backups_and_point_in_time_restore(
    client: DynamoDBClient, table: dict[str, Any], cleanup: Cleanup
) -> None:
    name = table["TableName"]
    with engine_supports("UpdateContinuousBackups"):
        client.update_continuous_backups(name, enabled=True)
    described = client.describe_continuous_backups(name)["ContinuousBackupsDescription"]
    pitr = described["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"

    target = unique("tables-pitr")
    cleanup(drop_table(client, target))
    with engine_supports("RestoreTableToPointInTime"):
        client.restore_table_to_point_in_time(name, target)
    restored = client.wait_for_table_active(target, interval=0.1, timeout=300)
    assert [k["AttributeName"] for k in restored["KeySchema"]] == ["pk", "sk"]


def test_on_demand_backup_and_restore(
    client: DynamoDBClient, table: dict[str, Any], cleanup: Cleanup
) -> None:
    name = table["TableName"]
    put(client, name, "USER#1")
    with engine_supports("CreateBackup"):
        backup = client.create_backup(name, "nightly")["BackupDetails"]
    arn = backup["BackupArn"]
    cleanup(lambda: client.delete_backup(arn))
    assert backup["BackupName"] == "nightly"
    details = client.describe_backup(arn)["BackupDescription"]
    assert details["SourceTableDetails"]["TableName"] == name
    listed = client.list_backups(table=name)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [arn]

    target = unique("tables-restored")
    cleanup(drop_table(client, target))
    client.restore_table_from_backup(target, arn)
    client.wait_for_table_active(target, interval=0.1, timeout=300)
    item = client.get_item(target, {"pk": "USER#1", "sk": "USER#1"})["Item"]
    assert item["gsi1pk"] == {"S": "G#1"}

    client.delete_backup(arn)
    assert client.list_backups(table=name)["BackupSummaries"] == []


def test_tags(client: DynamoDBClient, table: dict[str, Any]) -> None:
    arn = table["TableArn"]
    with engine_supports("TagResource"):
        client.tag_resource(arn, {"env": "test", "team": "core"})
    tags = client.list_tags_of_resource(arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "core")]
    client.untag_resource(arn, ["env"])
    assert client.list_tags_of_resource(arn)["Tags"] == [{"Key": "team", "Value": "core"}]


def _refusal(call: Callable[[], object]) -> DynamoDBError | None:
    """The typed error ``call`` raised, or ``None`` when it succeeded."""
    try:
        call()
    except DynamoDBError as error:
        return error
    return None


def test_contributor_insights(client: DynamoDBClient, table: dict[str, Any]) -> None:
    name = table["TableName"]
    refused = _refusal(lambda: client.update_contributor_insights(name, enabled=True))
    if refused is not None:
        # An engine without it (moto answers a bare HTTP 500 page): the caller gets our typed
        # error naming the operation, never a raw one. The compiled requests are unit-tested.
        assert refused.code in {*UNSUPPORTED_CODES, "500"}
        assert not hasattr(DynamoHandler, "update_contributor_insights")
        assert "UpdateContributorInsights" in str(refused)
        return
    status = client.describe_contributor_insights(name)["ContributorInsightsStatus"]
    assert status in {"ENABLING", "ENABLED"}
    client.update_contributor_insights(name, enabled=False, index="GSI1")
    on_index = client.describe_contributor_insights(name, index="GSI1")
    assert on_index["IndexName"] == "GSI1"


def test_delete_table_and_wait_until_deleted(client: DynamoDBClient, cleanup: Cleanup) -> None:
    name = unique("tables-doomed")
    cleanup(drop_table(client, name))
    client.create_table(definition(name))
    client.wait_for_table_active(name, interval=0.1, timeout=60)
    client.delete_table(name)
    client.wait_for_table_deleted(name, interval=0.1, timeout=60)
    with pytest.raises(ResourceNotFoundError):
        client.describe_table(name)
    assert name not in client.list_all_tables()
