"""Polymorphic relations in the schema: morph_one / morph_many / morph_to (a child of several
parent types) and morph_to_many / morphed_by_many (edges between several types and one target):
resolution, keys, writes, the planner, access patterns and the Stacks front end."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import Model
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import (
    KeyQuery,
    KeyValueError,
    ModelDefinition,
    Registry,
    RelationDefinition,
    SchemaError,
)
from dynamodb_tooling.schema.naming import make_attribute as attr
from dynamodb_tooling.schema.resolve import MorphParent, MorphPath
from dynamodb_tooling.schema.stacks import parse_stacks_model
from dynamodb_tooling.schema.transformer import EntityTransformer
from dynamodb_tooling.testing.stub import StubExecutor
from tests.orm.test_create_fast_path import assert_same_insert, clock


def rel(name: str, kind: Any, target: str = "", **options: Any) -> RelationDefinition:
    return RelationDefinition(name, kind, target, **options)


POST = ModelDefinition(
    "Post",
    "POST",
    attributes=(attr("title", "string"),),
    relations=(
        rel("comments", "morph_many", "Comment", morph_name="commentable"),
        rel("image", "morph_one", "Image", morph_name="imageable"),
        rel("tags", "morph_to_many", "Tag", morph_name="taggable"),
    ),
)
VIDEO = ModelDefinition(
    "Video",
    "VIDEO",
    attributes=(attr("url", "string"),),
    relations=(
        rel("comments", "morph_many", "Comment", morph_name="commentable"),
        rel("tags", "morph_to_many", "Tag", morph_name="taggable", pivot_attributes=("order",)),
    ),
)
COMMENT = ModelDefinition(
    "Comment",
    "COMMENT",
    attributes=(attr("body", "string"),),
    relations=(rel("commentable", "morph_to", morph_name="commentable"),),
)
IMAGE = ModelDefinition("Image", "IMAGE", attributes=(attr("url", "string"),))
TAG = ModelDefinition(
    "Tag",
    "TAG",
    attributes=(attr("name", "string"),),
    relations=(rel("posts", "morphed_by_many", "Post", morph_name="taggable"),),
)
MEDIA = (COMMENT, IMAGE, POST, TAG, VIDEO)


def registry_of(*definitions: ModelDefinition, gsi_count: int = 2) -> Registry:
    registry = Registry(validate_config({"single_table_design": {"gsi_count": gsi_count}}))
    for definition in definitions:
        registry.register(definition)
    return registry


@pytest.fixture
def registry() -> Registry:
    return registry_of(*MEDIA)


@pytest.fixture
def models(registry: Registry) -> dict[str, type[Model]]:
    """Model classes for the definitions (the relations stay declarations of the schema)."""
    return {
        d.name: type(d.name, (Model,), {"__module__": __name__}, definition=d, registry=registry)
        for d in registry.models
    }


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> StubExecutor:
    import dynamodb_tooling.query.executor as executor_module

    executor = StubExecutor()
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    return executor


# Resolution.


def test_the_morph_to_joins_every_parent_type(registry: Registry) -> None:
    comment = registry.schema.entity("Comment")
    (link,) = comment.morphs
    assert link.types == ("Post", "Video")
    assert link.parents == (
        MorphParent("Post", "comments", "morph_many"),
        MorphParent("Video", "comments", "morph_many"),
    )
    assert (link.type_attribute, link.id_attribute, link.relation) == (
        "commentable_type",
        "commentable_id",
        "commentable",
    )
    assert not link.derived
    (path,) = comment.gsi_paths
    assert isinstance(path, MorphPath)
    assert (path.slot, path.morph_name, path.name) == (1, "commentable", "commentable")
    image = registry.schema.entity("Image").morphs[0]
    assert registry.schema.entity("Post").morph_children == (link, image)
    assert registry.schema.entity("Video").morph_children == (link,)


def test_a_morph_to_is_derived_when_only_the_parents_declare_it(registry: Registry) -> None:
    (link,) = registry.schema.entity("Image").morphs
    assert link.derived
    assert (link.relation, link.types) == ("imageable", ("Post",))
    assert link.parent("Post") == MorphParent("Post", "image", "morph_one")


def test_morph_attributes_are_writable_and_readable(registry: Registry) -> None:
    transformer = EntityTransformer(registry)
    assert {"commentable_type", "commentable_id"} <= transformer.allowed_names("Comment")
    item = transformer.to_item(
        "Comment", {"id": "c1", "body": "Hi", "commentable_type": "Post", "commentable_id": "p1"}
    )
    assert transformer.from_item(item) == {
        "id": "c1",
        "body": "Hi",
        "commentable_type": "Post",
        "commentable_id": "p1",
    }


def test_a_morph_to_without_any_parent_type_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"Comment\.commentable: no model declares MorphOne"):
        _ = registry_of(COMMENT, IMAGE).schema


def test_a_morph_to_with_a_target_is_refused() -> None:
    odd = ModelDefinition("Note", "NOTE", relations=(rel("owner", "morph_to", "Post"),))
    with pytest.raises(SchemaError, match="a morph_to has no single target"):
        _ = registry_of(odd, POST, COMMENT, IMAGE, TAG).schema


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"foreign_key": "x_id"}, "foreign_key"),
        ({"collection": True}, "collection"),
        ({"sort_by": "title"}, "sort_by"),
        ({"shards": 4}, "shards"),
        ({"pivot_attributes": ("a",)}, "pivot_attributes"),
    ],
)
def test_options_a_morph_cannot_honour_are_refused(options: dict[str, Any], named: str) -> None:
    post = ModelDefinition(
        "Post", "POST", relations=(rel("comments", "morph_many", "Comment", **options),)
    )
    with pytest.raises(SchemaError, match=rf"Post\.comments: {named} cannot be used"):
        _ = registry_of(post, COMMENT).schema


def test_morph_name_on_a_plain_relation_is_refused() -> None:
    post = ModelDefinition(
        "Post", "POST", relations=(rel("comments", "has_many", "Comment", morph_name="x"),)
    )
    with pytest.raises(SchemaError, match="morph_name only applies to polymorphic relations"):
        _ = registry_of(post, ModelDefinition("Comment", "COMMENT")).schema


def test_a_morph_attribute_clashing_with_a_foreign_key_is_refused() -> None:
    comment = ModelDefinition(
        "Comment",
        "COMMENT",
        relations=(
            rel("commentable", "morph_to", morph_name="commentable"),
            rel("post", "belongs_to", "Post", foreign_key="commentable_id"),
        ),
    )
    with pytest.raises(SchemaError, match="'commentable_id' is also an attribute"):
        _ = registry_of(comment, POST, IMAGE, TAG).schema


def test_two_relations_of_one_parent_to_one_morph_are_refused() -> None:
    post = ModelDefinition(
        "Post",
        "POST",
        relations=(
            rel("comments", "morph_many", "Comment", morph_name="commentable"),
            rel("notes", "morph_many", "Comment", morph_name="commentable"),
        ),
    )
    with pytest.raises(SchemaError, match=r"Post\.comments and Post\.notes both describe"):
        _ = registry_of(post, COMMENT).schema


def test_morph_paths_count_against_the_gsi_slots() -> None:
    comment = ModelDefinition(
        "Comment",
        "COMMENT",
        attributes=(attr("status", "string", nullable=True, index=True),),
        relations=(
            rel("commentable", "morph_to", morph_name="commentable"),
            rel("user", "belongs_to", "User"),
        ),
    )
    user = ModelDefinition("User", "USER")
    with pytest.raises(SchemaError, match=r"Comment needs 3 GSI slots .*morph 'commentable'"):
        _ = registry_of(comment, user, POST, VIDEO, IMAGE, TAG).schema
    schema = registry_of(comment, user, POST, VIDEO, IMAGE, TAG, gsi_count=3).schema
    kinds = [(p.kind, p.slot) for p in schema.entity("Comment").gsi_paths]
    assert kinds == [("parent", 1), ("morph", 2), ("attribute", 3)]


# Keys.


def test_item_keys_put_the_child_in_its_parents_partition(registry: Registry) -> None:
    keys = registry.keys.item_keys(
        "Comment", {"id": "c1", "commentable_type": "Video", "commentable_id": "v9"}
    )
    assert keys == {
        "pk": "COMMENT#c1",
        "sk": "COMMENT#c1",
        "_et": "Comment",
        "gsi1pk": "VIDEO#v9",
        "gsi1sk": "COMMENT#c1",
    }


def test_the_morph_partition_is_the_one_a_belongs_to_child_gets(registry: Registry) -> None:
    """One Query per parent, whichever way its children point at it."""
    plain = registry_of(
        ModelDefinition("Post", "POST", relations=(rel("notes", "has_many", "Note"),)),
        ModelDefinition("Note", "NOTE"),
    )
    belongs = plain.keys.item_keys("Note", {"id": "n1", "post_id": "p1"})
    morphed = registry.keys.item_keys(
        "Comment", {"id": "c1", "commentable_type": "Post", "commentable_id": "p1"}
    )
    assert belongs["gsi1pk"] == morphed["gsi1pk"] == "POST#p1"


def test_an_unset_morph_is_sparse(registry: Registry) -> None:
    keys = registry.keys.item_keys("Comment", {"id": "c1"})
    assert "gsi1pk" not in keys
    assert "gsi1sk" not in keys


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"commentable_type": "Post"},
            "commentable_type is set but Comment.commentable_id is not; set both",
        ),
        (
            {"commentable_id": "p1"},
            "commentable_id is set but Comment.commentable_type is not; set both",
        ),
        (
            {"commentable_type": "Tag", "commentable_id": "t1"},
            r"commentable_type = 'Tag' is not a type of this link; it must be one of Post, Video",
        ),
        ({"commentable_type": "Post", "commentable_id": "a#b"}, "contains the key delimiter"),
    ],
)
def test_bad_morph_values_are_refused_on_write(
    registry: Registry, values: dict[str, Any], message: str
) -> None:
    transformer = EntityTransformer(registry)
    with pytest.raises(KeyValueError, match=message):
        transformer.to_item("Comment", {"id": "c1", "body": "x", **values})
    compiler = WriteCompiler(registry, clock=clock)
    with pytest.raises(KeyValueError, match=message):
        compiler.insert("Comment", {"id": "c1", "body": "x", **values})


def test_morph_children_query(registry: Registry) -> None:
    query = registry.keys.morph_children_query("Comment", "commentable", "Post", "p1")
    assert query == KeyQuery("GSI1", "gsi1pk", "POST#p1", "gsi1sk", "COMMENT#")
    with pytest.raises(KeyValueError, match="must be one of Post, Video"):
        registry.keys.morph_children_query("Comment", "commentable", "Image", "i1")
    with pytest.raises(SchemaError, match="Comment has no polymorphic link named 'owner'"):
        registry.keys.morph_children_query("Comment", "owner", "Post", "p1")


def test_an_unindexed_morph_has_no_path_and_no_children_query() -> None:
    comment = ModelDefinition(
        "Comment",
        "COMMENT",
        relations=(rel("commentable", "morph_to", morph_name="commentable", index=False),),
    )
    registry = registry_of(comment, POST, VIDEO, IMAGE, TAG)
    assert registry.schema.entity("Comment").gsi_paths == ()
    with pytest.raises(KeyValueError, match="has no index"):
        registry.keys.morph_children_query("Comment", "commentable", "Post", "p1")
    # Still checked on write.
    with pytest.raises(KeyValueError, match="set both"):
        registry.keys.item_keys("Comment", {"id": "c1", "commentable_id": "p1"})
    assert any("index=False" in w for w in registry.access_patterns().warnings)


def test_a_pivot_avoids_the_slot_of_a_morph_to_its_other_side() -> None:
    """A Comment ↔ Post edge on the morph's slot would read as a Comment of the Post."""
    comment = ModelDefinition(
        "Comment",
        "COMMENT",
        relations=(
            rel("commentable", "morph_to", morph_name="commentable"),
            rel("posts", "belongs_to_many", "Post"),
        ),
    )
    schema = registry_of(comment, POST, VIDEO, IMAGE, TAG).schema
    assert schema.entity("Comment").gsi_paths[0].slot == 1
    assert schema.pivot("CommentPost").slot == 2


