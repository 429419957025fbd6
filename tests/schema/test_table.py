"""The CreateTable request, TTL, summary and warnings derived from a registry."""

from typing import Any

import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.requests.tables import create_table
from dynamodb_tooling.schema import ModelDefinition, Registry, RelationDefinition, Traits
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.naming import make_attribute as attr
from dynamodb_tooling.schema.table import (
    placeholder,
    schema_warnings,
    table_definition,
    ttl_specification,
)
from tests.schema import blog


def make_registry(*extra: ModelDefinition, **options: Any) -> Registry:
    registry = Registry(validate_config(**options))
    for definition in (*blog.BLOG, *extra):
        registry.register(definition)
    return registry


def key_schema(hash_key: str, range_key: str) -> list[dict[str, str]]:
    return [
        {"AttributeName": hash_key, "KeyType": "HASH"},
        {"AttributeName": range_key, "KeyType": "RANGE"},
    ]


def gsi(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "IndexName": f"GSI{n}",
        "KeySchema": key_schema(f"gsi{n}pk", f"gsi{n}sk"),
        "Projection": {"ProjectionType": "ALL"},
        **extra,
    }


def definitions(*names: str) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


BLOG_TABLE: dict[str, Any] = {
    "TableName": "MainTable",
    "KeySchema": key_schema("pk", "sk"),
    "AttributeDefinitions": definitions(
        "pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "lsi1sk"
    ),
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [gsi(1), gsi(2)],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "LSI1",
            "KeySchema": key_schema("pk", "lsi1sk"),
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "TableClass": "STANDARD",
    "DeletionProtectionEnabled": False,
}


def test_blog_table_with_default_config() -> None:
    definition = make_registry().table_definition()
    assert definition == BLOG_TABLE
    assert list(definition) == list(BLOG_TABLE)
    create_table(definition)  # passes the request checks DynamoDB would make


def test_registry_and_function_agree_and_name_gets_prefix_and_suffix() -> None:
    registry = make_registry(table_name_prefix="dev_", table_name_suffix="_v2")
    assert registry.table_definition()["TableName"] == "dev_MainTable_v2"
    assert registry.table_definition("Blog")["TableName"] == "dev_Blog_v2"
    assert table_definition(registry.schema, registry.config, "Blog") == (
        registry.table_definition("Blog")
    )


def test_provisioned_capacity_on_table_and_every_gsi() -> None:
    registry = make_registry(capacity={"billing_mode": "PROVISIONED", "read": 5, "write": 3})
    definition = registry.table_definition()
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}
    assert definition["BillingMode"] == "PROVISIONED"
    assert definition["ProvisionedThroughput"] == throughput
    assert definition["GlobalSecondaryIndexes"] == [
        gsi(1, ProvisionedThroughput=throughput),
        gsi(2, ProvisionedThroughput=throughput),
    ]
    assert "ProvisionedThroughput" not in definition["LocalSecondaryIndexes"][0]
    create_table(definition)


def test_streams_sse_kms_deletion_protection_class_and_sorted_tags() -> None:
    definition = make_registry(
        streams={"enabled": True, "view_type": "NEW_IMAGE"},
        sse={"enabled": True, "kms_master_key_id": "alias/blog"},
        deletion_protection=True,
        table_class="STANDARD_INFREQUENT_ACCESS",
        tags={"team": "web", "env": "prod"},
    ).table_definition()
    assert definition["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_IMAGE",
    }
    assert definition["SSESpecification"] == {
        "Enabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": "alias/blog",
    }
    assert definition["DeletionProtectionEnabled"] is True
    assert definition["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert definition["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}]
    assert list(definition)[-3:] == ["TableClass", "DeletionProtectionEnabled", "Tags"]
    create_table(definition)


def test_sse_without_key_uses_the_aws_managed_kms_key() -> None:
    definition = make_registry(sse={"enabled": True}).table_definition()
    assert definition["SSESpecification"] == {"Enabled": True, "SSEType": "KMS"}


def test_options_left_out_when_off() -> None:
    definition = make_registry().table_definition()
    for absent in ("StreamSpecification", "SSESpecification", "Tags", "ProvisionedThroughput"):
        assert absent not in definition


def test_every_configured_gsi_slot_is_created() -> None:
    definition = make_registry(single_table_design={"gsi_count": 3}).table_definition()
    assert definition["GlobalSecondaryIndexes"] == [gsi(1), gsi(2), gsi(3)]
    assert [d["AttributeName"] for d in definition["AttributeDefinitions"]] == [
        "pk",
        "sk",
        "gsi1pk",
        "gsi1sk",
        "gsi2pk",
        "gsi2sk",
        "gsi3pk",
        "gsi3sk",
        "lsi1sk",
    ]


