"""More relations against the engine, as a user relies on them: polymorphic relations (both
directions, edges scan-checked), trees, has-many-through, ``load_missing`` on nested paths,
eager loading with every reading terminal (pages, chunks, ``each``, ``async for``, ``first``,
``find``, ``find_many``) counted at the wire, soft-deleted related models, serialisation
(``to_dict()``, pydantic/FastAPI response models) that never leaks hidden attributes,
children created through their relation (collections too), and the async twins giving what
the sync terminals give. Complements ``test_relations_engine.py``."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import (
    BelongsTo,
    HasMany,
    HasManyThrough,
    LazyLoadingViolationError,
    Model,
    MorphedByMany,
    MorphMany,
    MorphOne,
    MorphTo,
    MorphToMany,
    attribute,
    prevent_lazy_loading,
)
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[Any]:
    config = validate_config(dynamodb_config, default_table_name=f"relx-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Owner(Model, registry=registry):
        name: str
        pin: str | None = attribute(hidden=True, default=None)
        grandchildren = HasManyThrough("Child", through="parents")

    class Parent(Model, registry=registry, soft_deletes=True):
        name: str
        owner = BelongsTo(Owner)
        children = HasMany("Child")

    class Child(Model, registry=registry, soft_deletes=True):
        title: str
        score: int = 0
        secret: str | None = attribute(hidden=True, default=None)

    class Post(Model, registry=registry):
        title: str
        secret: str | None = attribute(hidden=True, default=None)
        comments = MorphMany("Comment", name="commentable")
        image = MorphOne("Image", name="imageable")
        labels = MorphToMany("Label", name="labelable", pivot_attributes=("weight",))

    class Video(Model, registry=registry):
        url: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable", pivot_attributes=("weight",))

    class Comment(Model, registry=registry, soft_deletes=True):
        body: str
        token: str | None = attribute(hidden=True, default=None)
        commentable = MorphTo()

    class Image(Model, registry=registry):
        path: str
        imageable = MorphTo()

    class Label(Model, registry=registry):
        name: str
        posts = MorphedByMany("Post", name="labelable")
        videos = MorphedByMany("Video", name="labelable")

    class Category(Model, registry=registry):
        name: str
        children = HasMany("self")

    class Shop(Model, registry=registry):
        name: str
        orders = HasMany("Order", collection=True)

    class Order(Model, registry=registry):
        total: int
        lines = HasMany("Line", collection=True)

    class Line(Model, registry=registry):
        sku: str

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    models = (Owner, Parent, Child, Post, Video, Comment, Image, Label, Category, Shop, Order, Line)
    namespace = {model.__name__: model for model in models}
    yield type("App", (), {**namespace, "config": config, "client": dynamodb_client})
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def scan_all(app: Any) -> list[dict[str, Any]]:
    """Every item in the table (a Scan: the ground truth)."""
    pages = app.client.scan_all(app.config.default_table_name)
    return [unmarshall_item(item) for item in pages.items]


def label_edges(app: Any) -> set[tuple[str, str, str]]:
    """(type, model id, label id) of every polymorphic edge item in the table."""
    return {
        (i["labelable_type"], i["labelable_id"], i["label_id"])
        for i in scan_all(app)
        if i.get("_et") == "Labelable"
    }


def scan(model: Any) -> Any:
    return model.query().force_scan()


def reads(sent: Any) -> dict[str, int]:
    return dict(sent.by_operation())


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


# load_missing on nested paths.
def test_load_missing_reads_only_the_missing_parts_of_nested_paths(app: Any) -> None:
    Owner, Parent, Child = app.Owner, app.Parent, app.Child
    owner = Owner.create(name="O")
    parents = [Parent.create(name=f"P{i}", owner_id=owner.id) for i in range(3)]
    for parent in parents:
        parent.children.create(title=f"{parent.name}c")
    loaded = Parent.with_("children").where_in("id", [p.id for p in parents[:2]]).get()
    fresh = Parent.find(parents[2].id)
    everyone = type(loaded)([*loaded, fresh])
    with record_requests() as sent:
        everyone.load_missing("children.parent.owner")
    # Side by side: the third parent's children (one Query, then their parent and its
    # owner) and, for the children already loaded, their two parents (one BatchGetItem,
    # then the owner). Nothing already loaded is read again.
    assert sorted(sent.operations) == ["BatchGetItem", "GetItem", "GetItem", "GetItem", "Query"]
    assert all(c.parent.owner.name == "O" for p in everyone for c in p.children)
    with record_requests() as sent:
        everyone.load_missing("children.parent.owner")
    assert sent.count == 0  # everything is loaded now
    child = Child.with_("parent").where("parent_id", parents[0].id).first()
    with record_requests() as sent:
        child.load_missing("parent.owner")  # a to-one value below: its owner only
    assert sent.operations == ["GetItem"]
    assert child.parent.owner.name == "O"


def test_load_missing_below_a_morph_to_uses_each_types_relations(app: Any) -> None:
    Post, Video, Comment, Label = app.Post, app.Video, app.Comment, app.Label
    post, video = Post.create(title="P"), Video.create(url="V")
    red = Label.create(name="red")
    post.labels.attach(red)
    ids = [post.comments.create(body="p").id, video.comments.create(body="v").id]
    comments = Comment.with_("commentable").where_in("id", ids).get()
    with record_requests() as sent:
        comments.load_missing("commentable.labels", "commentable.comments")
    assert sorted(sent.operations).count("Query") == 4  # labels and comments of each type
    found = {type(c.commentable).__name__: c.commentable for c in comments}
    assert [x.name for x in found["Post"].labels] == ["red"]
    assert list(found["Video"].labels) == []
    assert [c.body for c in found["Video"].comments] == ["v"]

    async def again() -> list[str]:
        comment = await Comment.afind(ids[0])
        await comment.aload("commentable")
        await comment.aload_missing("commentable.labels")
        return [x.name for x in comment.commentable.labels]

    assert asyncio.run(again()) == ["red"]


# Eager loading with every reading terminal.
def seed(app: Any, parents: int = 5) -> list[Any]:
    Owner, Parent = app.Owner, app.Parent
    owners = [Owner.create(name="O0", pin="1"), Owner.create(name="O1", pin="2")]
    made = []
    for n in range(parents):
        parent = Parent.create(name=f"P{n}", owner_id=owners[n % 2].id)
        for c in range(2):
            parent.children.create(title=f"P{n}-c{c}", score=c, secret="s")
        made.append(parent)
    return made


def check_loaded(parents: Any) -> None:
    with prevent_lazy_loading():
        for parent in parents:
            assert [c.title for c in parent.children] == [f"{parent.name}-c0", f"{parent.name}-c1"]
            assert parent.owner.name == f"O{int(parent.name[1:]) % 2}"


def test_with_loads_per_page_and_per_chunk_not_per_item(app: Any) -> None:
    Parent = app.Parent
    seed(app)
    query = scan(Parent).with_("children", "owner")
    seen: list[Any] = []
    with record_requests() as sent:
        page = query.paginate(2)
        seen += page.items
        while page.has_more:
            page = query.paginate(2, page.next_cursor)
            seen += page.items
    check_loaded(seen)
    assert sorted(p.name for p in seen) == [f"P{n}" for n in range(5)]
    pages = sent.by_operation()
    assert pages["Query"] == 5  # one per parent
    assert pages.get("GetItem", 0) + pages.get("BatchGetItem", 0) == 3  # owners: one per page

    chunks: list[int] = []
    with record_requests() as sent:
        query.chunk(2, lambda part: chunks.append(len(part)) or check_loaded(part))
    assert sorted(chunks) == [1, 2, 2]
    assert sent.by_operation()["Query"] == 5
    assert sent.by_operation().get("GetItem", 0) + sent.by_operation().get("BatchGetItem", 0) == 3

    each: list[Any] = []
    with record_requests() as sent:
        query.each(each.append)
    check_loaded(each)
    assert len(each) == 5
    # one batch: a Query per parent, ONE BatchGetItem for both owners
    assert (sent.by_operation()["Query"], sent.by_operation()["BatchGetItem"]) == (5, 1)

    async def iterate() -> tuple[list[Any], dict[str, int]]:
        found = []
        async with record_requests() as sent:
            async for parent in query:
                found.append(parent)
        return found, reads(sent)

    found, counted = asyncio.run(iterate())
    check_loaded(found)
    assert (counted["Query"], counted["BatchGetItem"]) == (5, 1)

    async def twins() -> tuple[list[Any], list[Any], list[Any], dict[str, int]]:
        pages: list[Any] = []
        parts: list[Any] = []
        each: list[Any] = []
        async with record_requests() as sent:
            page = await query.apaginate(2)
            pages += page.items
            while page.has_more:
                page = await query.apaginate(2, page.next_cursor)
                pages += page.items
            await query.achunk(2, parts.append)
            await query.aeach(each.append)
        return pages, parts, each, reads(sent)

    pages, parts, each, counted = asyncio.run(twins())
    check_loaded([*pages, *each, *(p for part in parts for p in part)])
    assert sorted(len(part) for part in parts) == [1, 2, 2]
    assert counted["Query"] == 5 * 3  # per parent, once per terminal


def test_with_and_first_find_find_many(app: Any) -> None:
    Parent = app.Parent
    parents = seed(app, parents=3)
    owner_id = parents[0].owner_id
    with record_requests() as sent:
        first = Parent.with_("children", "owner").where("owner_id", owner_id).first()
    check_loaded([first])
    assert sent.operations == ["Query", "Query", "GetItem"]  # it, its children, its owner
    with record_requests() as sent:
        found = Parent.with_("children", "owner").find(parents[1].id)
    check_loaded([found])
    assert sent.operations == ["GetItem", "Query", "GetItem"]
    with record_requests() as sent:
        many = Parent.with_("children", "owner").find_many([p.id for p in parents])
    check_loaded(many)
    assert sent.by_operation() == {"BatchGetItem": 2, "Query": 3}  # the parents; the owners
    assert Parent.with_("children").find("missing") is None

    async def twins() -> list[Any]:
        one = await Parent.with_("children", "owner").where("owner_id", owner_id).afirst()
        two = await Parent.with_("children", "owner").afind(parents[1].id)
        three = await Parent.with_("children", "owner").afind_many([p.id for p in parents])
        return [one, two, *three]

    loaded = asyncio.run(twins())
    check_loaded(loaded)
    assert [p.to_dict() for p in loaded] == [p.to_dict() for p in [first, found, *many]]


def test_eager_constraints_order_and_limit_each_parents_children(app: Any) -> None:
    Parent = app.Parent
    parents = seed(app, parents=3)
    ids = [p.id for p in parents]
    latest = Parent.with_({"children": lambda q: q.where("score", ">=", 0).limit(1)})
    with record_requests() as sent:
        found = latest.where_in("id", ids).get()
    assert sorted([c.title for c in p.children] for p in found) == [
        ["P0-c0"],
        ["P1-c0"],
        ["P2-c0"],
    ]
    assert sent.by_operation()["Query"] == 3
    high = Parent.with_({"children": lambda q: q.where("score", 1)}).where_in("id", ids).get()
    assert sorted(c.title for p in high for c in p.children) == ["P0-c1", "P1-c1", "P2-c1"]


# Soft-deleted related models.
def test_trashed_children_are_left_out_unless_a_constraint_asks(app: Any) -> None:
    Parent, Child = app.Parent, app.Child
    parent = Parent.create(name="P")
    parent.children.create(title="kept")
    parent.children.create(title="gone").delete()
    with_ = Parent.with_("children").find(parent.id)
    assert [c.title for c in with_.children] == ["kept"]
    assert Parent.with_count("children").find(parent.id).children_count == 1
    trashed = Parent.with_({"children": lambda q: q.with_trashed()}).find(parent.id)
    assert sorted(c.title for c in trashed.children) == ["gone", "kept"]
    only = Parent.with_({"children": lambda q: q.only_trashed()}).find(parent.id)
    assert [c.title for c in only.children] == ["gone"]
    counted = Parent.with_count({"children": lambda q: q.with_trashed()}).find(parent.id)
    assert counted.children_count == 2
    assert [c.title for c in Parent.find(parent.id).children] == ["kept"]
    assert parent.children.with_trashed().count() == 2
    only_trashed = scan(Parent).where_has("children", lambda q: q.only_trashed())
    assert [p.name for p in only_trashed.get()] == ["P"]
    # a trashed parent is not a child's parent, unless asked for
    orphan = Child.where("parent_id", parent.id).first()
    parent.delete()
    assert Child.with_("parent").find(orphan.id).parent is None
    found = Child.with_({"parent": lambda q: q.with_trashed()}).find(orphan.id)
    assert found.parent.name == "P"


# Serialisation.
def test_serialised_relations_never_leak_hidden_attributes(app: Any) -> None:
    Owner, Parent, Child, Post = app.Owner, app.Parent, app.Child, app.Post
    parents = seed(app, parents=2)
    post = Post.create(title="T", secret="post-secret")
    post.comments.create(body="b", token="comment-token")
    loaded = Parent.with_("children.parent", "owner").find(parents[0].id)
    data = loaded.to_dict(mode="json")
    assert data["owner"] == {"id": loaded.owner_id, "name": "O0"}
    assert [c["title"] for c in data["children"]] == ["P0-c0", "P0-c1"]
    assert all("secret" not in c for c in data["children"])
    assert data["children"][0]["parent"]["name"] == "P0"
    comment = post.comments.with_("commentable").first()
    assert comment.commentable.title == "T"
    text = loaded.to_json() + comment.to_json()
    for hidden in ("pin", "secret", "token", "post-secret", "comment-token", '"1"'):
        assert hidden not in text

    class ChildOut(pydantic.BaseModel, from_attributes=True):
        title: str

    class OwnerOut(pydantic.BaseModel, from_attributes=True):
        name: str

    class ParentOut(pydantic.BaseModel, from_attributes=True):
        name: str
        owner: OwnerOut | None
        children: list[ChildOut]

    out = ParentOut.model_validate(loaded)
    assert out.model_dump() == {
        "name": "P0",
        "owner": {"name": "O0"},
        "children": [{"title": "P0-c0"}, {"title": "P0-c1"}],
    }

    class Roster(pydantic.BaseModel):  # FastAPI-style: the models themselves as fields
        parent: Parent  # type: ignore[valid-type]
        children: list[Child]  # type: ignore[valid-type]
        owner: Owner  # type: ignore[valid-type]

    roster = Roster(parent=loaded, children=list(loaded.children), owner=loaded.owner)
    dumped = roster.model_dump(mode="json")
    assert dumped["parent"]["owner"] == {"id": loaded.owner_id, "name": "O0"}
    assert dumped["parent"]["children"][1]["title"] == "P0-c1"
    assert "pin" not in dumped["owner"]
    assert all("secret" not in c for c in dumped["children"])
    assert "secret" not in str(roster.model_dump_json())
    with prevent_lazy_loading():  # serialising never lazy-loads: what is loaded is shown
        assert "children" not in Parent.find(parents[1].id).to_dict()


# Children created through their relation.
def test_children_created_through_the_relation_get_their_keys(app: Any) -> None:
    Shop, Order, Line, Parent = app.Shop, app.Order, app.Line, app.Parent
    shop = Shop.create(name="S")
    order = shop.orders.create(total=3)
    assert order.shop_id == shop.id
    line = order.lines.create(sku="a")
    assert (line.order_id, line.shop_id) == (order.id, shop.id)  # the ancestor's id too
    more = order.lines.create_many([{"sku": "b"}, {"sku": "c"}])
    assert [x.sku for x in more] == ["b", "c"]
    stored = {i["sk"]: i["pk"] for i in scan_all(app) if i.get("_et") in ("Order", "Line")}
    assert stored[f"ORDER#{order.id}"] == f"SHOP#{shop.id}"
    assert stored[f"ORDER#{order.id}#LINE#{line.id}"] == f"SHOP#{shop.id}"
    assert [x.sku for x in Order.find(order.id).lines] == ["a", "b", "c"]
    assert Line.find(line.id).order.total == 3
    with record_requests() as sent:
        loaded = Shop.with_("orders.lines").find(shop.id)
    assert sent.operations == ["Query"]
    with record_requests() as sent:
        loaded.orders.create(total=5)  # a loaded relation stays current
        assert sorted(o.total for o in loaded.orders) == [3, 5]
    assert sent.operations == ["PutItem"]
    with pytest.raises(QueryError, match=r"shop_id is set by the relation"):
        shop.orders.create(total=1, shop_id="other")
    parent = Parent.create(name="P")
    made = parent.children.make(title="unsaved")
    assert (made.parent_id, made.exists) == (parent.id, False)
    saved = parent.children.save(app.Child(title="adopted"))
    assert saved.parent_id == parent.id

    async def through_async() -> tuple[Any, Any]:
        order2 = await shop.orders.acreate(total=7)
        line2 = await order2.lines.acreate(sku="z")
        return order2, line2

    order2, line2 = asyncio.run(through_async())
    assert (order2.shop_id, line2.order_id, line2.shop_id) == (shop.id, order2.id, shop.id)
    assert [x.sku for x in Order.find(order2.id).lines] == ["z"]


# Relation filters with every terminal.
def test_relation_filters_apply_to_count_first_pluck_value_and_bulk_writes(app: Any) -> None:
    Parent = app.Parent
    a, b, _ = (Parent.create(name=n) for n in "ABC")
    a.children.create(title="a1")
    b.children.create(title="b1")
    with_children = scan(Parent).has("children")
    assert with_children.count() == 2
    assert sorted(with_children.pluck("name")) == ["A", "B"]
    childless = scan(Parent).doesnt_have("children")
    assert childless.value("name") == "C"
    assert childless.first().name == "C"
    assert childless.exists()
    assert asyncio.run(childless.acount()) == 1
    assert asyncio.run(childless.afirst()).name == "C"
    assert childless.delete() == 1  # the childless one only (a soft delete)
    assert sorted(p.name for p in scan(Parent).get()) == ["A", "B"]
    assert (
        asyncio.run(scan(Parent).where_has("children", lambda q: q.where("title", "b1")).adelete())
        == 1
    )
    assert [p.name for p in scan(Parent).get()] == ["A"]


# The async twins.
def test_async_twins_give_what_the_sync_terminals_give(app: Any) -> None:
    Post, Label, Comment = app.Post, app.Label, app.Comment

    def make(tag: str) -> tuple[Any, list[Any]]:
        post = Post.create(title=f"{tag}-post")
        labels = [Label.create(name=f"{tag}-{n}") for n in range(3)]
        return post, labels

    def outcome(post: Any, labels: list[Any]) -> Any:
        """What a scan reads back, ids replaced by names."""
        names = {x.id: x.name.split("-")[1] for x in labels}
        edges = sorted(names[i] for _, pid, i in label_edges(app) if pid == post.id)
        fresh = Post.with_("labels", "comments").find(post.id)
        return (
            edges,
            sorted((names[x.id], x.pivot.weight) for x in fresh.labels),
            sorted(c.body for c in fresh.comments),
        )

    post, labels = make("s")
    results: list[Any] = []
    post.labels.attach(labels[:2], weight=1)
    results.append(post.labels.sync({labels[1].id: {"weight": 2}, labels[2].id: {}}))
    results.append(post.labels.toggle([labels[0], labels[2]]))
    results.append(post.labels.update_existing_pivot(labels[0], weight=5))
    results.append(post.labels.detach(labels[1]))
    post.comments.create(body="hello")
    loaded = Post.find(post.id).load("labels", "comments").load_count("comments")
    results.append((len(loaded.labels), loaded.comments_count))
    results.append(len(Post.find(post.id).load_missing("comments").comments))
    sync = (results, outcome(post, labels))

    async def scenario() -> Any:
        apost, alabels = make("a")
        found: list[Any] = []
        await apost.labels.aattach(alabels[:2], weight=1)
        found.append(await apost.labels.async_({alabels[1].id: {"weight": 2}, alabels[2].id: {}}))
        found.append(await apost.labels.atoggle([alabels[0], alabels[2]]))
        found.append(await apost.labels.aupdate_existing_pivot(alabels[0], weight=5))
        found.append(await apost.labels.adetach(alabels[1]))
        await apost.comments.acreate(body="hello")
        again = await Post.afind(apost.id)
        await again.aload("labels", "comments")
        await again.aload_count("comments")
        found.append((len(again.labels), again.comments_count))
        other = await Post.afind(apost.id)
        await other.aload_missing("comments")
        found.append(len(other.comments))
        return found, apost, alabels

    found, apost, alabels = asyncio.run(scenario())
    translate = {x.id: y.id for x, y in zip(alabels, labels, strict=True)}

    def same_ids(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [translate[i] for i in v] for k, v in value.items()}
        return value

    assert ([same_ids(r) for r in found], outcome(apost, alabels)) == sync
    assert sync[1] == (["0"], [("0", 5)], ["hello"])
    assert [c.body for c in Comment.query().force_scan().get()] == ["hello", "hello"]


def test_two_relations_to_one_parent_are_both_reachable(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> None:
    config = validate_config(dynamodb_config, default_table_name=f"twin-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Person(Model, registry=registry):
        name: str

    class Review(Model, registry=registry):
        body: str
        author = BelongsTo(Person, foreign_key="author_id")
        editor = BelongsTo(Person, foreign_key="editor_id")

    dynamodb_client.create_table(registry.table_definition())
    try:
        ada, bob = Person.create(name="Ada"), Person.create(name="Bob")
        Review.create(body="r1", author_id=ada.id, editor_id=bob.id)
        Review.create(body="r2", author_id=bob.id, editor_id=bob.id)
        assert sorted(Person.relation_names()) == ["author_reviews", "editor_reviews"]
        assert [r.body for r in ada.author_reviews] == ["r1"]
        assert sorted(r.body for r in bob.editor_reviews) == ["r1", "r2"]
        loaded = Person.with_("author_reviews", "editor_reviews").find(bob.id)
        assert ([r.body for r in loaded.author_reviews], len(loaded.editor_reviews)) == (["r2"], 2)
    finally:
        dynamodb_client.delete_table(config.default_table_name)
        reset_config()