# Updates keep the morph keys in step.


def test_changing_the_parent_moves_the_index_keys(registry: Registry) -> None:
    compiler = WriteCompiler(registry, clock=clock)
    current = {"id": "c1", "body": "x", "commentable_type": "Post", "commentable_id": "p1"}
    plan = compiler.update(
        "Comment", current, {"commentable_type": "Video", "commentable_id": "v1"}
    )
    values = plan.request.params["ExpressionAttributeValues"]
    assert {"S": "VIDEO#v1"} in values.values()
    cleared = compiler.update(
        "Comment", current, {"commentable_type": None, "commentable_id": None}
    )
    expression = cleared.request.params["UpdateExpression"]
    names = cleared.request.params["ExpressionAttributeNames"]
    removed = {names[n] for n in names if names[n] in ("gsi1pk", "gsi1sk")}
    assert removed == {"gsi1pk", "gsi1sk"}
    assert "REMOVE" in expression
    with pytest.raises(KeyValueError, match="set both"):
        compiler.update("Comment", current, {"commentable_type": None})


# The compiled insert equals the general path for a morph model.


def test_the_fast_insert_gives_the_general_plan_for_morph_models(registry: Registry) -> None:
    compiler = WriteCompiler(registry, clock=clock)
    for values in (
        {"id": "c1", "body": "x", "commentable_type": "Post", "commentable_id": "p1"},
        {"id": "c2", "body": "x"},
        {"id": "c3", "body": "x", "commentable_type": "Video", "commentable_id": 7},
        {"id": "c4", "body": "x", "commentable_type": "Post"},
        {"id": "c5", "body": "x", "commentable_type": "Nope", "commentable_id": "n"},
    ):
        assert_same_insert(compiler, "Comment", values)
    assert assert_same_insert(
        compiler,
        "Comment",
        {"id": "c6", "body": "x", "commentable_type": "Post", "commentable_id": "p"},
    )


