"""Resolving definitions: derived relations, slots, collections, pivots and clear errors."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import (
    CollectionIdPath,
    ExpiryPath,
    IndexedAttributePath,
    ModelDefinition,
    ParentPath,
    Registry,
    RelationDefinition,
    SchemaError,
    Traits,
    resolve,
)
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.resolve import path_sort, path_source
from dynamodb_tooling.schema.table import path_label
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


def _btm(name: str, target: str, **options: object) -> RelationDefinition:
    return RelationDefinition(name, "belongs_to_many", target, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("models", "words"),
    [
        (
            _models(ModelDefinition("User", "USER", relations=(_btm("friends", "User"),))),
            "many-to-many relation of User with itself is not supported",
        ),
        (
            _models(
                ModelDefinition(
                    "Org",
                    "ORG",
                    relations=(
                        RelationDefinition("projects", "has_many", "Project", collection=True),
                        _btm("starred", "Project"),
                    ),
                ),
                ModelDefinition("Project", "PROJECT"),
            ),
            "Project already lives in Org's partition",
        ),
        (
            _models(
                ModelDefinition(
                    "User",
                    "USER",
                    relations=(
                        _btm("roles", "Role"),
                        _btm("managed", "Role", pivot="RoleManager"),
                    ),
                ),
                ModelDefinition("Role", "ROLE"),
            ),
            "both link Role and User",
        ),
        (
            _models(
                ModelDefinition("User", "USER", relations=(_btm("roles", "Role"),)),
                ModelDefinition("Role", "ROLE"),
                ModelDefinition("RoleUser", "RU"),
            ),
            "pivot name 'RoleUser' is also a model name",
        ),
    ],
)
def test_edges_that_would_collide_are_refused(models: list[ModelDefinition], words: str) -> None:
    with pytest.raises(SchemaError, match=words):
        resolve(models, gsi_count=3)


def test_edge_slot_avoids_a_parent_path_to_the_same_model() -> None:
    user = ModelDefinition(
        "User",
        "USER",
        relations=(
            RelationDefinition("primary_role", "belongs_to", "Role"),
            _btm("roles", "Role"),
        ),
    )
    schema = resolve([user, ModelDefinition("Role", "ROLE")], gsi_count=2)
    path = schema.entity("User").path(ParentPath, "primary_role")
    assert path is not None
    assert path.slot == 1
    assert schema.pivot("RoleUser").slot == 2


def test_two_has_many_to_one_child_get_their_own_paths() -> None:
    person = ModelDefinition(
        "Person",
        "PERSON",
        relations=(
            RelationDefinition("authored", "has_many", "Book", foreign_key="author_id"),
            RelationDefinition("edited", "has_many", "Book", foreign_key="editor_id"),
        ),
    )
    schema = resolve([person, ModelDefinition("Book", "BOOK")], gsi_count=2)
    paths = {p.name: p.slot for p in schema.entity("Book").gsi_paths}
    assert paths == {"author": 1, "editor": 2}
    by_inverse = {link.inverse: link.relation for link in schema.entity("Person").children}
    assert by_inverse == {"authored": "author", "edited": "editor"}


def test_path_kinds_are_a_tagged_union_of_small_dataclasses() -> None:
    tokens = ModelDefinition(
        "Token",
        "TOKEN",
        attributes=(make_attribute("state", "string", index=True, index_sort="rank"),),
        traits=Traits(ttl=True, ttl_index=True),
    )
    schema = resolve([*blog.BLOG, tokens], gsi_count=2)
    post = schema.entity("Post")
    by_user, by_status = post.gsi_paths
    assert isinstance(by_user, ParentPath)
    assert (by_user.link.foreign_key, by_user.sort_by, by_user.kind) == ("user_id", None, "parent")
    assert by_status == IndexedAttributePath("Post", "status", 2, "status")
    assert post.paths(ParentPath) == (by_user,)
    assert post.path(IndexedAttributePath, "status") is by_status
    assert post.path("attribute", "status") is by_status  # the kind's text works too
    assert post.path(ParentPath, "status") is None
    (by_id,) = schema.entity("OrderLine").gsi_paths
    assert isinstance(by_id, CollectionIdPath)
    assert by_id.link.parent == "Order"
    token = schema.entity("Token")
    assert token.gsi_paths == (
        IndexedAttributePath("Token", "state", 1, "state", "rank"),
        ExpiryPath("Token", "ttl", 2, "ttl"),
    )
    assert [path_label(p) for p in (*post.gsi_paths, by_id, *token.gsi_paths)] == [
        "Post by user",
        "Post by status",
        "OrderLine by id",
        "Token by state sorted by rank",
        "Token by expiry (ttl)",
    ]
    assert [(path_source(p), path_sort(p)) for p in (*post.gsi_paths, by_id, *token.gsi_paths)] == [
        ("user_id", None),
        ("status", None),
        (None, None),
        ("state", "rank"),
        ("ttl", "ttl"),
    ]