def test_custom_key_names_follow_the_naming_patterns() -> None:
    definition = make_registry(
        single_table_design={
            "partition_key_name": "PK",
            "sort_key_name": "SK",
            "gsi_name_pattern": "Index{n}",
            "gsi_pk_pattern": "ix{n}_pk",
            "gsi_sk_pattern": "ix{n}_sk",
            "lsi_name_pattern": "Local{n}",
            "lsi_sk_pattern": "local{n}_sk",
        }
    ).table_definition()
    assert definition["KeySchema"] == key_schema("PK", "SK")
    assert definition["GlobalSecondaryIndexes"][1]["KeySchema"] == key_schema("ix2_pk", "ix2_sk")
    assert definition["GlobalSecondaryIndexes"][1]["IndexName"] == "Index2"
    assert definition["LocalSecondaryIndexes"][0]["IndexName"] == "Local1"
    assert definition["LocalSecondaryIndexes"][0]["KeySchema"] == key_schema("PK", "local1_sk")
    create_table(definition)


def test_extra_config_indexes_with_their_key_types_and_projections() -> None:
    definition = make_registry(
        capacity={"billing_mode": "PROVISIONED", "read": 5, "write": 5},
        global_secondary_indexes=[
            {
                "name": "ByScore",
                "partition_key": "game",
                "sort_key": "score",
                "sort_key_type": "N",
                "projection": "KEYS_ONLY",
                "read": 9,
                "write": 8,
            },
            {
                "name": "ByEmail",
                "partition_key": "gsi1pk",
                "projection": "INCLUDE",
                "non_key_attributes": ["name"],
            },
        ],
        local_secondary_indexes=[
            {
                "name": "ByUpdated",
                "sort_key": "updated_at",
                "projection": "INCLUDE",
                "non_key_attributes": ["title"],
            },
        ],
    ).table_definition()
    assert definition["AttributeDefinitions"] == [
        *definitions("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "lsi1sk", "game"),
        {"AttributeName": "score", "AttributeType": "N"},
        *definitions("updated_at"),
    ]
    assert definition["GlobalSecondaryIndexes"][2:] == [
        {
            "IndexName": "ByScore",
            "KeySchema": key_schema("game", "score"),
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 9, "WriteCapacityUnits": 8},
        },
        {
            "IndexName": "ByEmail",
            "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        },
    ]
    assert definition["LocalSecondaryIndexes"][1] == {
        "IndexName": "ByUpdated",
        "KeySchema": key_schema("pk", "updated_at"),
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]},
    }
    create_table(definition)


def test_extra_index_reusing_a_key_attribute_with_another_type_is_an_error() -> None:
    registry = make_registry(
        global_secondary_indexes=[
            {"name": "Odd", "partition_key": "gsi1pk", "partition_key_type": "N"}
        ],
    )
    with pytest.raises(SchemaError, match=r"'gsi1pk' is used as an index key with types"):
        registry.table_definition()


def test_too_many_lsis_is_an_error() -> None:
    extras = [{"name": f"L{n}x", "sort_key": f"s{n}"} for n in range(5)]
    with pytest.raises(SchemaError, match=r"6 LSIs .* above the DynamoDB limit of 5"):
        make_registry(local_secondary_indexes=extras).table_definition()


def test_models_without_collections_sort_get_no_lsi() -> None:
    registry = Registry(validate_config())
    registry.register(blog.ROLE)
    definition = registry.table_definition()
    assert "LocalSecondaryIndexes" not in definition
    assert [d["AttributeName"] for d in definition["AttributeDefinitions"]] == [
        "pk",
        "sk",
        "gsi1pk",
        "gsi1sk",
        "gsi2pk",
        "gsi2sk",
    ]


# TTL.


def ttl_model(name: str, attribute: str | None = None) -> ModelDefinition:
    return ModelDefinition(name, name.upper(), traits=Traits(ttl=True, ttl_attribute=attribute))


def test_no_ttl_without_trait_or_config() -> None:
    registry = make_registry()
    assert ttl_specification(registry.schema, registry.config) is None


def test_ttl_from_config() -> None:
    registry = make_registry(ttl={"enabled": True, "attribute_name": "expires"})
    assert ttl_specification(registry.schema, registry.config) == {
        "AttributeName": "expires",
        "Enabled": True,
    }


def test_ttl_from_model_traits() -> None:
    registry = make_registry(ttl_model("Session", "expires_at"), ttl_model("Token", "expires_at"))
    assert ttl_specification(registry.schema, registry.config) == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    default = make_registry(ttl_model("Session"))
    assert ttl_specification(default.schema, default.config) == {
        "AttributeName": "ttl",
        "Enabled": True,
    }