@given(
    ident=st.text(min_size=0, max_size=30),
    kind=st.sampled_from(["Post", "Video", "Image", "", None]),
    parent=st.one_of(st.none(), st.text(max_size=20), st.integers(-(10**21), 10**21)),
    body=st.text(max_size=40),
)
@settings(max_examples=150, deadline=None)
def test_generated_morph_values_give_the_same_plan(
    ident: str, kind: str | None, parent: Any, body: str
) -> None:
    registry = registry_of(*MEDIA)
    compiler = WriteCompiler(registry, clock=clock)
    values = {"id": ident, "body": body, "commentable_type": kind, "commentable_id": parent}
    assert_same_insert(compiler, "Comment", values)


# The planner.


def test_type_and_id_equality_is_one_query_on_the_morph_slot(
    models: dict[str, type[Model]],
) -> None:
    Comment = models["Comment"]
    query = Comment.where("commentable_type", "Post").where("commentable_id", "p1")
    assert query.to_params() == {
        "TableName": "MainTable",
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "ExpressionAttributeNames": {"#n0": "gsi1pk", "#n1": "gsi1sk"},
        "ExpressionAttributeValues": {":v0": {"S": "POST#p1"}, ":v1": {"S": "COMMENT#"}},
        "IndexName": "GSI1",
    }
    explained = str(query.explain())
    assert "Comment by its commentable" in explained
    assert "Scan" not in explained


