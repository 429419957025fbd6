"""The TTL expiry sparse index: items with a TTL listed by expiry time."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import KeyValueError, Registry
from dynamodb_tooling.schema.stacks import parse_stacks_model


@pytest.fixture
def registry() -> Registry:
    registry = Registry(validate_config())

    class Session(Model, registry=registry, ttl="expires_at", ttl_index=True):
        token: str

    return registry


def test_items_with_a_ttl_are_indexed_by_expiry(registry: Registry) -> None:
    keys = registry.keys.item_keys("Session", {"id": "s1", "token": "t", "expires_at": 1800000000})
    assert (keys["gsi1pk"], keys["gsi1sk"]) == (
        "SESSION#expires_at",
        "SESSION#00000000001800000000#s1",
    )
    without = registry.keys.item_keys("Session", {"id": "s2", "token": "t"})
    assert "gsi1pk" not in without
    query = registry.keys.expiry_query("Session")
    assert (query.index, query.partition_value, query.sort_prefix) == (
        "GSI1",
        "SESSION#expires_at",
        "SESSION#",
    )


def test_stacks_spelling_and_access_pattern(registry: Registry) -> None:
    definition = parse_stacks_model(
        {
            "name": "Session",
            "attributes": {"token": {}},
            "traits": {"useTtl": {"attribute": "expires_at", "index": True}},
        }
    )
    assert definition == registry.model("Session")
    pattern = registry.access_patterns().named("List Sessions by expiry")
    assert (pattern.operation, pattern.index) == ("Query", "GSI1")
    assert "sweeper" in pattern.note


def test_models_without_the_index_have_no_expiry_query() -> None:
    registry = Registry(validate_config())

    class Token(Model, registry=registry, ttl=True):
        value: str

    assert registry.schema.entity("Token").gsi_paths == ()
    with pytest.raises(KeyValueError, match="no expiry index"):
        registry.keys.expiry_query("Token")
