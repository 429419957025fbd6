"""Self-referential relations (trees): ``HasMany("self")`` / ``BelongsTo("self")`` link a model
to itself through ``parent_id``, with ``parent`` and ``children`` as the derived names."""

from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import (
    KeyQuery,
    ModelDefinition,
    ParentPath,
    Registry,
    RelationDefinition,
    SchemaError,
)
from dynamodb_tooling.schema.naming import (
    SELF_FOREIGN_KEY,
    link_foreign_key,
    relation_name,
    self_relation_name,
)
from dynamodb_tooling.schema.stacks import parse_stacks_model
from dynamodb_tooling.schema.transformer import EntityTransformer


def category(*relations: RelationDefinition) -> ModelDefinition:
    return ModelDefinition("Category", "CATEGORY", relations=relations)


def registry_of(*definitions: ModelDefinition) -> Registry:
    registry = Registry(validate_config())
    for definition in definitions:
        registry.register(definition)
    return registry


CHILDREN = RelationDefinition("children", "has_many", "self")


def test_self_names_the_declaring_model() -> None:
    assert category(CHILDREN).relations[0].target == "Category"
    spelled = category(RelationDefinition("children", "has_many", "Category"))
    assert category(CHILDREN) == spelled


def test_the_naming_rule() -> None:
    assert SELF_FOREIGN_KEY == "parent_id"
    assert relation_name("has_many", "self") == "children"
    assert relation_name("belongs_to", "self") == "parent"
    assert relation_name("has_one", "self") == "child"
    assert self_relation_name("belongs_to") == "parent"
    assert link_foreign_key("Category", CHILDREN) == "parent_id"
    explicit = RelationDefinition("reports", "has_many", "self", foreign_key="manager_id")
    assert link_foreign_key("Employee", explicit) == "manager_id"
    # Not a self link: the usual rule.
    posts = RelationDefinition("posts", "has_many", "Post")
    assert link_foreign_key("User", posts) == "user_id"


def test_has_many_self_gives_parent_id_a_path_and_the_derived_parent() -> None:
    schema = registry_of(category(CHILDREN)).schema
    entity = schema.entity("Category")
    (link,) = entity.parents
    assert (link.child, link.parent, link.foreign_key, link.relation) == (
        "Category",
        "Category",
        "parent_id",
        "parent",
    )
    assert (link.inverse, link.inverse_kind, link.is_self, link.inverse_name) == (
        "children",
        "has_many",
        True,
        "children",
    )
    assert entity.children == (link,)
    (path,) = entity.gsi_paths
    assert isinstance(path, ParentPath)
    assert (path.name, path.slot) == ("parent", 1)


def test_belongs_to_self_derives_children() -> None:
    parent = RelationDefinition("parent", "belongs_to", "self")
    (link,) = registry_of(category(parent)).schema.entity("Category").parents
    assert (link.foreign_key, link.relation, link.inverse, link.inverse_name) == (
        "parent_id",
        "parent",
        None,
        "children",
    )


def test_both_sides_declared_are_one_link() -> None:
    both = category(CHILDREN, RelationDefinition("parent", "belongs_to", "self"))
    entity = registry_of(both).schema.entity("Category")
    assert len(entity.parents) == 1
    assert len(entity.gsi_paths) == 1
    assert entity.parents[0].inverse == "children"


def test_explicit_names_and_foreign_keys_win() -> None:
    reports = RelationDefinition("reports", "has_many", "self", foreign_key="manager_id")
    employee = ModelDefinition("Employee", "EMPLOYEE", relations=(reports,))
    (link,) = registry_of(employee).schema.entity("Employee").parents
    assert (link.foreign_key, link.relation, link.inverse) == ("manager_id", "manager", "reports")
    boss = RelationDefinition("boss", "belongs_to", "self")
    (link,) = registry_of(category(boss)).schema.entity("Category").parents
    assert (link.foreign_key, link.relation) == ("parent_id", "boss")