def test_where_in_on_the_morph_id_fans_out_one_query_per_parent(
    models: dict[str, type[Model]], stub: StubExecutor
) -> None:
    Comment = models["Comment"]
    query = Comment.where("commentable_type", "Video").where_in(
        "commentable_id", ["v1", "v2", "v1"]
    )
    plan = query.plan()
    assert (plan.operation, plan.index, len(plan.key_conditions)) == ("Query", "GSI1", 2)
    assert "one Query per value (2), run concurrently" in str(query.explain())
    stub.on(
        "Query",
        {"Items": [_comment_item("c1", "Video", "v1")]},
        {"Items": [_comment_item("c2", "Video", "v2")]},
    )
    found = query.get()
    assert [c.id for c in found] == ["c1", "c2"]
    sent = stub.sent("Query")
    assert len(sent) == 2
    assert not stub.sent("Scan")
    partitions = [r.params["ExpressionAttributeValues"][":v0"]["S"] for r in sent]
    assert partitions == ["VIDEO#v1", "VIDEO#v2"]


def _comment_item(ident: str, kind: str, parent: str) -> dict[str, Any]:
    return {
        "pk": {"S": f"COMMENT#{ident}"},
        "sk": {"S": f"COMMENT#{ident}"},
        "_et": {"S": "Comment"},
        "id": {"S": ident},
        "body": {"S": "b"},
        "commentable_type": {"S": kind},
        "commentable_id": {"S": parent},
    }


