"""AppTable and the write tracker against the engine: what each cleanup deletes, and what
it leaves (session data, a module's kept data); the keys a write request names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling import Model, attribute
from dynamodb_tooling.config import Config, full_table_name
from dynamodb_tooling.drivers import DynamoDBClient, get_client
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ConfigError,
    ServerError,
    UniqueConstraintError,
)
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.testing import assert_inserted, assert_not_inserted, plugin
from dynamodb_tooling.testing.app_table import AppTable
from dynamodb_tooling.testing.tracking import WriteTracker, key_of, written_keys

REGISTRY = Registry()


class Gizmo(Model, registry=REGISTRY):
    serial: str = attribute(unique=True)
    label: str = ""


def _open(client: DynamoDBClient, config: Config, cleanup: Any = "tracked") -> AppTable:
    assert config.endpoint is not None
    options = {**plugin._endpoint_options(config.endpoint), "region": config.region}
    options["driver"] = config.driver
    return AppTable(
        client, REGISTRY, make_driver=plugin._driver_for, options=options, cleanup=cleanup
    )


@pytest.fixture
def app(dynamodb_client: DynamoDBClient, dynamodb_config: Config) -> Iterator[AppTable]:
    with _open(dynamodb_client, dynamodb_config) as table:
        yield table


@pytest.mark.integration
def test_the_orm_writes_to_the_app_table_and_cleaning_deletes_exactly_that(
    app: AppTable, dynamodb_client: DynamoDBClient
) -> None:
    assert full_table_name() == app.name
    with app.untracked():
        Gizmo.create(serial="session")  # session-long data
    kept = Gizmo.create(serial="module")
    app.keep_for_module()
    Gizmo.create(serial="test-1")
    rows = [{"pk": f"RAW#{n}", "sk": "RAW", "n": n} for n in range(60)]
    get_client().batch_write({app.name: [put(row) for row in rows]})  # concurrent batches
    assert app.item_count() == 2 * 3 + 60

    assert app.clean_test() == 2 + 60  # test-1 and its unique sentinel, the raw rows
    assert_inserted(Gizmo, serial="session")
    assert_inserted(Gizmo, serial="module")
    assert_not_inserted(Gizmo, serial="test-1")
    with pytest.raises(UniqueConstraintError):
        Gizmo.create(serial="session")  # refused: its key is not noted...
    assert app.clean_test() == 0  # ...so the session's sentinel is not deleted
    assert app.clean_module() == 2
    assert_not_inserted(Gizmo, serial="module")
    assert app.item_count() == 2  # the session's gizmo and its sentinel
    assert kept.serial == "module"


@pytest.mark.integration
def test_a_partiql_write_makes_the_next_cleaning_a_truncate(app: AppTable) -> None:
    Gizmo.create(serial="a")
    get_client().execute(
        Request(
            "ExecuteStatement",
            {"Statement": f"INSERT INTO \"{app.name}\" VALUE {{'pk': 'P', 'sk': 'S'}}"},
        )
    )
    assert app.item_count() == 3
    app.clean_test()
    assert app.item_count() == 0


@pytest.mark.integration
def test_the_scan_mode_truncates(dynamodb_client: DynamoDBClient, dynamodb_config: Config) -> None:
    with _open(dynamodb_client, dynamodb_config, cleanup="scan") as app:
        with app.untracked():
            Gizmo.create(serial="untracked")
        assert app.clean_test() == 2
        assert app.item_count() == 0
    assert app.name not in dynamodb_client.list_all_tables()


def test_an_unknown_cleanup_mode_is_refused(dynamodb_client: DynamoDBClient) -> None:
    with pytest.raises(ConfigError, match="'wipe' is not a cleanup mode; use 'tracked' or 'scan'"):
        AppTable(dynamodb_client, REGISTRY, cleanup="wipe")  # type: ignore[arg-type]


KEYS = ("pk", "sk")


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": pk}}


def test_written_keys_of_every_write_operation() -> None:
    item = {**_key("A"), "x": {"N": "1"}}
    cases = [
        Request("PutItem", {"TableName": "T", "Item": item}),
        Request("UpdateItem", {"TableName": "T", "Key": _key("B")}),
        Request("DeleteItem", {"TableName": "T", "Key": _key("C")}),
        Request(
            "BatchWriteItem",
            {
                "RequestItems": {
                    "T": [
                        {"PutRequest": {"Item": _key("D")}},
                        {"DeleteRequest": {"Key": _key("E")}},
                    ],
                    "Other": [{"PutRequest": {"Item": _key("X")}}],
                }
            },
        ),
        Request(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "T", "Item": _key("F")}},
                    {"ConditionCheck": {"TableName": "T", "Key": _key("G")}},
                    {"Update": {"TableName": "Other", "Key": _key("X")}},
                ]
            },
        ),
        Request("PutItem", {"TableName": "Other", "Item": item}),
        Request("GetItem", {"TableName": "T", "Key": _key("H")}),
    ]
    found = [k for request in cases for k in written_keys(request, "T", KEYS)]
    assert [key_of(k)["pk"]["S"] for k in found] == ["A", "B", "C", "D", "E", "F"]
    assert key_of(found[0]) == _key("A")


class _Driver:
    """Answers every request, or raises ``error``."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def execute(self, request: Request) -> dict[str, Any]:
        if self.error is not None:
            raise self.error
        return {}

    async def aexecute(self, request: Request) -> dict[str, Any]:
        return self.execute(request)


def test_only_writes_that_may_have_happened_are_noted() -> None:
    tracker = WriteTracker("T", KEYS)
    put_a = Request("PutItem", {"TableName": "T", "Item": _key("A")})
    tracker.wrap(_Driver()).execute(put_a)  # type: ignore[arg-type]
    refused = tracker.wrap(_Driver(ConditionalCheckFailedError("no")))  # type: ignore[arg-type]
    with pytest.raises(ConditionalCheckFailedError):
        refused.execute(Request("PutItem", {"TableName": "T", "Item": _key("B")}))
    unknown = tracker.wrap(_Driver(ServerError("boom")))  # type: ignore[arg-type]
    with pytest.raises(ServerError):
        unknown.execute(Request("PutItem", {"TableName": "T", "Item": _key("C")}))
    after_unknown = ConditionalCheckFailedError("no")
    after_unknown.after_unknown_outcome = True  # an earlier attempt may have written it
    with pytest.raises(ConditionalCheckFailedError):
        tracker.wrap(_Driver(after_unknown)).execute(  # type: ignore[arg-type]
            Request("PutItem", {"TableName": "T", "Item": _key("E")})
        )
    tracker.paused += 1
    tracker.wrap(_Driver()).execute(Request("PutItem", {"TableName": "T", "Item": _key("D")}))  # type: ignore[arg-type]
    keys, unreadable = tracker.take()
    assert sorted(key_of(k)["pk"]["S"] for k in keys) == ["A", "C", "E"]
    assert not unreadable
    assert tracker.take() == (set(), False)
