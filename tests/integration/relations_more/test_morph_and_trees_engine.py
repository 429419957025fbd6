"""Polymorphic relations (both directions, edges scan-checked), trees and has-many-through
against the engine."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import (
    LazyLoadingViolationError,
    prevent_lazy_loading,
)
from tests.integration.relations_more._support import label_edges, scan

pytestmark = pytest.mark.integration


# Polymorphic relations.
def test_morph_many_one_and_to_round_trip(app: Any) -> None:
    Post, Video, Comment, Image = app.Post, app.Video, app.Comment, app.Image
    post, video = Post.create(title="P"), Video.create(url="V")
    first = post.comments.create(body="on post")
    video.comments.create(body="on video")
    assert (first.commentable_type, first.commentable_id) == ("Post", post.id)
    assert [c.body for c in Post.find(post.id).comments] == ["on post"]
    assert [c.body for c in Video.find(video.id).comments] == ["on video"]
    assert Post.find(post.id).image is None
    Image.create(path="p.png", imageable_type="Post", imageable_id=post.id)
    assert Post.find(post.id).image.path == "p.png"
    assert Image.query().force_scan().first().imageable.title == "P"
    assert type(Comment.find(first.id).commentable) is Post
    moved = Comment.find(first.id)
    moved.commentable = video
    moved.save()
    assert sorted(c.body for c in Video.find(video.id).comments) == ["on post", "on video"]
    assert list(Post.find(post.id).comments) == []


def test_morph_to_over_mixed_types_is_one_request_per_type(app: Any) -> None:
    Post, Video, Comment = app.Post, app.Video, app.Comment
    posts = [Post.create(title=f"P{i}") for i in range(3)]
    video = Video.create(url="V")
    ids = [p.comments.create(body=f"on {p.title}").id for p in posts]
    ids += [video.comments.create(body="on V").id, posts[0].comments.create(body="again").id]
    ids.append(Comment.create(body="orphan").id)
    with record_requests() as sent:
        found = Comment.with_("commentable").where_in("id", ids).get()
    # the comments; then the posts (3 ids, one BatchGetItem) and the video, side by side
    assert sent.operations[0] == "BatchGetItem"
    assert sorted(sent.operations[1:]) == ["BatchGetItem", "GetItem"]
    by_body = {c.body: c.commentable for c in found}
    assert {body: getattr(parent, "title", None) for body, parent in by_body.items()} == {
        "on P0": "P0",
        "on P1": "P1",
        "on P2": "P2",
        "on V": None,
        "again": "P0",
        "orphan": None,
    }
    assert by_body["on V"].url == "V"
    assert by_body["orphan"] is None
    with record_requests() as sent:
        nested = Comment.with_("commentable.comments").where_in("id", ids[:4]).get()
    assert sorted(len(c.commentable.comments) for c in nested) == [1, 1, 1, 2]
    assert len(sent.operations) == 1 + 2 + 4  # comments; posts + video; one Query per parent


def test_morph_edges_attach_sync_detach_from_both_sides(app: Any) -> None:
    Post, Video, Label = app.Post, app.Video, app.Label
    post, video = Post.create(title="P"), Video.create(url="V")
    red, green, blue = (Label.create(name=n) for n in ("red", "green", "blue"))
    post.labels.attach(red, weight=3)
    post.labels.attach([green.id, blue])
    video.labels.attach({red.id: {"weight": 9}})
    green.videos.attach(video)  # from the label's side
    assert label_edges(app) == {
        ("Post", post.id, red.id),
        ("Post", post.id, green.id),
        ("Post", post.id, blue.id),
        ("Video", video.id, red.id),
        ("Video", video.id, green.id),
    }
    assert sorted((x.name, x.pivot.weight) for x in Post.find(post.id).labels) == [
        ("blue", None),
        ("green", None),
        ("red", 3),
    ]
    assert [p.title for p in Label.find(red.id).posts] == ["P"]
    assert [v.url for v in Label.find(red.id).videos] == ["V"]
    assert [(v.url, v.pivot.weight) for v in Label.find(red.id).videos] == [("V", 9)]

    result = post.labels.sync({red.id: {"weight": 4}, green.id: {}})
    assert (result["attached"], result["detached"], result["updated"]) == ([], [blue.id], [red.id])
    assert ("Post", post.id, blue.id) not in label_edges(app)
    assert [p.title for p in Label.find(blue.id).posts] == []
    assert post.labels.toggle([green, blue]) == {"attached": [blue.id], "detached": [green.id]}
    assert post.labels.update_existing_pivot(blue, weight=1) is True
    assert red.posts.detach(post) == 1  # from the label's side
    assert green.videos.detach() == 1
    assert label_edges(app) == {("Post", post.id, blue.id), ("Video", video.id, red.id)}
    assert [(x.name, x.pivot.weight) for x in Post.with_("labels").find(post.id).labels] == [
        ("blue", 1)
    ]
    with pytest.raises(QueryError, match=r"Label\.posts links Post models, not Video"):
        red.posts.attach(video)


def test_morph_edge_counts_filters_and_nested_loads(app: Any) -> None:
    Post, Video, Label = app.Post, app.Video, app.Label
    a = Post.create(title="A")
    Post.create(title="B")
    video = Video.create(url="V")
    red, green = Label.create(name="red"), Label.create(name="green")
    a.labels.attach([red, green])
    video.labels.attach(red)
    assert {p.title: p.labels_count for p in scan(Post).with_count("labels").get()} == {
        "A": 2,
        "B": 0,
    }
    assert [p.title for p in scan(Post).has("labels").get()] == ["A"]
    assert [p.title for p in scan(Post).doesnt_have("labels").get()] == ["B"]
    found = scan(Post).where_has("labels", lambda q: q.where("name", "green")).get()
    assert [p.title for p in found] == ["A"]
    counted = Label.with_count("posts", "videos").find(red.id)
    assert (counted.posts_count, counted.videos_count) == (1, 1)
    loaded = Post.with_("labels.videos").find(a.id)
    assert sorted((x.name, [v.url for v in x.videos]) for x in loaded.labels) == [
        ("green", []),
        ("red", ["V"]),
    ]


# Trees.
def make_tree(app: Any) -> dict[str, Any]:
    """root → a → a1 → a11, root → b."""
    Category = app.Category
    nodes = {"root": Category.create(name="root")}
    for name, parent in (("a", "root"), ("b", "root"), ("a1", "a"), ("a11", "a1")):
        nodes[name] = nodes[parent].children.create(name=name)
    return nodes


def test_tree_reads_cost_one_request_per_level_up_and_one_round_per_level_down(app: Any) -> None:
    Category = app.Category
    nodes = make_tree(app)
    leaf = Category.find(nodes["a11"].id)
    with record_requests() as sent:
        assert [n.name for n in leaf.ancestors()] == ["a1", "a", "root"]
    assert sent.operations == ["GetItem"] * 3  # depth 3: one GetItem per level
    assert leaf.parent.parent.name == "a"  # every node's parent is loaded
    root = Category.find(nodes["root"].id)
    with record_requests() as sent:
        assert [n.name for n in root.descendants()] == ["a", "b", "a1", "a11"]
    # 4 levels: root; a, b (side by side); a1; a11 (a leaf: its children are read once)
    assert sent.operations == ["Query"] * 5
    with prevent_lazy_loading():  # the whole tree is loaded: walking it sends nothing
        assert [(c.name, [g.name for g in c.children]) for c in root.children] == [
            ("a", ["a1"]),
            ("b", []),
        ]
    with record_requests() as sent:
        assert [n.name for n in Category.find(root.id).descendants(depth=1)] == ["a", "b"]
    assert sent.operations == ["GetItem", "Query"]
    with record_requests() as sent:
        (tree,) = Category.get_tree()
    assert sent.operations[0] == "Scan"
    assert sent.by_operation()["Query"] == 5
    assert tree.to_dict()["children"][0]["children"][0]["children"][0]["name"] == "a11"
    (shallow,) = Category.get_tree(depth=2)
    with prevent_lazy_loading():
        assert [[g.name for g in c.children] for c in shallow.children] == [["a1"], []]
        with pytest.raises(LazyLoadingViolationError):
            list(shallow.children[0].children[0].children)  # below the depth: not loaded


def test_a_cycle_in_a_tree_is_an_error_not_a_loop(app: Any) -> None:
    nodes = make_tree(app)
    Category = app.Category
    Category.find(nodes["root"].id).update(parent_id=nodes["a1"].id)  # root under its grandchild
    with pytest.raises(QueryError, match=r"ancestors form a cycle .*fix parent_id"):
        Category.find(nodes["a"].id).ancestors()
    with pytest.raises(QueryError, match=r"appears twice in the tree \(a cycle through parent_id"):
        Category.find(nodes["a"].id).descendants()
    assert list(Category.get_tree()) == []  # no root left


def test_trees_async_match_sync(app: Any) -> None:
    nodes = make_tree(app)
    Category = app.Category

    async def scenario() -> tuple[list[str], list[str], list[Any]]:
        leaf = await Category.afind(nodes["a11"].id)
        root = await Category.afind(nodes["root"].id)
        up = [n.name for n in await leaf.aancestors()]
        down = [n.name for n in await root.adescendants(depth=2)]
        return up, down, [t.to_dict(mode="json") for t in await Category.aget_tree()]

    sync = (
        [n.name for n in Category.find(nodes["a11"].id).ancestors()],
        [n.name for n in Category.find(nodes["root"].id).descendants(depth=2)],
        [t.to_dict(mode="json") for t in Category.get_tree()],
    )
    assert asyncio.run(scenario()) == sync
    assert sync[:2] == (["a1", "a", "root"], ["a", "b", "a1"])


# Has-many-through.
def test_has_many_through_counts_filters_and_skips_trashed_hops(app: Any) -> None:
    Owner, Parent = app.Owner, app.Parent
    rich, poor = Owner.create(name="rich"), Owner.create(name="poor")
    kept, gone = (
        Parent.create(name="K", owner_id=rich.id),
        Parent.create(name="G", owner_id=rich.id),
    )
    kept.children.create(title="k1", score=1)
    kept.children.create(title="k2", score=2)
    gone.children.create(title="g1")
    gone.delete()  # soft-deleted: its children are not reached through it
    Parent.create(name="E", owner_id=poor.id)
    assert sorted(c.title for c in Owner.find(rich.id).grandchildren) == ["k1", "k2"]
    counted = {o.name: o.grandchildren_count for o in scan(Owner).with_count("grandchildren").get()}
    assert counted == {"rich": 2, "poor": 0}
    assert [o.name for o in scan(Owner).has("grandchildren").get()] == ["rich"]
    high = scan(Owner).where_has("grandchildren", lambda q: q.where("score", ">", 1)).get()
    assert [o.name for o in high] == ["rich"]
    assert [c.title for c in rich.grandchildren.where("score", 2).get()] == ["k2"]
    assert asyncio.run(rich.grandchildren.acount()) == 2