def test_where_in_on_the_type_with_a_fixed_id_reads_each_types_partition(
    models: dict[str, type[Model]],
) -> None:
    Comment = models["Comment"]
    plan = (
        Comment.where_in("commentable_type", ["Post", "Video"]).where("commentable_id", "x").plan()
    )
    assert (plan.operation, len(plan.key_conditions)) == ("Query", 2)


def test_half_a_morph_is_a_scan_with_the_fix_named(models: dict[str, type[Model]]) -> None:
    Comment = models["Comment"]
    explained = Comment.where("commentable_id", "p1").explain()
    assert explained.operation == "Scan"
    assert 'add where("commentable_type", <one of Post, Video>)' in str(explained)


def test_an_unknown_type_in_a_where_is_named(models: dict[str, type[Model]]) -> None:
    Comment = models["Comment"]
    with pytest.raises(KeyValueError, match="must be one of Post, Video"):
        Comment.where("commentable_type", "Tag").where("commentable_id", "t1").plan()


# Polymorphic many-to-many.


def test_the_morph_pivot_joins_the_types_and_derives_the_missing_sides(
    registry: Registry,
) -> None:
    pivot = registry.schema.morph_pivot("Taggable")
    assert registry.schema.morph_pivot("taggable") is pivot
    assert (pivot.types, pivot.target, pivot.slot) == (("Post", "Video"), "Tag", 1)
    assert (pivot.type_attribute, pivot.id_attribute, pivot.target_key) == (
        "taggable_type",
        "taggable_id",
        "tag_id",
    )
    assert pivot.attributes == ("order",)
    assert pivot.relations == (("Post", "tags"), ("Video", "tags"))
    assert pivot.inverses == (("Post", "posts"), ("Video", "videos"))  # Tag.videos derived
    assert registry.schema.entity("Tag").morph_pivots == (pivot,)
    assert registry.schema.entity("Video").morph_pivots == (pivot,)


def test_morph_edge_keys_follow_the_edge_scheme(registry: Registry) -> None:
    pivot = registry.schema.morph_pivot("Taggable")
    keys = registry.keys.morph_edge_keys(pivot, morph_type="Post", morph_id="p1", target_id="t1")
    assert keys == {
        "pk": "POST#p1",
        "sk": "TAG#t1",
        "gsi1pk": "TAG#t1",
        "gsi1sk": "POST#p1",
        "_et": "Taggable",
    }
    with pytest.raises(KeyValueError, match="'Comment' is not a type of the 'taggable' edges"):
        registry.keys.morph_edge_keys(pivot, morph_type="Comment", morph_id="c", target_id="t")
    with pytest.raises(TypeError):
        registry.keys.morph_edge_keys(pivot, "Post", "p1", "t1")  # type: ignore[misc]


