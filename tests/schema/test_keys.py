"""The canonical key scheme: each row of DESIGN §2's table, exactly."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import KeyValueError, Registry, encode_int
from tests.schema import blog


@pytest.fixture
def registry() -> Registry:
    registry = Registry(validate_config())
    for definition in blog.BLOG:
        registry.register(definition)
    return registry


def test_entity_in_its_own_partition_with_parent_index(registry: Registry) -> None:
    assert registry.keys.item_keys("User", {"id": "u1", "team_id": "t1"}) == {
        "pk": "USER#u1",
        "sk": "USER#u1",
        "_et": "User",
        "gsi1pk": "TEAM#t1",
        "gsi1sk": "USER#u1",
    }


def test_belongs_to_child_and_sparse_indexed_attribute(registry: Registry) -> None:
    assert registry.keys.item_keys("Post", {"id": "p1", "user_id": "u1", "status": "draft"}) == {
        "pk": "POST#p1",
        "sk": "POST#p1",
        "_et": "Post",
        "gsi1pk": "USER#u1",
        "gsi1sk": "POST#p1",
        "gsi2pk": "POST#status#draft",
        "gsi2sk": "POST#p1",
    }
    no_status = registry.keys.item_keys("Post", {"id": "p1", "user_id": "u1", "status": None})
    assert "gsi2pk" not in no_status
    assert "gsi2sk" not in no_status
    deleted = registry.keys.item_keys(
        "Post", {"id": "p1", "user_id": "u1", "status": "x"}, deleted=True
    )
    assert "gsi2pk" not in deleted


def test_child_with_two_parents_uses_one_slot_each(registry: Registry) -> None:
    keys = registry.keys.item_keys("Comment", {"id": "c1", "post_id": "p1", "user_id": "u1"})
    assert (keys["gsi1pk"], keys["gsi1sk"]) == ("POST#p1", "COMMENT#c1")
    assert (keys["gsi2pk"], keys["gsi2sk"]) == ("USER#u1", "COMMENT#c1")


def test_collection_child_lives_in_the_parent_partition(registry: Registry) -> None:
    keys = registry.keys.item_keys(
        "Order", {"id": "o1", "user_id": "u1", "created_at": "2026-01-02T00:00:00+00:00"}
    )
    assert keys == {
        "pk": "USER#u1",
        "sk": "ORDER#o1",
        "_et": "Order",
        "gsi1pk": "ORDER#o1",
        "gsi1sk": "ORDER#o1",
        "lsi1sk": "ORDER#2026-01-02T00:00:00+00:00#o1",
    }


def test_nested_collection_child(registry: Registry) -> None:
    keys = registry.keys.item_keys("OrderLine", {"id": "l1", "order_id": "o1", "user_id": "u1"})
    assert keys == {
        "pk": "USER#u1",
        "sk": "ORDER#o1#LINE#l1",
        "_et": "OrderLine",
        "gsi1pk": "LINE#l1",
        "gsi1sk": "LINE#l1",
    }
    with pytest.raises(KeyValueError, match=r"OrderLine\.user_id is required"):
        registry.keys.item_keys("OrderLine", {"id": "l1", "order_id": "o1"})


def test_many_to_many_edge(registry: Registry) -> None:
    pivot = registry.schema.pivot("RoleUser")
    assert (pivot.owner, pivot.other) == ("User", "Role")
    assert registry.keys.edge_keys(pivot, "u1", "r1") == {
        "pk": "USER#u1",
        "sk": "ROLE#r1",
        "gsi1pk": "ROLE#r1",
        "gsi1sk": "USER#u1",
        "_et": "RoleUser",
    }


def test_unique_sentinel_keeps_the_value_at_the_tail(registry: Registry) -> None:
    assert registry.keys.sentinel_key("User", "email", "a#b@example.com") == {
        "pk": "_UNIQUE#USER#email#a#b@example.com",
        "sk": "_UNIQUE#USER#email#a#b@example.com",
    }


def test_delimiter_inside_a_key_is_refused(registry: Registry) -> None:
    with pytest.raises(KeyValueError, match=r"User\.id = 'u1#ORDER#5' contains the key delimiter"):
        registry.keys.item_keys("User", {"id": "u1#ORDER#5"})
    with pytest.raises(KeyValueError, match=r"Post\.user_id"):
        registry.keys.item_keys("Post", {"id": "p1", "user_id": "TEAM#x"})


def test_integers_sort_numerically() -> None:
    numbers = [-1000, -5, -1, 0, 1, 9, 10, 11, 10**12]
    assert sorted(numbers, key=encode_int) == numbers
    assert sorted(encode_int(n) for n in numbers) == [encode_int(n) for n in numbers]
    with pytest.raises(KeyValueError, match="too large"):
        encode_int(10**20)


def test_reads_use_the_same_scheme(registry: Registry) -> None:
    keys = registry.keys
    posts = next(link for link in registry.schema.entity("User").children if link.child == "Post")
    query = keys.children_query(posts, "u1")
    assert (query.index, query.partition_attribute, query.partition_value) == (
        "GSI1",
        "gsi1pk",
        "USER#u1",
    )
    assert (query.sort_attribute, query.sort_prefix) == ("gsi1sk", "POST#")
    orders = next(link for link in registry.schema.entity("User").children if link.child == "Order")
    assert keys.children_query(orders, "u1").partition_value == "USER#u1"
    assert keys.children_query(orders, "u1").index is None
    assert keys.attribute_query("Post", "status", "draft").partition_value == "POST#status#draft"
    by_id = keys.id_query("OrderLine", "l1")
    assert (by_id.index, by_id.partition_value) == ("GSI1", "LINE#l1")


def test_sharded_parent_path_spreads_writes() -> None:
    from dynamodb_tooling.schema import ModelDefinition, RelationDefinition

    registry = Registry(validate_config())
    registry.register(ModelDefinition("Device", "DEVICE"))
    registry.register(
        ModelDefinition(
            "Reading",
            "READING",
            relations=(RelationDefinition("device", "belongs_to", "Device", shards=4),),
        )
    )
    partitions = {
        registry.keys.item_keys("Reading", {"id": f"r{n}", "device_id": "d1"})["gsi1pk"]
        for n in range(40)
    }
    assert partitions == {f"DEVICE#d1#{n}" for n in range(4)}
    link = registry.schema.entity("Reading").parents[0]
    assert registry.keys.children_query(link, "d1").partitions() == sorted(partitions)


@pytest.mark.parametrize(
    ("prefix", "options", "words"),
    [
        ("US#ER", {}, "must not contain the key delimiter '#'"),
        ("_UNIQUE", {}, "reserved for unique sentinels"),
        (
            "USER",
            {"single_table_design": {"key_delimiter": "|"}},
            "must end with the key delimiter",
        ),
    ],
)
def test_prefixes_that_could_collide_are_refused(
    prefix: str, options: dict[str, object], words: str
) -> None:
    from dynamodb_tooling.schema import ModelDefinition

    registry = Registry(validate_config(options))
    registry.register(ModelDefinition("User", prefix))
    with pytest.raises(KeyValueError, match=words):
        _ = registry.keys


def test_another_delimiter_is_used_everywhere() -> None:
    registry = Registry(
        validate_config(
            single_table_design={
                "key_delimiter": "|",
                "pk_prefix": "{ENTITY}|",
                "sk_prefix": "{ENTITY}|",
            }
        )
    )
    for definition in blog.BLOG:
        registry.register(definition)
    keys = registry.keys.item_keys("OrderLine", {"id": "l1", "order_id": "o1", "user_id": "u1"})
    assert (keys["pk"], keys["sk"]) == ("USER|u1", "ORDER|o1|LINE|l1")
    assert registry.keys.item_keys("User", {"id": "a#b"})["pk"] == "USER|a#b"
