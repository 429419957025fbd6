"""A model may not use a name the key scheme writes on every item (pk, sk, _et, gsi{n}pk...):
it is refused when it is defined, naming the model, the attribute and the fix, and the rest of
its registry keeps working."""

import re
import uuid
from collections.abc import Iterator

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute, define_model
from dynamodb_tooling.schema import (
    ModelDefinition,
    Registry,
    RelationDefinition,
    SchemaError,
    Traits,
)
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.transformer import EntityTransformer

RESERVED = ["pk", "sk", "_et", "_d", "gsi1pk", "gsi2sk", "gsi20pk", "lsi1sk", "lsi5sk"]


def good_registry() -> Registry:
    registry = Registry(validate_config())
    registry.register(
        ModelDefinition("Note", "NOTE", attributes=(make_attribute("body", "string"),))
    )
    return registry


def assert_still_usable(registry: Registry) -> None:
    assert [m.name for m in registry.models] == ["Note"]
    item = EntityTransformer(registry).to_item("Note", {"id": "n1", "body": "hi"})
    assert item == {"pk": "NOTE#n1", "sk": "NOTE#n1", "_et": "Note", "id": "n1", "body": "hi"}
    assert registry.table_definition()["TableName"]


@pytest.mark.parametrize("name", RESERVED)
def test_a_reserved_attribute_name_is_refused_when_the_model_registers(name: str) -> None:
    registry = good_registry()
    bad = ModelDefinition("Clash", "CLASH", attributes=(make_attribute(name, "string"),))
    with pytest.raises(SchemaError) as caught:
        registry.register(bad)
    message = str(caught.value)
    assert message.startswith(f"Clash.{name} uses the name {name!r}, which is ")
    assert "rename it" in message
    assert_still_usable(registry)


def test_the_message_says_what_the_name_is_for() -> None:
    registry = good_registry()
    with pytest.raises(SchemaError) as caught:
        registry.register(
            ModelDefinition("Clash", "CLASH", attributes=(make_attribute("gsi1pk", "string"),))
        )
    assert str(caught.value) == (
        "Clash.gsi1pk uses the name 'gsi1pk', which is the partition key of GSI 1 "
        "(gsi_pk_pattern) of the single-table design; the library writes it on every item, so "
        "Clash cannot use it — rename it (e.g. 'gsi1pk_value') or configure another name under "
        "single_table_design"
    )


@pytest.mark.parametrize(
    ("definition", "start"),
    [
        (ModelDefinition("Clash", "CLASH", primary_key="pk"), "Clash's primary key 'pk' uses"),
        (
            ModelDefinition(
                "Clash",
                "CLASH",
                relations=(RelationDefinition("note", "belongs_to", "Note", "sk"),),
            ),
            "Clash.note's foreign key 'sk' uses",
        ),
        (
            ModelDefinition(
                "Clash",
                "CLASH",
                relations=(RelationDefinition("notes", "has_many", "Note", "gsi2pk"),),
            ),
            "Clash.notes's foreign key 'gsi2pk' (on Note) uses",
        ),
        (
            ModelDefinition("Clash", "CLASH", traits=Traits(ttl=True, ttl_attribute="_et")),
            "Clash's TTL attribute '_et' uses",
        ),
    ],
)
def test_keys_foreign_keys_and_ttl_names_are_checked_too(
    definition: ModelDefinition, start: str
) -> None:
    registry = good_registry()
    with pytest.raises(SchemaError, match=f"^{re.escape(start)}"):
        registry.register(definition)
    assert_still_usable(registry)


def test_configured_names_are_the_reserved_ones() -> None:
    config = validate_config(
        {"single_table_design": {"partition_key_name": "PK", "gsi_pk_pattern": "GSI{n}PK"}}
    )
    registry = Registry(config)
    registry.register(ModelDefinition("Fine", "FINE", attributes=(make_attribute("pk", "string"),)))
    with pytest.raises(SchemaError, match=r"^Clash\.GSI3PK uses the name 'GSI3PK'"):
        registry.register(
            ModelDefinition("Clash", "CLASH", attributes=(make_attribute("GSI3PK", "string"),))
        )


def test_the_version_attribute_is_reserved_only_for_versioned_models() -> None:
    registry = good_registry()
    plain = ModelDefinition("Doc", "DOC", attributes=(make_attribute("_v", "integer"),))
    registry.register(plain)  # not versioned: _v is an ordinary attribute
    versioned = ModelDefinition(
        "Ledger",
        "LEDGER",
        attributes=(make_attribute("_v", "integer"),),
        traits=Traits(versioning=True),
    )
    with pytest.raises(SchemaError, match=r"^Ledger\._v uses the name '_v', which is the version"):
        registry.register(versioned)
    assert "Ledger" not in registry


def test_a_class_body_is_refused_at_class_creation_and_not_registered() -> None:
    registry = Registry(validate_config())

    class Team(Model, registry=registry):
        name: str

    with pytest.raises(SchemaError, match=r"^Player\.gsi1sk uses the name 'gsi1sk'"):

        class Player(Model, registry=registry):
            gsi1sk: str
            team = BelongsTo(Team)

    with pytest.raises(SchemaError, match=r"^Member\.team's foreign key 'pk' uses"):

        class Member(Model, registry=registry):
            team = BelongsTo(Team, foreign_key="pk")

    assert [m.name for m in registry.models] == ["Team"]
    assert Team(name="Core", id="t1").to_item()["pk"] == "TEAM#t1"


def test_a_stacks_dict_is_refused_too() -> None:
    registry = Registry(validate_config())
    with pytest.raises(SchemaError, match=r"^Shadow\._et uses the name '_et'"):
        define_model(
            {"name": "Shadow", "attributes": {"_et": {"type": "string"}}}, registry=registry
        )
    assert "Shadow" not in registry


def test_a_clash_introduced_by_a_later_config_change_fails_before_any_key_is_built() -> None:
    registry = Registry(validate_config())
    registry.register(ModelDefinition("Doc", "DOC", attributes=(make_attribute("hk", "string"),)))
    registry._config = validate_config({"single_table_design": {"partition_key_name": "hk"}})
    with pytest.raises(SchemaError, match=r"^Doc\.hk uses the name 'hk', which the key scheme"):
        _ = registry.keys


# --- against the engine -----------------------------------------------------------------------


@pytest.fixture
def config(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[Config]:
    config = validate_config(dynamodb_config, default_table_name=f"rsv-{uuid.uuid4().hex[:10]}")
    set_config(config)
    yield config
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


@pytest.mark.integration
def test_a_refused_model_leaves_the_registry_writing(
    config: Config, dynamodb_client: DynamoDBClient
) -> None:
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        members = HasMany("Member")

    with pytest.raises(SchemaError, match=r"^Member\.pk uses the name 'pk'"):

        class Member(Model, registry=registry):
            pk: str = attribute(unique=True)
            team = BelongsTo(Team)

    class Member(Model, registry=registry):  # type: ignore[no-redef]
        email: str = attribute(unique=True)
        team = BelongsTo(Team)

    table = config.default_table_name
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(table, interval=0.1)
    team = Team.create(name="Core")
    member = Member.create(email="ada@example.com", team_id=team.id)
    stored = [unmarshall_item(i) for i in dynamodb_client.scan_all(table).items]
    assert sorted(i["pk"] for i in stored) == sorted(
        [f"TEAM#{team.id}", f"MEMBER#{member.id}", "_UNIQUE#MEMBER#email#ada@example.com"]
    )
    assert Member.find(member.id).email == "ada@example.com"