def test_morph_edge_items_carry_the_type_ids_and_pivot_attributes(registry: Registry) -> None:
    transformer = EntityTransformer(registry)
    edge = transformer.morph_edge_item(
        "Taggable", morph_type="Video", morph_id="v1", target_id="t1", values={"order": 2}
    )
    assert edge == {
        "pk": "VIDEO#v1",
        "sk": "TAG#t1",
        "gsi1pk": "TAG#t1",
        "gsi1sk": "VIDEO#v1",
        "_et": "Taggable",
        "taggable_type": "Video",
        "taggable_id": "v1",
        "tag_id": "t1",
        "order": 2,
    }
    with pytest.raises(Exception, match="Taggable edges have no attribute"):
        transformer.morph_edge_item(
            "Taggable", morph_type="Post", morph_id="p", target_id="t", values={"rank": 1}
        )


def test_morph_edges_query_from_either_side(registry: Registry) -> None:
    keys = registry.keys
    pivot = registry.schema.morph_pivot("Taggable")
    assert keys.morph_edges_query(pivot, "Post", "p1") == KeyQuery(
        None, "pk", "POST#p1", "sk", "TAG#"
    )
    assert keys.morph_edges_query(pivot, "Tag", "t1", "Video") == KeyQuery(
        "GSI1", "gsi1pk", "TAG#t1", "gsi1sk", "VIDEO#"
    )
    every = keys.morph_edges_query(pivot, "Tag", "t1")
    assert (every.partition_value, every.sort_prefix) == ("TAG#t1", "")
    with pytest.raises(KeyValueError, match="Comment is not a side"):
        keys.morph_edges_query(pivot, "Comment", "c1")
    with pytest.raises(KeyValueError, match="'Image' is not a type"):
        keys.morph_edges_query(pivot, "Tag", "t1", "Image")


def test_the_morph_pivot_slot_avoids_a_types_paths_to_the_target() -> None:
    post = ModelDefinition(
        "Post",
        "POST",
        relations=(
            rel("featured", "belongs_to", "Tag", foreign_key="featured_tag_id"),
            rel("tags", "morph_to_many", "Tag", morph_name="taggable"),
        ),
    )
    schema = registry_of(post, TAG).schema
    assert schema.entity("Post").gsi_paths[0].slot == 1
    assert schema.morph_pivot("Taggable").slot == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (rel("labels", "belongs_to_many", "Tag"), "also linked by a many-to-many"),
        (rel("tags", "has_many", "Tag", collection=True), "also a collection"),
    ],
)
def test_a_morph_pivot_sharing_keys_with_another_relation_is_refused(
    extra: RelationDefinition, message: str
) -> None:
    post = ModelDefinition(
        "Post",
        "POST",
        relations=(rel("taggings", "morph_to_many", "Tag", morph_name="taggable"), extra),
    )
    with pytest.raises(SchemaError, match=message):
        _ = registry_of(post, ModelDefinition("Tag", "TAG")).schema


def test_a_morph_pivot_named_like_a_model_is_refused() -> None:
    taggable = ModelDefinition("Taggable", "TAGGABLE")
    with pytest.raises(SchemaError, match="also a model or pivot name"):
        _ = registry_of(*MEDIA, taggable).schema


# Access patterns and the summary.