def test_ttl_attributes_that_disagree_are_an_error() -> None:
    registry = make_registry(ttl_model("Session", "expires_at"), ttl_model("Token"))
    with pytest.raises(SchemaError, match=r"'expires_at' \(Session\); 'ttl' \(Token\)"):
        ttl_specification(registry.schema, registry.config)
    with_config = make_registry(ttl_model("Session", "expires_at"), ttl={"enabled": True})
    with pytest.raises(SchemaError, match=r"config ttl\.attribute_name"):
        ttl_specification(with_config.schema, with_config.config)


# Summary and warnings.


def test_summary_names_table_indexes_entities_sentinels_and_pivots() -> None:
    summary = make_registry().summary()
    expected = [
        "Table MainTable",
        "  keys: pk (HASH, S), sk (RANGE, S); entity type in _et",
        "  billing: PAY_PER_REQUEST; table class: STANDARD",
        "  2 overloaded GSIs, 1 LSI, 7 entities, 1 many-to-many pivot",
        "GSI1 (gsi1pk, gsi1sk):",
        "    Comment by post (gsi1pk=POST#<post_id>, gsi1sk=COMMENT#<id>)",
        "    Order by id (gsi1pk=ORDER#<id>, gsi1sk=ORDER#<id>)",
        "    Post by user (gsi1pk=USER#<user_id>, gsi1sk=POST#<id>)",
        "    User by team (gsi1pk=TEAM#<team_id>, gsi1sk=USER#<id>)",
        "    RoleUser edges: Users of a Role (gsi1pk=ROLE#<role_id>, gsi1sk=USER#<user_id>)",
        "GSI2 (gsi2pk, gsi2sk):",
        "    Comment by user (gsi2pk=USER#<user_id>, gsi2sk=COMMENT#<id>)",
        "    Post by status (gsi2pk=POST#status#<status>, gsi2sk=POST#<id>)",
        "LSI1 (pk, lsi1sk):",
        "    Order in its User's partition sorted by created_at (lsi1sk=ORDER#<created_at>#<id>)",
        "    note: item collections with an LSI are limited to 10 GB per partition key",
        "  Order: pk=USER#<user_id>, sk=ORDER#<id> (collection of User)",
        "  OrderLine: pk=USER#<user_id>, sk=ORDER#<order_id>#LINE#<id> (collection of Order)",
        "  User: pk=USER#<id>, sk=USER#<id>",
        "  User.email: pk=sk=_UNIQUE#USER#email#<email>",
        "  RoleUser (User ↔ Role): pk=USER#<user_id>, sk=ROLE#<role_id>; "
        "gsi1pk=ROLE#<role_id>, gsi1sk=USER#<user_id>",
        "  - Post uses 2 of 2 GSI slots; another relation or indexed attribute on it will "
        "need gsi_count=3",
    ]
    lines = summary.splitlines()
    for line in expected:
        assert line in lines
    assert lines.index("GSI1 (gsi1pk, gsi1sk):") < lines.index("GSI2 (gsi2pk, gsi2sk):")


def test_summary_marks_unused_slots_and_uses_the_configured_name() -> None:
    summary = make_registry(
        single_table_design={"gsi_count": 3}, default_table_name="Blog", table_name_prefix="t_"
    ).summary()
    assert summary.startswith("Table t_Blog\n")
    assert "GSI3 (gsi3pk, gsi3sk):\n    (unused)\n" in summary
    assert "uses 2 of" not in summary


def test_warnings_for_lsi_unindexed_relation_and_full_slots() -> None:
    audit = ModelDefinition(
        "Audit",
        "AUDIT",
        relations=(RelationDefinition("user", "belongs_to", "User", index=False),),
    )
    registry = make_registry(audit)
    assert schema_warnings(registry.schema, registry.config) == [
        "LSI1 sorts Orders of a User by created_at: item collections with an LSI are limited "
        "to 10 GB per partition key",
        "listing Audits by User needs a Scan: Audit.user has index=False (give it a GSI slot "
        "or make it a collection)",
        "Comment uses 2 of 2 GSI slots; another relation or indexed attribute on it will need "
        "gsi_count=3",
        "Post uses 2 of 2 GSI slots; another relation or indexed attribute on it will need "
        "gsi_count=3",
    ]


def test_no_warnings_for_a_plain_model() -> None:
    registry = Registry(validate_config())
    registry.register(ModelDefinition("Note", "NOTE", attributes=(attr("text", "string"),)))
    assert schema_warnings(registry.schema, registry.config) == []
    assert "Warnings:" not in registry.summary()


def test_placeholders_avoid_the_delimiter() -> None:
    assert placeholder("id", "#") == "<id>"
    assert placeholder("id", "<") == "{id}"


def test_config_is_used_as_given() -> None:
    config: Config = validate_config(default_table_name="Other")
    registry = make_registry()
    assert table_definition(registry.schema, config)["TableName"] == "Other"
