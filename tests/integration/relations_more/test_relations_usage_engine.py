"""Serialisation that never leaks hidden attributes, children created through their relation,
relation filters with every terminal and the async twins, against the engine."""

import asyncio
import uuid
from typing import Any

import pydantic
import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import (
    BelongsTo,
    Model,
    prevent_lazy_loading,
)
from dynamodb_tooling.schema import Registry
from tests.integration.relations_more._support import label_edges, scan, scan_all, seed

pytestmark = pytest.mark.integration


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
