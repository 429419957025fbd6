"""Models in their own table (``table=``) against the engine: each model's items, unique
sentinels and collections land in its table; finds, queries, relations across the two
tables, eager loading, transactions and bulk writes use the right one."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, full_table_name, use_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import UniqueConstraintError
from dynamodb_tooling.orm import (
    BelongsTo,
    HasMany,
    HasOne,
    Model,
    MorphMany,
    MorphTo,
    attribute,
    transaction,
)
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def models() -> dict[str, Any]:
    registry = Registry()  # follows the active configuration (the test's tables)

    class Account(Model, registry=registry):
        email: str = attribute(unique=True)
        events = HasMany("AuditEvent")
        latest = HasOne("Login")

    class AuditEvent(Model, registry=registry, table="Audit"):
        action: str
        token: str | None = attribute(unique=True, default=None)
        account = BelongsTo(Account)
        notes = HasMany("AuditNote", collection=True)

    class AuditNote(Model, registry=registry, table="Audit"):
        body: str

    class Login(Model, registry=registry, table="Audit"):
        at: str
        account = BelongsTo(Account)

    return {
        "registry": registry,
        "Account": Account,
        "AuditEvent": AuditEvent,
        "AuditNote": AuditNote,
        "Login": Login,
    }


@pytest.fixture
def dynamodb_registry(models: dict[str, Any]) -> Registry:
    registry: Registry = models["registry"]
    return registry


def _items(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    request = Request("Scan", {"TableName": table, "ConsistentRead": True})
    return [item for page in client.iter_pages(request) for item in page.get("Items", ())]


def _types(client: DynamoDBClient, table: str) -> list[str]:
    """The entity type of each item; a unique sentinel by its key (``_UNIQUE#...``)."""
    found = []
    for item in _items(client, table):
        kind = item["_et"]["S"]
        found.append(item["pk"]["S"] if kind.startswith("_") else kind)
    return sorted(found)


def test_each_model_is_written_to_and_read_from_its_own_table(
    models: dict[str, Any], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    Account, AuditEvent = models["Account"], models["AuditEvent"]
    audit = full_table_name("Audit")
    assert audit != dynamodb_table
    assert audit.startswith("Audit-")

    ada = Account.create(email="ada@example.com")
    event = AuditEvent.create(action="login", token="t-1", account_id=ada.id)

    assert _types(dynamodb_client, dynamodb_table) == [
        "Account",
        "_UNIQUE#ACCOUNT#email#ada@example.com",
    ]
    assert _types(dynamodb_client, audit) == ["AuditEvent", "_UNIQUE#AUDITEVENT#token#t-1"]
    with record_requests() as sent:
        assert AuditEvent.find(event.id).action == "login"
        assert AuditEvent.where("token", "t-1").first().id == event.id
        assert Account.find(ada.id).email == ada.email
    assert [(r.operation, r.params["TableName"]) for r in sent] == [
        ("GetItem", audit),
        ("GetItem", audit),  # the sentinel lives in the model's table
        ("GetItem", audit),
        ("GetItem", dynamodb_table),
    ]


def test_unique_values_are_enforced_in_the_models_table(
    models: dict[str, Any], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    AuditEvent = models["AuditEvent"]
    first = AuditEvent.create(action="a", token="same")
    with pytest.raises(UniqueConstraintError):
        AuditEvent.create(action="b", token="same")
    first.update(token="other")
    first.delete()
    assert _items(dynamodb_client, full_table_name("Audit")) == []


def test_relations_across_tables_work_both_ways_and_eager(
    models: dict[str, Any], dynamodb_table: str
) -> None:
    Account, AuditEvent, Login = models["Account"], models["AuditEvent"], models["Login"]
    ada = Account.create(email="ada@example.com")
    bob = Account.create(email="bob@example.com")
    for action in ("login", "logout"):
        AuditEvent.create(action=action, account_id=ada.id)
    AuditEvent.create(action="login", account_id=bob.id)
    Login.create(at="2026-01-01", account_id=ada.id)

    assert sorted(e.action for e in ada.events) == ["login", "logout"]
    assert ada.events.where("action", "logout").count() == 1
    event = AuditEvent.where("account_id", bob.id).first()
    assert event.account.email == "bob@example.com"
    assert ada.latest.at == "2026-01-01"

    with record_requests() as sent:
        loaded = Account.where_in("id", [ada.id, bob.id]).with_("events", "latest").get()
    assert {a.email: len(a.events) for a in loaded} == {
        "ada@example.com": 2,
        "bob@example.com": 1,
    }
    audit = full_table_name("Audit")
    tables = {r.params.get("TableName") for r in sent if r.operation == "Query"}
    assert tables == {audit}
    with record_requests() as sent:
        events = AuditEvent.where_in("account_id", [ada.id, bob.id]).with_("account").get()
    assert {e.account.email for e in events} == {"ada@example.com", "bob@example.com"}
    reads = [r for r in sent if r.operation in ("BatchGetItem", "GetItem")]
    assert reads
    for read in reads:
        assert set(read.params.get("RequestItems") or [read.params["TableName"]]) == {
            dynamodb_table
        }


def test_a_collection_in_the_extra_table_is_one_query_there(
    models: dict[str, Any], dynamodb_table: str
) -> None:
    AuditEvent = models["AuditEvent"]
    event = AuditEvent.create(action="login")
    event.notes.create(body="first")
    event.notes.create(body="second")
    with record_requests() as sent:
        found = AuditEvent.with_("notes").find(event.id)
    assert sorted(n.body for n in found.notes) == ["first", "second"]
    assert [(r.operation, r.params["TableName"]) for r in sent] == [
        ("Query", full_table_name("Audit"))
    ]


def test_a_transaction_writes_to_both_tables_at_once(
    models: dict[str, Any], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    Account, AuditEvent = models["Account"], models["AuditEvent"]
    with record_requests() as sent, transaction():
        ada = Account.create(email="ada@example.com")
        AuditEvent.create(action="signup", account_id=ada.id)
    (request,) = [r for r in sent if r.operation == "TransactWriteItems"]
    tables = {next(iter(a.values()))["TableName"] for a in request.params["TransactItems"]}
    assert tables == {dynamodb_table, full_table_name("Audit")}
    assert Account.find(ada.id) is not None
    assert [e.action for e in ada.events] == ["signup"]


def test_bulk_writes_go_to_the_models_table(
    models: dict[str, Any], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    Login = models["Login"]
    Login.insert_many([{"at": f"2026-01-0{n}"} for n in range(1, 6)])
    assert Login.query().force_scan().count() == 5
    assert _types(dynamodb_client, full_table_name("Audit")) == ["Login"] * 5
    assert _items(dynamodb_client, dynamodb_table) == []


def test_a_polymorphic_one_to_many_works_across_tables(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    registry = Registry()

    class Article(Model, registry=registry):
        title: str
        comments = MorphMany("Remark", name="remarkable")

    class Remark(Model, registry=registry, table="Remarks"):
        body: str
        remarkable = MorphTo()

    config = validate_config(
        dynamodb_config, default_table_name="test-morph", table_name_suffix=f"-{uuid4().hex[:12]}"
    )
    with use_config(config):
        definitions = registry.table_definitions()
        try:
            for definition in definitions.values():
                dynamodb_client.create_table(definition)
            for name in definitions:
                dynamodb_client.wait_for_table_active(name, interval=0.05)
            article = Article.create(title="Tables")
            article.comments.create(body="nice")
            with record_requests() as sent:
                (remark,) = list(article.comments)
                assert remark.remarkable.title == "Tables"
            assert [r.params["TableName"] for r in sent] == [
                full_table_name("Remarks"),
                full_table_name(),
            ]
        finally:
            for name in definitions:
                dynamodb_client.delete_table(name)