def test_access_patterns_of_polymorphic_relations(registry: Registry) -> None:
    patterns = registry.access_patterns()
    children = patterns.named("List Comments by Video (commentable)")
    assert (children.operation, children.index) == ("Query", "GSI1")
    assert children.key_condition == (
        'gsi1pk = "VIDEO#<commentable_id>" AND begins_with(gsi1sk, "COMMENT#")'
    )
    assert children.example == "video.comments.get()"
    bound = children.bind(commentable_id="v1")
    assert bound.key_query == KeyQuery("GSI1", "gsi1pk", "VIDEO#v1", "gsi1sk", "COMMENT#")
    image = patterns.named("Get Image of Post (imageable)")
    assert image.example == "post.image"
    parent = patterns.named("Get Video of Comment (commentable)")
    assert (parent.operation, parent.key) == (
        "GetItem",
        {"pk": "VIDEO#<commentable_id>", "sk": "VIDEO#<commentable_id>"},
    )
    tags = patterns.named("List Tags of Post (taggable)")
    assert (tags.operation, tags.index, tags.then) == ("Query", None, "BatchGetItem")
    assert tags.follow_up_keys([{"tag_id": "t1"}]) == [{"pk": "TAG#t1", "sk": "TAG#t1"}]
    videos = patterns.named("List Videos of Tag (taggable)")
    assert videos.key_condition == 'gsi1pk = "TAG#<tag_id>" AND begins_with(gsi1sk, "VIDEO#")'
    assert videos.example == "tag.videos.get()"
    every = patterns.named("List taggables of Tag (every type)")
    assert every.key_condition == 'gsi1pk = "TAG#<tag_id>"'
    assert every.filter == '_et = "Taggable"'
    edges = [
        {"taggable_type": "Post", "taggable_id": "p1"},
        {"taggable_type": "Video", "taggable_id": "v1"},
    ]
    assert every.follow_up_keys(edges) == [
        {"pk": "POST#p1", "sk": "POST#p1"},
        {"pk": "VIDEO#v1", "sk": "VIDEO#v1"},
    ]
    assert "List Comments by Post (commentable)" in patterns.to_markdown()


def test_the_summary_shows_morph_paths_and_edges(registry: Registry) -> None:
    summary = registry.summary()
    assert "Comment by commentable (a Post or Video) (gsi1pk=POST#<commentable_id>" in summary
    assert "Taggable (Video ↔ Tag, polymorphic): pk=VIDEO#<taggable_id>, sk=TAG#<tag_id>" in summary


# The Stacks front end gives the same definitions.


def test_stacks_morph_relations_are_the_python_definitions() -> None:
    assert (
        parse_stacks_model(
            {
                "name": "Post",
                "attributes": {"title": {"type": "string"}},
                "morphMany": [{"model": "Comment", "morphName": "commentable"}],
                "morphOne": {"model": "Image", "name": "imageable"},
                "morphToMany": [{"model": "Tag", "morphName": "taggable"}],
            }
        )
        == POST
    )
    assert (
        parse_stacks_model(
            {
                "name": "Video",
                "attributes": {"url": {"type": "string"}},
                "morphMany": ["Comment"],
                "morphToMany": [
                    {"model": "Tag", "morphName": "taggable", "pivotAttributes": ["order"]}
                ],
            }
        )
        == VIDEO
    )
    comment = {"name": "Comment", "attributes": {"body": {}}, "morphTo": "commentable"}
    assert parse_stacks_model(comment) == COMMENT
    tag = {
        "name": "Tag",
        "attributes": {"name": {}},
        "morphedByMany": [{"model": "Post", "morphName": "taggable"}],
    }
    assert parse_stacks_model(tag) == TAG


def test_stacks_morph_defaults_and_errors() -> None:
    post = parse_stacks_model({"name": "Post", "morphToMany": ["Tag"], "morphMany": ["Comment"]})
    assert {(r.name, r.morph_name) for r in post.relations} == {
        ("tags", "tagable"),
        ("comments", "commentable"),
    }
    tag = parse_stacks_model({"name": "Tag", "morphedByMany": ["Post"]})
    assert (tag.relations[0].name, tag.relations[0].morph_name) == ("posts", "tagable")
    named = parse_stacks_model(
        {"name": "Comment", "morphTo": [{"morphName": "commentable", "relationName": "parent"}]}
    )
    assert (named.relations[0].name, named.relations[0].morph_name) == ("parent", "commentable")
    with pytest.raises(SchemaError, match="a morphTo entry needs 'morphName'"):
        parse_stacks_model({"name": "Comment", "morphTo": [{"index": False}]})
    with pytest.raises(SchemaError, match="unknown property 'foreignKey' in a morphMany entry"):
        parse_stacks_model({"name": "Post", "morphMany": [{"model": "C", "foreignKey": "x"}]})
    with pytest.raises(SchemaError, match="a morphMany entry needs 'model'"):
        parse_stacks_model({"name": "Post", "morphMany": [{"morphName": "c"}]})