def test_keys_put_a_child_under_its_parents_id() -> None:
    registry = registry_of(category(CHILDREN))
    keys = registry.keys.item_keys("Category", {"id": "c2", "parent_id": "c1"})
    assert keys == {
        "pk": "CATEGORY#c2",
        "sk": "CATEGORY#c2",
        "_et": "Category",
        "gsi1pk": "CATEGORY#c1",
        "gsi1sk": "CATEGORY#c2",
    }
    root = registry.keys.item_keys("Category", {"id": "c1"})
    assert "gsi1pk" not in root  # a root has no parent: sparse
    (link,) = registry.schema.entity("Category").parents
    assert registry.keys.children_query(link, "c1") == KeyQuery(
        "GSI1", "gsi1pk", "CATEGORY#c1", "gsi1sk", "CATEGORY#"
    )
    transformer = EntityTransformer(registry)
    assert "parent_id" in transformer.allowed_names("Category")


@pytest.mark.parametrize("kind", ["has_many", "belongs_to", "has_one"])
def test_a_self_collection_is_refused(kind: Any) -> None:
    relation = RelationDefinition("x", kind, "self", collection=True)
    with pytest.raises(SchemaError, match=r"Category\.x: .* to itself cannot be a collection"):
        _ = registry_of(category(relation)).schema


def test_parent_id_equality_is_one_query() -> None:
    registry = registry_of(category(CHILDREN))
    Category = type(
        "Category",
        (Model,),
        {"__module__": __name__},
        definition=registry.model("Category"),
        registry=registry,
    )
    params = Category.where("parent_id", "c1").to_params()
    assert params["IndexName"] == "GSI1"
    assert params["ExpressionAttributeValues"] == {
        ":v0": {"S": "CATEGORY#c1"},
        ":v1": {"S": "CATEGORY#"},
    }


def test_access_patterns_name_the_tree() -> None:
    patterns = registry_of(category(CHILDREN)).access_patterns()
    children = patterns.named("List child Categories of Category")
    assert children.key_condition == (
        'gsi1pk = "CATEGORY#<parent_id>" AND begins_with(gsi1sk, "CATEGORY#")'
    )
    assert children.example == "category.children.get()"
    parent = patterns.named("Get parent Category of Category")
    assert parent.example == "category.parent"


def test_stacks_self_relations_are_the_python_definitions() -> None:
    stacks = parse_stacks_model({"name": "Category", "hasMany": ["self"]})
    assert stacks == category(CHILDREN)
    parent = parse_stacks_model({"name": "Category", "belongsTo": ["self"]})
    assert parent.relations == (RelationDefinition("parent", "belongs_to", "Category"),)
    assert registry_of(stacks).schema == registry_of(category(CHILDREN)).schema


def test_a_python_class_declaring_has_many_self() -> None:
    from dynamodb_tooling.orm import HasMany

    registry = Registry(validate_config())

    class Node(Model, registry=registry):
        name: str
        children = HasMany("self")

    definition = registry.model("Node")
    assert definition.relations[0].target == "Node"
    (link,) = registry.schema.entity("Node").parents
    assert (link.foreign_key, link.relation, link.inverse) == ("parent_id", "parent", "children")
    assert registry.keys.item_keys("Node", {"id": "n2", "parent_id": "n1"})["gsi1pk"] == "NODE#n1"


def test_a_many_to_many_with_self_stays_refused() -> None:
    friends = RelationDefinition("friends", "belongs_to_many", "self")
    with pytest.raises(SchemaError, match="many-to-many relation of User with itself"):
        _ = registry_of(ModelDefinition("User", "USER", relations=(friends,))).schema


def test_two_links_to_one_parent_derive_qualified_names() -> None:
    from dynamodb_tooling.schema.definitions import ModelDefinition, RelationDefinition
    from dynamodb_tooling.schema.resolve import resolve

    user = ModelDefinition("User", "USER")
    review = ModelDefinition(
        "Review",
        "REVIEW",
        relations=(
            RelationDefinition("author", "belongs_to", "User", foreign_key="author_id"),
            RelationDefinition("editor", "belongs_to", "User", foreign_key="editor_id"),
        ),
    )
    schema = resolve([user, review], gsi_count=2)
    names = sorted(link.inverse_name for link in schema.entity("User").children)
    assert names == ["author_reviews", "editor_reviews"]
    # one link alone keeps the plain name
    alone = ModelDefinition(
        "Note", "NOTE", relations=(RelationDefinition("user", "belongs_to", "User"),)
    )
    assert [link.inverse_name for link in resolve([user, alone], 2).entity("User").children] == [
        "notes"
    ]
