"""``load_missing`` on nested paths, eager loading with every reading terminal (pages, chunks,
``each``, ``async for``, ``first``, ``find``, ``find_many``) counted at the wire, and
soft-deleted related models, against the engine."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from tests.integration.relations_more._support import check_loaded, reads, scan, seed

pytestmark = pytest.mark.integration


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
