"""Models in their own table (``table=``), server-free: which table each model lives in,
each table's definition and summary, the Stacks spelling, the cross-table relations that
are refused, and the table every compiled request names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dynamodb_tooling.config import use_config, validate_config
from dynamodb_tooling.migrations.snapshot import build_snapshot
from dynamodb_tooling.migrations.tables import table_targets
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    Model,
    MorphedByMany,
    MorphToMany,
    attribute,
)
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema.stacks import register_stacks_model
from dynamodb_tooling.testing.stub import StubExecutor, use_executor

CONFIG = validate_config(table_name_prefix="dev_", default_table_name="App")


def _models(registry: Registry) -> dict[str, Any]:
    class Account(Model, registry=registry):
        email: str = attribute(unique=True)
        events = HasMany("AuditEvent")

    class AuditEvent(Model, registry=registry, table="Audit"):
        action: str = attribute(index=True)
        token: str | None = attribute(unique=True, default=None)
        account = BelongsTo(Account)

    class AuditNote(Model, registry=registry, table="Audit"):
        body: str
        event = BelongsTo(AuditEvent, collection=True, sort_by="created_at")

    return {"Account": Account, "AuditEvent": AuditEvent, "AuditNote": AuditNote}


@pytest.fixture
def registry() -> Registry:
    found = Registry(CONFIG)
    _models(found)
    return found


def test_the_registry_says_which_table_each_model_lives_in(registry: Registry) -> None:
    assert registry.tables() == {
        "dev_App": ("Account",),
        "dev_Audit": ("AuditEvent", "AuditNote"),
    }
    assert registry.table_name() == "dev_App"
    assert registry.table_name("Account") == "dev_App"
    assert registry.table_name("AuditNote") == "dev_Audit"


def test_each_table_has_its_own_definition(registry: Registry) -> None:
    definitions = registry.table_definitions()
    assert list(definitions) == ["dev_App", "dev_Audit"]
    main, audit = definitions.values()
    assert main == registry.table_definition()
    assert audit == registry.table_definition("Audit")
    assert (main["TableName"], audit["TableName"]) == ("dev_App", "dev_Audit")
    # The LSI sorting the collection exists only where the collection lives.
    assert "LocalSecondaryIndexes" not in main
    assert [i["IndexName"] for i in audit["LocalSecondaryIndexes"]] == ["LSI1"]
    # The same overloaded GSIs in both: the same key scheme in every table.
    assert main["GlobalSecondaryIndexes"] == audit["GlobalSecondaryIndexes"]
    # Any other name still renames the main table (as before).
    assert registry.table_definition("Other")["TableName"] == "dev_Other"
    assert "LocalSecondaryIndexes" not in registry.table_definition("Other")


def test_a_registry_without_table_options_is_unchanged() -> None:
    registry = Registry(CONFIG)

    class Solo(Model, registry=registry):
        name: str

    assert registry.tables() == {"dev_App": ("Solo",)}
    assert registry.table_schema() is registry.schema
    assert list(registry.table_definitions().values()) == [registry.table_definition()]
    assert registry.summary().startswith("Table dev_App\n")
    assert "Table dev_Audit" not in registry.summary()


def test_the_summary_has_a_section_per_table(registry: Registry) -> None:
    summary = registry.summary()
    main, audit = summary.split("\nTable ")
    assert main.startswith("Table dev_App\n")
    assert "Account: pk=ACCOUNT#<id>" in main
    assert "AuditEvent" not in main.split("Entities:")[1]
    assert audit.startswith("dev_Audit\n")
    assert "AuditEvent by account (gsi1pk=ACCOUNT#<account_id>" in audit
    assert "AuditNote: pk=AUDITEVENT#<audit_event_id>" in audit
    assert "AuditEvent.token: pk=sk=_UNIQUE#AUDITEVENT#token#<token>" in audit


def test_the_stacks_dynamodb_table_property_is_the_class_option() -> None:
    classes, stacks = Registry(CONFIG), Registry(CONFIG)
    _models(classes)
    register_stacks_model(
        {"name": "Account", "hasMany": ["AuditEvent"], "attributes": {"email": {"unique": True}}},
        stacks,
    )
    register_stacks_model(
        {
            "name": "AuditEvent",
            "dynamodbTable": "Audit",
            "belongsTo": ["Account"],
            "attributes": {"action": {"index": True}, "token": {"unique": True}},
        },
        stacks,
    )
    register_stacks_model(
        {
            "name": "AuditNote",
            "dynamodb_table": "Audit",
            "belongsTo": [{"model": "AuditEvent", "collection": True, "sortBy": "created_at"}],
            "attributes": {"body": {}},
        },
        stacks,
    )
    assert stacks.model("AuditEvent").table == "Audit"
    assert stacks.tables() == classes.tables()
    assert stacks.table_definitions() == classes.table_definitions()


def test_the_stacks_table_property_is_ignored_and_noted() -> None:
    """Stacks' ``table: 'users'`` is the model's SQL table: "ignored (single table design)",
    so Stacks models work as they are and all live in the main table."""
    plain, with_table = Registry(CONFIG), Registry(CONFIG)
    for registry, extra in ((plain, {}), (with_table, {"table": "users"})):
        register_stacks_model(
            {"name": "Account", **extra, "attributes": {"email": {"unique": True}}}, registry
        )
        register_stacks_model({"name": "Post", **extra, "belongsTo": ["Account"]}, registry)
    account = with_table.model("Account")
    assert account.table is None
    assert any("table 'users' ignored" in note for note in account.notes)
    assert with_table.tables() == plain.tables()
    assert list(with_table.tables()) == [with_table.table_name()]
    assert with_table.table_definitions() == plain.table_definitions()


@pytest.mark.parametrize(
    ("declare", "fragments"),
    [
        (
            "collection",
            [
                "Line.order: a collection child (collection=True)",
                "Line is in table dev_Lines and Order in dev_App",
                "give both the same table=, or drop collection=True",
            ],
        ),
        (
            "many_to_many",
            [
                "many-to-many edges (RoleUser) live in one table",
                "give both the same table=",
                "BelongsTo('Role') and BelongsTo('User')",
            ],
        ),
        (
            "morph_many_to_many",
            [
                "polymorphic many-to-many edges (taggable) live in one table",
                "Post in dev_Posts",
                "give them the same table=",
            ],
        ),
    ],
)
def test_relations_that_cannot_span_tables_are_refused(declare: str, fragments: list[str]) -> None:
    registry = Registry(CONFIG)
    if declare == "collection":

        class Order(Model, registry=registry):
            total: int

        class Line(Model, registry=registry, table="Lines"):
            order = BelongsTo(Order, collection=True)

    elif declare == "many_to_many":

        class Role(Model, registry=registry):
            users = BelongsToMany("User")

        class User(Model, registry=registry, table="Users"):
            roles = BelongsToMany("Role")

    else:

        class Tag(Model, registry=registry):
            posts = MorphedByMany("Post", name="taggable")

        class Post(Model, registry=registry, table="Posts"):
            tags = MorphToMany("Tag", name="taggable")

    with pytest.raises(SchemaError) as refused:
        registry.schema  # noqa: B018 - resolving checks the relations
    for fragment in fragments:
        assert fragment in str(refused.value)


@pytest.mark.parametrize(
    ("table", "settings", "why"),
    [
        ("ab", {}, "'ab' must be 3 to 255 characters long"),
        ("AuditEventsOfEveryTenant", {"table_name_prefix": "x" * 240}, "3 to 255 characters"),
    ],
)
def test_a_full_table_name_dynamodb_refuses_is_named_when_the_registry_resolves(
    table: str, settings: dict[str, Any], why: str
) -> None:
    registry = Registry(validate_config(**settings))

    class Log(Model, registry=registry, table=table):
        name: str

    with pytest.raises(SchemaError) as refused:
        registry.schema  # noqa: B018 - resolving checks the table names
    assert f"Log: table={table!r} names table" in str(refused.value)
    assert why in str(refused.value)


def test_an_invalid_table_name_is_refused_at_definition() -> None:
    with pytest.raises(SchemaError, match=r"Bad: table='a b' is not a DynamoDB table name"):

        class Bad(Model, registry=Registry(CONFIG), table="a b"):
            name: str


def test_every_compiled_request_names_the_models_table() -> None:
    models = _models(Registry(CONFIG))
    Account, AuditEvent = models["Account"], models["AuditEvent"]
    with use_config(CONFIG), use_executor(StubExecutor()) as stub:
        account = Account.create(email="ada@example.com")
        event = AuditEvent.create(action="login", token="t", account_id=account.id)
        AuditEvent.find(event.id)
        AuditEvent.where("account_id", account.id).get()
        AuditEvent.where("action", "login").get()
        event.update(token="u")
        event.delete()
        models["AuditNote"].insert_many([{"body": "bulk", "audit_event_id": event.id}])
        assert AuditEvent.where("account_id", "a1").to_params()["TableName"] == "dev_Audit"
        assert AuditEvent.where("action", "x").explain().table == "dev_Audit"
    named = []
    for request in stub.requests:
        params = request.params
        if request.operation == "TransactWriteItems":
            named.append(
                (
                    request.operation,
                    sorted({next(iter(a.values()))["TableName"] for a in params["TransactItems"]}),
                )
            )
        elif request.operation == "BatchWriteItem":
            named.append((request.operation, sorted(params["RequestItems"])))
        else:
            named.append((request.operation, [params["TableName"]]))
    assert named == [
        ("TransactWriteItems", ["dev_App"]),  # the account and its email sentinel
        ("TransactWriteItems", ["dev_Audit"]),  # the event and its token sentinel
        ("GetItem", ["dev_Audit"]),
        ("Query", ["dev_Audit"]),
        ("Query", ["dev_Audit"]),
        ("TransactWriteItems", ["dev_Audit"]),  # the sentinel moves in the event's table
        ("TransactWriteItems", ["dev_Audit"]),
        ("BatchWriteItem", ["dev_Audit"]),
    ]


def test_each_table_migrates_its_own_snapshot(registry: Registry) -> None:
    assert table_targets(registry) == [None, "Audit"]
    assert table_targets(registry, "Audit") == ["Audit"]
    assert table_targets(registry, "Shop") == ["Shop"]
    main, audit = build_snapshot(registry), build_snapshot(registry, "Audit")
    assert sorted(main.entities) == ["Account"]
    assert sorted(audit.entities) == ["AuditEvent", "AuditNote"]
    assert main.table_name == "dev_App"
    assert audit.table_name == "dev_Audit"
    assert {p["entity"] for p in audit.patterns} == {"AuditEvent", "AuditNote"}
    assert audit.definition == registry.table_definition("Audit")


def test_access_patterns_say_where_each_model_lives(registry: Registry) -> None:
    patterns = registry.access_patterns()
    assert patterns.tables == {
        "Account": "dev_App",
        "AuditEvent": "dev_Audit",
        "AuditNote": "dev_Audit",
    }
    assert json.loads(patterns.to_json())["tables"]["AuditNote"] == "dev_Audit"
    markdown = patterns.to_markdown()
    assert "## AuditEvent\n\nIn table `dev_Audit`." in markdown
    solo = Registry(CONFIG)

    class Lone(Model, registry=solo):
        name: str

    assert "tables" not in json.loads(solo.access_patterns().to_json())
    assert "In table" not in solo.access_patterns().to_markdown()
