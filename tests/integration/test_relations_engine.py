"""Relations against the engine: eager loading without N+1 (counted at the wire with the
public request recorder, through a proxy adding 10 ms per request), lazy loading and its
strict mode, many-to-many edges (scan-checked), relation filters and counts."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling import record_requests
from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ItemNotFoundError, QueryError
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    HasManyThrough,
    HasOne,
    LazyLoadingViolationError,
    Model,
    RelationNotLoadedError,
    prevent_lazy_loading,
)
from dynamodb_tooling.schema import Registry
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"rel-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Owner(Model, registry=registry):
        name: str
        grandchildren = HasManyThrough("Child", through="parents")

    class Parent(Model, registry=registry, soft_deletes=True):
        name: str
        owner = BelongsTo(Owner)
        children = HasMany("Child")
        profile = HasOne("Profile")
        tags = BelongsToMany("Tag", pivot_attributes=("weight", "added_at"))

    class Child(Model, registry=registry, soft_deletes=True):
        title: str
        score: int = 0

    class Profile(Model, registry=registry):
        bio: str

    class Tag(Model, registry=registry):
        label: str

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
    names = ("Owner", "Parent", "Child", "Profile", "Tag", "Shop", "Order", "Line")
    found = dict(zip(names, (Owner, Parent, Child, Profile, Tag, Shop, Order, Line), strict=True))
    yield {**found, "config": config, "registry": registry, "client": dynamodb_client}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def scan_all(app: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item in the table (unmarshalled)."""
    from dynamodb_tooling.marshal import unmarshall_item

    pages = app["client"].scan_all(app["config"].default_table_name)
    return [unmarshall_item(item) for item in pages.items]


def scan(model: Any) -> Any:
    """A query of every ``model`` item, read by a Scan on purpose (no warning)."""
    return model.query().force_scan()


def edges(app: dict[str, Any]) -> set[tuple[str, str]]:
    """(parent id, tag id) of every edge item in the table (a Scan: the ground truth)."""
    return {(i["parent_id"], i["tag_id"]) for i in scan_all(app) if i.get("_et") == "ParentTag"}


def seed_family(app: dict[str, Any], parents: int, children_each: int, owners: int) -> list[Any]:
    Owner, Parent, Child = app["Owner"], app["Parent"], app["Child"]
    made_owners = [Owner.create(name=f"O{i}") for i in range(owners)]
    made = []
    for n in range(parents):
        parent = Parent.create(name=f"P{n:02d}", owner_id=made_owners[n % owners].id)
        for c in range(children_each + n % 2):
            Child.create(title=f"{parent.name}-c{c}", parent_id=parent.id, score=c)
        made.append(parent)
    return made


