"""Resolving definitions: derived relations, slots, collections, pivots and clear errors."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import (
    ModelDefinition,
    Registry,
    RelationDefinition,
    SchemaError,
    resolve,
)
from dynamodb_tooling.schema.naming import make_attribute
from tests.schema import blog


def test_slots_are_deterministic_per_entity() -> None:
    schema = resolve(blog.BLOG, gsi_count=2)
    slots = {e.name: [(p.kind, p.name, p.slot) for p in e.gsi_paths] for e in schema.entities}
    assert slots == {
        "Comment": [("parent", "post", 1), ("parent", "user", 2)],
        "Order": [("collection_id", "user", 1)],
        "OrderLine": [("collection_id", "order", 1)],
        "Post": [("parent", "user", 1), ("attribute", "status", 2)],
        "Role": [],
        "Team": [],
        "User": [("parent", "team", 1)],
    }
    assert [e.name for e in resolve(list(reversed(blog.BLOG)), 2).entities] == sorted(
        d.name for d in blog.BLOG
    )


def test_declaring_one_side_derives_the_other() -> None:
    schema = resolve(blog.BLOG, gsi_count=2)
    user_link = schema.entity("User").parents[0]
    assert (user_link.parent, user_link.foreign_key, user_link.inverse) == (
        "Team",
        "team_id",
        "users",
    )
    order = schema.entity("Order").collection_parent
    assert order is not None
    assert (order.parent, order.inverse, order.sort_by, order.derived) == (
        "User",
        "orders",
        "created_at",
        True,
    )
    assert [a.parent for a in schema.entity("OrderLine").ancestry] == ["User", "Order"]
    assert schema.lsi_count == 1


def _models(*definitions: ModelDefinition) -> list[ModelDefinition]:
    return list(definitions)


def test_too_few_slots_names_entity_paths_and_fixes() -> None:
    with pytest.raises(SchemaError) as caught:
        resolve(blog.BLOG, gsi_count=1)
    message = str(caught.value)
    assert "Comment needs 2 GSI slots (parent 'post', parent 'user') but gsi_count is 1" in message
    for fix in ("gsi_count to 2", "collection=True", "index=False"):
        assert fix in message


@pytest.mark.parametrize(
    ("models", "words"),
    [
        (
            _models(
                ModelDefinition("A", "A", relations=(RelationDefinition("b", "belongs_to", "B"),))
            ),
            "A.b: relation target 'B' is not a defined model",
        ),
        (_models(ModelDefinition("A", "X"), ModelDefinition("B", "X")), "share the key prefix 'X'"),
        (_models(ModelDefinition("A", "A"), ModelDefinition("A", "B")), "defined twice"),
        (
            _models(
                ModelDefinition(
                    "A",
                    "A",
                    relations=(RelationDefinition("b", "belongs_to", "B", collection=True),),
                ),
                ModelDefinition(
                    "B",
                    "B",
                    relations=(RelationDefinition("a", "belongs_to", "A", collection=True),),
                ),
            ),
            "form a cycle",
        ),
        (
            _models(
                ModelDefinition("A", "A"),
                ModelDefinition("B", "B"),
                ModelDefinition(
                    "C",
                    "C",
                    relations=(
                        RelationDefinition("a", "belongs_to", "A", collection=True),
                        RelationDefinition("b", "belongs_to", "B", collection=True),
                    ),
                ),
            ),
            "collection child of several parents",
        ),
    ],
)
def test_unkeyable_definitions_are_clear_errors(models: list[ModelDefinition], words: str) -> None:
    with pytest.raises(SchemaError, match=words):
        resolve(models, gsi_count=2)


def test_index_false_frees_a_slot() -> None:
    comment = ModelDefinition(
        "Comment",
        "COMMENT",
        relations=(
            RelationDefinition("post", "belongs_to", "Post"),
            RelationDefinition("user", "belongs_to", "User", index=False),
        ),
    )
    schema = resolve([comment, ModelDefinition("Post", "POST"), ModelDefinition("User", "USER")], 1)
    assert [p.name for p in schema.entity("Comment").gsi_paths] == ["post"]


def test_registry_is_order_independent_and_rejects_conflicting_redefinition() -> None:
    forwards, backwards = Registry(validate_config()), Registry(validate_config())
    for d in blog.BLOG:
        forwards.register(d)
    for d in reversed(blog.BLOG):
        backwards.register(d)
    assert forwards == backwards
    assert forwards.table_definition("T") == backwards.table_definition("T")
    other = ModelDefinition("User", "USER", attributes=(make_attribute("x", "string"),))
    with pytest.raises(SchemaError, match="a different model named 'User'"):
        forwards.register(other)
