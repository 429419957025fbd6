"""Unit tests of the table-management compilers and flows: exact params, no server."""

from __future__ import annotations

import copy
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from dynamodb_tooling._types import AttributeDefinition, AttributeType, GlobalSecondaryIndex
from dynamodb_tooling.errors import RequestValidationError, ResourceNotFoundError
from dynamodb_tooling.requests import Request, Sleep
from dynamodb_tooling.requests import tables as t


def attr(name: str, kind: AttributeType = "S") -> AttributeDefinition:
    return {"AttributeName": name, "AttributeType": kind}


def keys(hash_key: str, range_key: str | None = None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def gsi(name: str, hash_key: str, range_key: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": keys(hash_key, range_key),
        "Projection": {"ProjectionType": "ALL"},
        **extra,
    }


def definition(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "TableName": "MainTable",
        "KeySchema": keys("pk", "sk"),
        "AttributeDefinitions": [
            attr("pk"),
            attr("sk"),
            attr("gsi1pk"),
            attr("gsi1sk"),
            attr("lsi1sk", "N"),
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [gsi("GSI1", "gsi1pk", "gsi1sk")],
        "LocalSecondaryIndexes": [gsi("LSI1", "pk", "lsi1sk")],
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


@contextmanager
def refused(*words: str) -> Iterator[None]:
    """Expect a RequestValidationError whose message contains every one of ``words``."""
    with pytest.raises(RequestValidationError) as error:
        yield
    for word in words:
        assert word in str(error.value)


# CreateTable.


def test_create_table_sends_the_definition_unchanged() -> None:
    request = t.create_table(definition())
    assert request == Request("CreateTable", definition())


def test_create_table_copies_the_definition() -> None:
    source = definition()
    request = t.create_table(source)
    source["GlobalSecondaryIndexes"][0]["IndexName"] = "changed"
    assert request.params["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"


def test_create_table_accepts_provisioned_tables_with_throughput_everywhere() -> None:
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    spec = definition(
        BillingMode="PROVISIONED",
        ProvisionedThroughput=throughput,
        GlobalSecondaryIndexes=[gsi("GSI1", "gsi1pk", "gsi1sk", ProvisionedThroughput=throughput)],
    )
    assert t.create_table(spec).params == spec


def test_create_table_accepts_a_hash_only_table() -> None:
    spec = {
        "TableName": "a.b-c_1",
        "KeySchema": keys("id"),
        "AttributeDefinitions": [attr("id", "B")],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert t.create_table(spec).params == spec


@pytest.mark.parametrize("name", ["ab", "x" * 256, "has space", "slash/", "", 12])
def test_create_table_refuses_bad_table_names(name: object) -> None:
    with refused("TableName", "3 to 255", "letter, digit"):
        t.create_table(definition(TableName=name))


@pytest.mark.parametrize("missing", ["TableName", "KeySchema", "AttributeDefinitions"])
def test_create_table_refuses_a_definition_without_required_parts(missing: str) -> None:
    spec = definition()
    del spec[missing]
    with refused(missing, "add it"):
        t.create_table(spec)


@pytest.mark.parametrize(
    "schema",
    [
        [],
        [{"AttributeName": "sk", "KeyType": "RANGE"}],
        [{"AttributeName": "sk", "KeyType": "RANGE"}, {"AttributeName": "pk", "KeyType": "HASH"}],
        [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}],
        [*keys("pk", "sk"), {"AttributeName": "c", "KeyType": "RANGE"}],
    ],
)
def test_create_table_refuses_bad_key_schemas(schema: list[dict[str, str]]) -> None:
    with refused("KeySchema of the table", "HASH"):
        t.create_table(definition(KeySchema=schema))


def test_create_table_refuses_one_attribute_as_hash_and_range() -> None:
    with refused("both HASH and RANGE", "'pk'"):
        t.create_table(definition(KeySchema=keys("pk", "pk")))


def test_create_table_refuses_a_key_schema_element_without_a_name() -> None:
    with refused("KeySchema element of the table", "AttributeName"):
        t.create_table(definition(KeySchema=[{"KeyType": "HASH"}]))


def test_create_table_names_missing_attribute_definitions_and_their_users() -> None:
    spec = definition(AttributeDefinitions=[attr("pk"), attr("sk"), attr("lsi1sk", "N")])
    with refused("lacks", "'gsi1pk' (used by GSI 'GSI1')", "'gsi1sk'", "AttributeType"):
        t.create_table(spec)


def test_create_table_names_unused_attribute_definitions() -> None:
    spec = definition()
    spec["AttributeDefinitions"].append(attr("email"))
    with refused("'email'", "no key schema", "rejects unused", "remove"):
        t.create_table(spec)


def test_create_table_refuses_duplicate_and_mistyped_definitions() -> None:
    spec = definition()
    spec["AttributeDefinitions"].append(attr("pk"))
    with refused("defines 'pk' twice"):
        t.create_table(spec)
    spec = definition()
    spec["AttributeDefinitions"][0] = {"AttributeName": "pk", "AttributeType": "BOOL"}
    with refused("'pk'", "'BOOL'", "'S' (string)"):
        t.create_table(spec)


def test_create_table_refuses_more_than_20_gsis() -> None:
    indexes = [gsi(f"GSI{n}", "pk") for n in range(21)]
    with refused("GlobalSecondaryIndexes has 21", "limit of 20"):
        t.create_table(definition(GlobalSecondaryIndexes=indexes))


def test_create_table_refuses_more_than_5_lsis() -> None:
    indexes = [gsi(f"LSI{n}", "pk", "lsi1sk") for n in range(6)]
    with refused("LocalSecondaryIndexes has 6", "limit of 5"):
        t.create_table(definition(LocalSecondaryIndexes=indexes))


def test_create_table_refuses_an_lsi_on_a_table_without_sort_key() -> None:
    spec = definition(KeySchema=keys("pk"), GlobalSecondaryIndexes=None)
    spec["AttributeDefinitions"] = [attr("pk"), attr("lsi1sk", "N")]
    with refused("LSI 'LSI1'", "RANGE (sort) key", "make the index a GSI"):
        t.create_table(spec)


def test_create_table_refuses_an_lsi_with_another_partition_key() -> None:
    spec = definition(LocalSecondaryIndexes=[gsi("LSI1", "gsi1pk", "lsi1sk")])
    with refused("LSI 'LSI1'", "table's HASH key 'pk'", "use a GSI"):
        t.create_table(spec)


def test_create_table_refuses_an_lsi_without_sort_key() -> None:
    spec = definition(LocalSecondaryIndexes=[gsi("LSI1", "pk")])
    spec["AttributeDefinitions"].pop()
    with refused("LSI 'LSI1'", "own RANGE key"):
        t.create_table(spec)


def test_create_table_refuses_duplicate_index_names() -> None:
    spec = definition(LocalSecondaryIndexes=[gsi("GSI1", "pk", "lsi1sk")])
    with refused("unique", "['GSI1']"):
        t.create_table(spec)


def test_create_table_refuses_bad_index_names() -> None:
    with refused("GSI IndexName", "'G'"):
        t.create_table(definition(GlobalSecondaryIndexes=[gsi("G", "gsi1pk", "gsi1sk")]))


def test_create_table_needs_throughput_when_provisioned() -> None:
    spec = definition(BillingMode=None)
    with refused("PROVISIONED (the default", "the table has no ProvisionedThroughput"):
        t.create_table(spec)


def test_create_table_needs_gsi_throughput_when_provisioned() -> None:
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    spec = definition(BillingMode="PROVISIONED", ProvisionedThroughput=throughput)
    with refused("GSI 'GSI1' has no ProvisionedThroughput", "PAY_PER_REQUEST"):
        t.create_table(spec)


def test_create_table_refuses_throughput_on_demand() -> None:
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    with refused("PAY_PER_REQUEST but the table has a ProvisionedThroughput"):
        t.create_table(definition(ProvisionedThroughput=throughput))
    indexes = [gsi("GSI1", "gsi1pk", "gsi1sk", ProvisionedThroughput=throughput)]
    with refused("PAY_PER_REQUEST but GSI 'GSI1' has a ProvisionedThroughput"):
        t.create_table(definition(GlobalSecondaryIndexes=indexes))


def test_create_table_refuses_bad_billing_mode_and_capacity() -> None:
    with refused("BillingMode 'ON_DEMAND'"):
        t.create_table(definition(BillingMode="ON_DEMAND"))
    spec = definition(
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
        GlobalSecondaryIndexes=None,
    )
    spec["AttributeDefinitions"] = [attr("pk"), attr("sk"), attr("lsi1sk", "N")]
    with refused("ReadCapacityUnits of the table", "at least 1", "0"):
        t.create_table(spec)


def test_create_table_checks_projections() -> None:
    include = gsi("GSI1", "gsi1pk", "gsi1sk")
    include["Projection"] = {"ProjectionType": "INCLUDE"}
    with refused("GSI 'GSI1' projects INCLUDE", "NonKeyAttributes"):
        t.create_table(definition(GlobalSecondaryIndexes=[include]))
    extra = gsi("GSI1", "gsi1pk", "gsi1sk")
    extra["Projection"] = {"ProjectionType": "ALL", "NonKeyAttributes": ["name"]}
    with refused("only allowed with 'INCLUDE'"):
        t.create_table(definition(GlobalSecondaryIndexes=[extra]))
    wrong = gsi("GSI1", "gsi1pk", "gsi1sk")
    wrong["Projection"] = {"ProjectionType": "SOME"}
    with refused("ProjectionType of GSI 'GSI1' is 'SOME'"):
        t.create_table(definition(GlobalSecondaryIndexes=[wrong]))
    missing = gsi("GSI1", "gsi1pk", "gsi1sk")
    del missing["Projection"]
    with refused("GSI 'GSI1' has no Projection"):
        t.create_table(definition(GlobalSecondaryIndexes=[missing]))


def test_create_table_accepts_include_projections_up_to_100_attributes() -> None:
    index = gsi("GSI1", "gsi1pk", "gsi1sk")
    index["Projection"] = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]}
    assert t.create_table(definition(GlobalSecondaryIndexes=[index])).params[
        "GlobalSecondaryIndexes"
    ] == [index]
    index["Projection"]["NonKeyAttributes"] = [f"a{n}" for n in range(101)]
    with refused("101 NonKeyAttributes", "limit of 100"):
        t.create_table(definition(GlobalSecondaryIndexes=[index]))


# Other table requests.


def test_delete_and_describe_table() -> None:
    assert t.delete_table("T1x") == Request("DeleteTable", {"TableName": "T1x"})
    assert t.describe_table("T1x") == Request("DescribeTable", {"TableName": "T1x"})
    with refused("table name is required"):
        t.delete_table("")


def test_list_tables() -> None:
    assert t.list_tables() == Request("ListTables", {})
    assert t.list_tables(limit=10, exclusive_start_table_name="B").params == {
        "Limit": 10,
        "ExclusiveStartTableName": "B",
    }
    for bad in (0, 101):
        with refused("limit must be between 1 and 100"):
            t.list_tables(limit=bad)


def test_list_all_tables_follows_last_evaluated_table_name() -> None:
    flow = t.list_all_tables()
    assert next(flow) == Request("ListTables", {})
    step = flow.send({"TableNames": ["A", "B"], "LastEvaluatedTableName": "B"})
    assert step == Request("ListTables", {"ExclusiveStartTableName": "B"})
    with pytest.raises(StopIteration) as done:
        flow.send({"TableNames": ["C"]})
    assert done.value.value == ["A", "B", "C"]


# UpdateTable.

NEW_GSI: GlobalSecondaryIndex = {
    "IndexName": "GSI2",
    "KeySchema": [
        {"AttributeName": "gsi2pk", "KeyType": "HASH"},
        {"AttributeName": "gsi2sk", "KeyType": "RANGE"},
    ],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}
ALL_DEFINITIONS = [attr("pk"), attr("sk"), attr("gsi2pk"), attr("gsi2sk")]


def test_update_table_with_every_option() -> None:
    request = t.update_table(
        "T1x",
        attribute_definitions=[attr("pk")],
        billing_mode="PROVISIONED",
        provisioned_throughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        gsi_updates=[t.update_gsi("GSI1", 4, 5)],
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        table_class="STANDARD_INFREQUENT_ACCESS",
        deletion_protection=False,
        sse_specification={"Enabled": True},
    )
    assert request == Request(
        "UpdateTable",
        {
            "TableName": "T1x",
            "AttributeDefinitions": [attr("pk")],
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
            "GlobalSecondaryIndexUpdates": [
                {
                    "Update": {
                        "IndexName": "GSI1",
                        "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 5},
                    }
                }
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            "TableClass": "STANDARD_INFREQUENT_ACCESS",
            "DeletionProtectionEnabled": False,
            "SSESpecification": {"Enabled": True},
        },
    )


def test_update_table_creating_a_gsi_carries_the_full_definitions() -> None:
    request = t.update_table(
        "T1x", attribute_definitions=ALL_DEFINITIONS, gsi_updates=[t.create_gsi(NEW_GSI)]
    )
    assert request.params == {
        "TableName": "T1x",
        "AttributeDefinitions": ALL_DEFINITIONS,
        "GlobalSecondaryIndexUpdates": [{"Create": dict(NEW_GSI)}],
    }


def test_update_table_deleting_a_gsi() -> None:
    assert t.update_table("T1x", gsi_updates=[t.delete_gsi("GSI2")]).params == {
        "TableName": "T1x",
        "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "GSI2"}}],
    }


def test_update_table_refuses_a_gsi_create_without_definitions() -> None:
    with refused("creating GSI 'GSI2' needs attribute_definitions", "every key attribute"):
        t.update_table("T1x", gsi_updates=[t.create_gsi(NEW_GSI)])


def test_update_table_refuses_definitions_lacking_the_new_gsi_keys() -> None:
    with refused("lacks", "'gsi2sk' (used by GSI 'GSI2')"):
        t.update_table(
            "T1x",
            attribute_definitions=[attr("pk"), attr("gsi2pk")],
            gsi_updates=[t.create_gsi(NEW_GSI)],
        )


def test_update_table_allows_one_gsi_create_or_delete() -> None:
    with refused("2 GSI creates/deletes (Create, Delete)", "one per UpdateTable"):
        t.update_table(
            "T1x",
            attribute_definitions=ALL_DEFINITIONS,
            gsi_updates=[t.create_gsi(NEW_GSI), t.delete_gsi("GSI1")],
        )
    many_updates = [t.update_gsi("A12", 1, 1), t.update_gsi("B12", 1, 1), t.delete_gsi("C12")]
    assert (
        len(t.update_table("T1x", gsi_updates=many_updates).params["GlobalSecondaryIndexUpdates"])
        == 3
    )


def test_update_table_refuses_malformed_gsi_updates() -> None:
    with refused("exactly one of 'Create', 'Update' or 'Delete'", "create_gsi"):
        t.update_table("T1x", gsi_updates=[{"Remove": {"IndexName": "X"}}])
    both = {**t.delete_gsi("GSI1"), **t.update_gsi("GSI1", 1, 1)}
    with refused("exactly one of"):
        t.update_table("T1x", gsi_updates=[both])


def test_update_table_refuses_no_change() -> None:
    with refused("no change", "billing_mode"):
        t.update_table("T1x")
    with refused("no change"):
        t.update_table("T1x", attribute_definitions=[attr("pk")], gsi_updates=[])


def test_update_table_checks_billing_changes() -> None:
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    with refused("PAY_PER_REQUEST cannot be combined", "provisioned_throughput"):
        t.update_table("T1x", billing_mode="PAY_PER_REQUEST", provisioned_throughput=throughput)  # type: ignore[arg-type]
    with refused("PROVISIONED needs provisioned_throughput"):
        t.update_table("T1x", billing_mode="PROVISIONED")
    with refused("billing_mode 'FREE'"):
        t.update_table("T1x", billing_mode="FREE")  # type: ignore[arg-type]
    with refused("WriteCapacityUnits of the table", "at least 1"):
        t.update_table(
            "T1x", provisioned_throughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": -1}
        )


def test_update_table_checks_the_stream_view_type() -> None:
    with refused("StreamEnabled=True needs a StreamViewType"):
        t.update_table("T1x", stream_specification={"StreamEnabled": True})
    disabled = t.update_table("T1x", stream_specification={"StreamEnabled": False})
    assert disabled.params["StreamSpecification"] == {"StreamEnabled": False}


def test_gsi_update_builders() -> None:
    assert t.create_gsi(NEW_GSI) == {"Create": dict(NEW_GSI)}
    assert t.update_gsi("GSI1", 10, 20) == {
        "Update": {
            "IndexName": "GSI1",
            "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 20},
        }
    }
    assert t.delete_gsi("GSI1") == {"Delete": {"IndexName": "GSI1"}}


def test_gsi_update_builders_validate() -> None:
    bad = copy.deepcopy(NEW_GSI)
    bad["Projection"] = {"ProjectionType": "INCLUDE"}
    with refused("GSI 'GSI2' projects INCLUDE"):
        t.create_gsi(bad)
    bad = copy.deepcopy(NEW_GSI)
    bad["ProvisionedThroughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}
    with refused("ReadCapacityUnits of GSI 'GSI2'"):
        t.create_gsi(bad)
    with refused("ReadCapacityUnits of GSI 'GSI1'", "at least 1"):
        t.update_gsi("GSI1", 0, 1)
    with refused("index name is required"):
        t.delete_gsi("")


# Waiting.


def described(status: str, *indexes: tuple[str, str]) -> dict[str, Any]:
    table: dict[str, Any] = {"TableName": "T1x", "TableStatus": status}
    if indexes:
        table["GlobalSecondaryIndexes"] = [
            {"IndexName": name, "IndexStatus": state} for name, state in indexes
        ]
    return {"Table": table}


def not_found() -> ResourceNotFoundError:
    return ResourceNotFoundError("Table not found", code="ResourceNotFoundException")


def finish(flow: Generator[Any, Any, Any], response: Any) -> Any:
    with pytest.raises(StopIteration) as done:
        flow.send(response)
    return done.value.value


def test_wait_for_table_active_polls_until_table_and_indexes_are_active() -> None:
    flow = t.wait_for_table_active("T1x", interval=2)
    assert next(flow) == Request("DescribeTable", {"TableName": "T1x"})
    assert flow.throw(not_found()) == Sleep(2)
    assert next(flow) == Request("DescribeTable", {"TableName": "T1x"})
    assert flow.send(described("CREATING")) == Sleep(2)
    assert next(flow) == Request("DescribeTable", {"TableName": "T1x"})
    assert flow.send(described("ACTIVE", ("GSI1", "ACTIVE"), ("GSI2", "CREATING"))) == Sleep(2)
    next(flow)
    active = described("ACTIVE", ("GSI1", "ACTIVE"), ("GSI2", "ACTIVE"))
    assert finish(flow, active) == active["Table"]


def test_wait_for_table_active_returns_at_once_when_active() -> None:
    flow = t.wait_for_table_active("T1x")
    next(flow)
    assert finish(flow, described("ACTIVE")) == described("ACTIVE")["Table"]


def test_wait_for_table_active_times_out_after_the_summed_sleeps() -> None:
    flow = t.wait_for_table_active("T1x", interval=2, timeout=5)
    next(flow)
    updating = described("UPDATING", ("GSI2", "CREATING"))
    sleeps = []
    for _ in range(3):
        step = flow.send(updating)
        assert isinstance(step, Sleep)
        sleeps.append(step.seconds)
        next(flow)
    assert sleeps == [2, 2, 1]
    with pytest.raises(TimeoutError) as error:
        flow.send(updating)
    message = str(error.value)
    for word in ("'T1x'", "ACTIVE", "5 s", "TableStatus UPDATING", "GSI 'GSI2' CREATING"):
        assert word in message


def test_wait_for_table_active_times_out_when_the_table_never_appears() -> None:
    flow = t.wait_for_table_active("T1x", interval=1, timeout=1)
    next(flow)
    assert flow.throw(not_found()) == Sleep(1)
    next(flow)
    with pytest.raises(TimeoutError, match="not found yet"):
        flow.throw(not_found())


def test_wait_for_table_active_reraises_not_found_after_the_table_was_seen() -> None:
    flow = t.wait_for_table_active("T1x")
    next(flow)
    flow.send(described("DELETING"))
    next(flow)
    with pytest.raises(ResourceNotFoundError):
        flow.throw(not_found())


def test_wait_for_table_deleted() -> None:
    flow = t.wait_for_table_deleted("T1x", interval=3)
    assert next(flow) == Request("DescribeTable", {"TableName": "T1x"})
    assert flow.send(described("DELETING")) == Sleep(3)
    assert next(flow) == Request("DescribeTable", {"TableName": "T1x"})
    with pytest.raises(StopIteration) as done:
        flow.throw(not_found())
    assert done.value.value is None


def test_wait_for_table_deleted_times_out() -> None:
    flow = t.wait_for_table_deleted("T1x", interval=1, timeout=0)
    next(flow)
    with pytest.raises(TimeoutError, match="'T1x' was not deleted after waiting 0 s"):
        flow.send(described("DELETING"))


def test_waits_refuse_bad_polling_settings() -> None:
    with refused("interval must be more than 0"):
        next(t.wait_for_table_active("T1x", interval=0))
    with refused("timeout must be 0 seconds or more"):
        next(t.wait_for_table_deleted("T1x", timeout=-1))


# TTL and continuous backups.


def test_time_to_live() -> None:
    assert t.update_time_to_live("T1x", "expires_at") == Request(
        "UpdateTimeToLive",
        {
            "TableName": "T1x",
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires_at"},
        },
    )
    disabled = t.update_time_to_live("T1x", "expires_at", enabled=False)
    assert disabled.params["TimeToLiveSpecification"]["Enabled"] is False
    assert t.describe_time_to_live("T1x") == Request("DescribeTimeToLive", {"TableName": "T1x"})
    with refused("TTL attribute's name"):
        t.update_time_to_live("T1x", "")


def test_continuous_backups() -> None:
    assert t.update_continuous_backups("T1x", enabled=True) == Request(
        "UpdateContinuousBackups",
        {
            "TableName": "T1x",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )
    off = t.update_continuous_backups("T1x", enabled=False).params
    assert off["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": False}
    assert t.describe_continuous_backups("T1x") == Request(
        "DescribeContinuousBackups", {"TableName": "T1x"}
    )


# Backups and restores.

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T1x/backup/01"


def test_backups() -> None:
    assert t.create_backup("T1x", "nightly-1") == Request(
        "CreateBackup", {"TableName": "T1x", "BackupName": "nightly-1"}
    )
    assert t.describe_backup(ARN) == Request("DescribeBackup", {"BackupArn": ARN})
    assert t.delete_backup(ARN) == Request("DeleteBackup", {"BackupArn": ARN})
    assert t.list_backups() == Request("ListBackups", {})
    assert t.list_backups(table="T1x", limit=5, exclusive_start_backup_arn=ARN).params == {
        "TableName": "T1x",
        "Limit": 5,
        "ExclusiveStartBackupArn": ARN,
    }


def test_backups_validate() -> None:
    with refused("BackupName 'no good'"):
        t.create_backup("T1x", "no good")
    with refused("backup_arn is required"):
        t.describe_backup("")
    with refused("backup_arn is required"):
        t.delete_backup("")
    with refused("limit must be between 1 and 100"):
        t.list_backups(limit=0)


def test_restore_table_from_backup() -> None:
    assert t.restore_table_from_backup("T1x-copy", ARN) == Request(
        "RestoreTableFromBackup", {"TargetTableName": "T1x-copy", "BackupArn": ARN}
    )
    overridden = t.restore_table_from_backup("T1x-copy", ARN, billing_mode_override="PROVISIONED")
    assert overridden.params["BillingModeOverride"] == "PROVISIONED"
    with refused("target TableName 'a b'"):
        t.restore_table_from_backup("a b", ARN)


def test_restore_table_to_point_in_time() -> None:
    assert t.restore_table_to_point_in_time("T1x", "T1x-pitr") == Request(
        "RestoreTableToPointInTime",
        {"SourceTableName": "T1x", "TargetTableName": "T1x-pitr", "UseLatestRestorableTime": True},
    )
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    params = t.restore_table_to_point_in_time("T1x", "T1x-pitr", restore_date_time=moment).params
    assert params == {
        "SourceTableName": "T1x",
        "TargetTableName": "T1x-pitr",
        "RestoreDateTime": moment,
    }


def test_restore_table_to_point_in_time_validates() -> None:
    with refused("no timezone", "datetime.now(timezone.utc)"):
        t.restore_table_to_point_in_time(
            "T1x",
            "T1x-pitr",
            restore_date_time=datetime(2024, 5, 1),
        )
    with refused("new table", "other than 'T1x'"):
        t.restore_table_to_point_in_time("T1x", "T1x")


# Tags.

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T1x"


def test_tags() -> None:
    assert t.tag_resource(TABLE_ARN, {"env": "test", "team": "core"}) == Request(
        "TagResource",
        {
            "ResourceArn": TABLE_ARN,
            "Tags": [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "core"}],
        },
    )
    assert t.untag_resource(TABLE_ARN, ("env",)) == Request(
        "UntagResource", {"ResourceArn": TABLE_ARN, "TagKeys": ["env"]}
    )
    assert t.list_tags_of_resource(TABLE_ARN) == Request(
        "ListTagsOfResource", {"ResourceArn": TABLE_ARN}
    )
    assert t.list_tags_of_resource(TABLE_ARN, next_token="n1").params["NextToken"] == "n1"


def test_tags_validate() -> None:
    with refused("at least one tag"):
        t.tag_resource(TABLE_ARN, {})
    with refused("51 tags", "limit of 50"):
        t.tag_resource(TABLE_ARN, {f"k{n}": "v" for n in range(51)})
    with refused("tag keys must not be empty"):
        t.tag_resource(TABLE_ARN, {"": "v"})
    with refused("resource_arn is required"):
        t.tag_resource("", {"a": "b"})
    with refused("not the string 'env'", "['env']"):
        t.untag_resource(TABLE_ARN, "env")
    with refused("at least one tag key"):
        t.untag_resource(TABLE_ARN, [])


# Contributor Insights.


def test_contributor_insights() -> None:
    assert t.update_contributor_insights("T1x", enabled=True) == Request(
        "UpdateContributorInsights", {"TableName": "T1x", "ContributorInsightsAction": "ENABLE"}
    )
    assert t.update_contributor_insights("T1x", enabled=False, index="GSI1").params == {
        "TableName": "T1x",
        "ContributorInsightsAction": "DISABLE",
        "IndexName": "GSI1",
    }
    assert t.describe_contributor_insights("T1x") == Request(
        "DescribeContributorInsights", {"TableName": "T1x"}
    )
    assert t.describe_contributor_insights("T1x", index="GSI1").params["IndexName"] == "GSI1"