def test_eager_loading_50_parents_is_not_n_plus_1(
    app: dict[str, Any], fault_proxy: FaultProxy
) -> None:
    Parent = app["Parent"]
    parents = seed_family(app, parents=50, children_each=2, owners=7)
    fault_proxy.inject(Fault("delay", seconds=0.01))
    set_config(validate_config(app["config"], endpoint=fault_proxy.endpoint))
    ids = [p.id for p in parents]
    started = time.perf_counter()
    with record_requests() as sent:
        found = Parent.with_("children", "owner").where_in("id", ids).get()
    elapsed = time.perf_counter() - started
    assert sorted(p.id for p in found) == sorted(ids)
    for parent in found:
        titles = sorted(c.title for c in parent.children)
        expected = 2 + int(parent.name[1:]) % 2
        assert titles == [f"{parent.name}-c{c}" for c in range(expected)]
        assert parent.owner is not None
        assert parent.owner.id == parent.owner_id
    owners = len({p.owner_id for p in parents})
    # 1 BatchGetItem of the parents (50 keys) + ceil(7/100) of owners + one Query per parent
    assert sent.count <= 1 + 1 + 50
    assert sent.by_operation()["Query"] == 50
    assert sent.by_operation()["BatchGetItem"] == 1 + -(-owners // 100)
    # The parents, then children and owners side by side (tests/orm/test_relations_flows.py
    # counts the flow's steps: two); here the fan-out must overlap at the wire.
    assert sent.max_in_flight > 4
    sequential = sum(r.duration for r in sent.requests)  # each request's own latency
    print(
        f"\n[relations] {sent.count} requests in {elapsed * 1000:.0f} ms; "
        f"{sequential * 1000:.0f} ms one after another"
    )
    assert elapsed < sequential * 0.5  # the fan-out overlapped


def test_collection_with_nested_collection_is_one_query(app: dict[str, Any]) -> None:
    Shop = app["Shop"]
    shop = Shop.create(name="S")
    first, second = shop.orders.create(total=3), shop.orders.create(total=5)
    first.lines.create(sku="a")
    first.lines.create(sku="b")
    with record_requests() as sent:
        found = Shop.with_("orders.lines").find(shop.id)
    assert sent.operations == ["Query"]
    assert [(o.id, [line.sku for line in o.lines]) for o in found.orders] == [
        (first.id, ["a", "b"]),
        (second.id, []),
    ]
    with record_requests() as sent:
        assert [o.total for o in Shop.find(shop.id).orders] == [3, 5]  # lazy: GetItem + Query
    assert sent.operations == ["GetItem", "Query"]


def test_many_to_many_edges_in_both_directions(app: dict[str, Any]) -> None:
    Parent, Tag = app["Parent"], app["Tag"]
    a, b = Parent.create(name="A"), Parent.create(name="B")
    red, green, blue = (Tag.create(label=x) for x in ("red", "green", "blue"))
    a.tags.attach(red, weight=3)
    a.tags.attach([green.id, blue])
    b.tags.attach({red.id: {"weight": 9}})
    assert edges(app) == {(a.id, red.id), (a.id, green.id), (a.id, blue.id), (b.id, red.id)}
    assert sorted(t.label for t in a.tags) == ["blue", "green", "red"]
    assert {p.name: p.pivot.weight for p in red.parents} == {"A": 3, "B": 9}
    assert sorted(p.name for p in Tag.find(green.id).parents) == ["A"]

    result = a.tags.sync({red.id: {"weight": 4}, green.id: {}})
    assert (result["attached"], result["detached"], result["updated"]) == ([], [blue.id], [red.id])
    assert edges(app) == {(a.id, red.id), (a.id, green.id), (b.id, red.id)}
    assert Parent.find(a.id).tags.where("label", "red").first().pivot.weight == 4

    assert a.tags.toggle([green, blue]) == {"attached": [blue.id], "detached": [green.id]}
    assert edges(app) == {(a.id, red.id), (a.id, blue.id), (b.id, red.id)}
    assert a.tags.update_existing_pivot(blue, weight=1) is True
    assert a.tags.update_existing_pivot(green, weight=1) is False
    assert a.tags.detach(red) == 1
    assert a.tags.detach() == 1
    assert edges(app) == {(b.id, red.id)}
    assert [t.label for t in Parent.with_("tags").find(b.id).tags] == ["red"]


def test_attach_refuses_missing_models_and_writes_nothing(app: dict[str, Any]) -> None:
    Parent, Tag = app["Parent"], app["Tag"]
    a = Parent.create(name="A")
    red = Tag.create(label="red")
    with pytest.raises(ItemNotFoundError, match="no Tag with id 'nope' exists"):
        a.tags.attach([red, "nope"])
    assert edges(app) == set()
    ghost = Parent(name="ghost", id="ghost-1")
    with pytest.raises(ItemNotFoundError, match="no Parent with id 'ghost-1'"):
        ghost.tags.attach(red)
    with pytest.raises(QueryError, match=r"pivot has no attribute.*'colour'"):
        a.tags.attach(red, colour="x")


def test_lazy_loading_strict_mode_and_event_loop(app: dict[str, Any]) -> None:
    Parent, Child, Owner = app["Parent"], app["Child"], app["Owner"]
    owner = Owner.create(name="O")
    parent = Parent.create(name="P", owner_id=owner.id)
    Child.create(title="c", parent_id=parent.id)
    child = Child.where("parent_id", parent.id).first()
    with prevent_lazy_loading(), pytest.raises(LazyLoadingViolationError, match=r"Child\.parent"):
        _ = child.parent
    with prevent_lazy_loading():
        loaded = Child.with_("parent.owner").where("parent_id", parent.id).first()
        assert loaded.parent.owner.name == "O"  # eager: allowed
    with record_requests() as sent:
        assert child.parent.name == "P"
        assert child.parent.name == "P"  # loaded once
    assert sent.operations == ["GetItem"]

    async def scenario() -> None:
        fresh = await Child.where("parent_id", parent.id).afirst()
        with pytest.raises(RelationNotLoadedError, match=r"await child\.aload"):
            _ = fresh.parent
        await fresh.aload("parent")
        assert fresh.parent.name == "P"
        assert [c.title for c in await parent.children.aget()] == ["c"]

    asyncio.run(scenario())


def test_relation_filters_and_counts(app: dict[str, Any]) -> None:
    Parent, _Child = app["Parent"], app["Child"]
    a, b, c = (Parent.create(name=n) for n in "ABC")
    for i in range(3):
        a.children.create(title=f"a{i}", score=i)
    b.children.create(title="b0", score=10)
    gone = c.children.create(title="c0")
    gone.delete()  # soft-deleted: not counted
    assert sorted(p.name for p in scan(Parent).has("children").get()) == ["A", "B"]
    assert [p.name for p in scan(Parent).has("children", ">=", 2).get()] == ["A"]
    assert [p.name for p in scan(Parent).doesnt_have("children").get()] == ["C"]
    high = scan(Parent).where_has("children", lambda q: q.where("score", ">=", 2)).get()
    assert sorted(p.name for p in high) == ["A", "B"]
    assert [
        p.name
        for p in scan(Parent)
        .where_doesnt_have("children", lambda q: q.where("score", ">", 5))
        .order_by("name")
        .get()
    ] == ["A", "C"]
    either = (
        scan(Parent)
        .has("children", ">=", 3)
        .or_where_has("children", lambda q: q.where("score", 10))
    )
    assert sorted(p.name for p in either.get()) == ["A", "B"]
    assert scan(Parent).has("children").order_by("name").first().name == "A"
    counts = {p.name: p.children_count for p in scan(Parent).with_count("children").get()}
    assert counts == {"A": 3, "B": 1, "C": 0}
    assert Parent.with_count("children").find(a.id).to_dict()["children_count"] == 3
    with pytest.raises(QueryError, match=r"no relation 'childs'.*did you mean 'children'"):
        Parent.with_("childs")


def test_relation_queries_writes_and_serialisation(app: dict[str, Any]) -> None:
    Parent, Child, Owner, Profile = app["Parent"], app["Child"], app["Owner"], app["Profile"]
    owner = Owner.create(name="O")
    parent = Parent.create(name="P", owner_id=owner.id)
    made = parent.children.create(title="one", score=1)
    assert made.parent_id == parent.id
    parent.children.save(Child(title="two", score=2))
    assert [c.title for c in parent.children.where("score", ">", 1).get()] == ["two"]
    assert parent.children.count() == 2
    assert len(parent.children) == 2
    assert parent.children[0].title == "one"
    Profile.create(bio="hi", parent_id=parent.id)
    assert parent.profile is not None
    assert parent.profile.bio == "hi"
    other = Owner.create(name="Other")
    parent.owner = other
    parent.save()
    assert Parent.find(parent.id).owner_id == other.id
    # owners see their parents (derived: owner.parents)
    assert [p.name for p in other.parents] == ["P"]
    data = Parent.with_("children", "owner", "profile").find(parent.id).to_dict(mode="json")
    assert data["owner"]["name"] == "Other"
    assert [c["title"] for c in data["children"]] == ["one", "two"]
    assert data["profile"]["bio"] == "hi"
    # load / load_missing on a collection of models
    everyone = scan(Parent).get().load("children")
    assert [len(p.children) for p in everyone] == [2]
    with record_requests() as sent:
        everyone.load_missing("children", "owner")
    assert sent.operations == ["GetItem"]  # the owner only: children were loaded already


def test_async_eager_loading_matches_sync(app: dict[str, Any]) -> None:
    Parent = app["Parent"]
    parents = seed_family(app, parents=6, children_each=1, owners=2)
    ids = [p.id for p in parents]

    async def scenario() -> list[tuple[str, int, str]]:
        found = await Parent.with_("children", "owner").where_in("id", ids).aget()
        return sorted((p.name, len(p.children), p.owner.name) for p in found)

    sync = sorted(
        (p.name, len(p.children), p.owner.name)
        for p in Parent.with_("children", "owner").where_in("id", ids).get()
    )
    assert asyncio.run(scenario()) == sync


def test_has_many_through_reads_two_hops(app: dict[str, Any]) -> None:
    Owner = app["Owner"]
    parents = seed_family(app, parents=6, children_each=1, owners=2)
    owners = Owner.find_many(sorted({p.owner_id for p in parents}))
    expected = {
        o.id: sorted(c.title for p in parents if p.owner_id == o.id for c in p.children)
        for o in owners
    }
    with record_requests() as sent:
        loaded = Owner.with_("grandchildren").where_in("id", [o.id for o in owners]).get()
    assert {o.id: sorted(c.title for c in o.grandchildren) for o in loaded} == expected
    assert sent.count == 1 + 2 + 6  # the owners; their parents; the parents' children
    first = owners[0]
    assert sorted(c.title for c in first.grandchildren) == expected[first.id]
    high = first.grandchildren.where("score", ">=", 1).get()
    assert sorted(c.title for c in high) == [t for t in expected[first.id] if t.endswith("c1")]


def test_edge_writes_join_an_orm_transaction(app: dict[str, Any]) -> None:
    from dynamodb_tooling.orm import transaction

    Parent, Tag = app["Parent"], app["Tag"]
    red = Tag.create(label="red")
    with record_requests() as sent, transaction():
        parent = Parent.create(name="T")
        parent.tags.attach(red, weight=2)
        assert edges(app) == set()  # nothing written before the commit
    # one transaction: the parent, its unique-free edge and the check that the tag exists
    assert [op for op in sent.operations if op != "Scan"] == ["TransactWriteItems"]
    assert edges(app) == {(parent.id, red.id)}

    def detach_then_fail() -> None:
        with transaction():
            parent.tags.detach(red)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        detach_then_fail()
    assert edges(app) == {(parent.id, red.id)}  # rolled back: never sent


def test_detach_then_delete_in_one_transaction(app: dict[str, Any]) -> None:
    from dynamodb_tooling.orm import transaction

    Parent, Tag = app["Parent"], app["Tag"]
    parent = Parent.create(name="D")
    red, blue = Tag.create(label="red"), Tag.create(label="blue")
    parent.tags.attach([red, blue])
    with record_requests() as sent, transaction():
        parent.tags.detach()  # reads the edges now; deletes them at commit
        parent.force_delete()
    assert [op for op in sent.operations if op != "Query"] == ["TransactWriteItems"]
    assert edges(app) == set()
    assert Parent.query().with_trashed().find(parent.id) is None


def test_many_to_many_results_serialise_their_pivot(app: dict[str, Any]) -> None:
    Parent, Tag = app["Parent"], app["Tag"]
    parent = Parent.create(name="S")
    red = Tag.create(label="red")
    parent.tags.attach(red, weight=7)
    data = Parent.with_("tags").find(parent.id).to_dict(mode="json")
    assert data["tags"][0]["pivot"] == {
        "parent_id": parent.id,
        "tag_id": red.id,
        "weight": 7,
        "added_at": None,
    }
    assert "pivot" not in Tag.find(red.id).to_dict()  # a plain read has no edge
