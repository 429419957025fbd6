"""Relations without a server: the exact requests each loading pattern compiles and how many
ROUNDS (flow steps) it takes, edge writes as transactions, and every user error refused
before any request.

Requests go to a stub executor that keeps each flow step (one request, or a
``Concurrently`` of several) and answers from a tiny in-memory table, so results are
hydrated and matched as on a real engine; what is asserted is what was sent."""

import asyncio
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling._types import Response
from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import marshall_item, unmarshall, unmarshall_item
from dynamodb_tooling.orm import (
    BelongsTo,
    BelongsToMany,
    HasMany,
    LazyLoadingViolationError,
    Model,
    MorphMany,
    MorphTo,
    MorphToMany,
    RelationNotLoadedError,
    prevent_lazy_loading,
)
from dynamodb_tooling.orm.relations.pivot import EDGES_PER_TRANSACTION, edge_item
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, drive
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor

T = TypeVar("T")

TABLE = "MainTable"


class FakeTable:
    """Items by key, answering the reads relations send: GetItem, BatchGetItem, Query (the
    partition, a ``begins_with`` on the sort key, ``=`` filters, ``Select=COUNT``) and Scan
    (``=`` filters). Writes are acknowledged and not applied."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, *items: Any) -> None:
        for item in items:
            self.items.append(item.to_item() if isinstance(item, Model) else dict(item))

    def _get(self, wire_key: dict[str, Any]) -> dict[str, Any] | None:
        key = unmarshall_item(wire_key)
        return next((i for i in self.items if all(i.get(k) == v for k, v in key.items())), None)

    def answer(self, request: Request) -> Response:
        params = request.params
        if request.operation == "GetItem":
            found = self._get(params["Key"])
            return {"Item": marshall_item(found)} if found else {}
        if request.operation == "BatchGetItem":
            responses = {
                table: [marshall_item(f) for k in spec["Keys"] if (f := self._get(k)) is not None]
                for table, spec in params["RequestItems"].items()
            }
            return {"Responses": responses, "UnprocessedKeys": {}}
        if request.operation in ("Query", "Scan"):
            found = [i for i in self.items if _matches(params, i)]
            if params.get("Select") == "COUNT":
                return {"Count": len(found), "ScannedCount": len(found)}
            return {"Items": [marshall_item(i) for i in found], "Count": len(found)}
        return {}


def _matches(params: dict[str, Any], item: dict[str, Any]) -> bool:
    names = params.get("ExpressionAttributeNames", {})
    values = {k: unmarshall(v) for k, v in params.get("ExpressionAttributeValues", {}).items()}
    for expression in (params.get("KeyConditionExpression"), params.get("FilterExpression")):
        for clause in (expression or "").split(" AND "):
            if not clause:
                continue
            equal = re.fullmatch(r"\(?(#\w+) = (:\w+)\)?", clause)
            prefix = re.fullmatch(r"begins_with\((#\w+), (:\w+)\)", clause)
            absent = re.fullmatch(r"attribute_not_exists\((#\w+)\)", clause)
            if equal:
                if item.get(names[equal[1]]) != values[equal[2]]:
                    return False
            elif prefix:
                if not str(item.get(names[prefix[1]], "")).startswith(values[prefix[2]]):
                    return False
            elif absent:
                if names[absent[1]] in item:
                    return False
            else:  # an expression this fake does not read: the test must not rely on it
                raise AssertionError(f"FakeTable cannot evaluate {clause!r}")
    return True


class RoundRecorder(StubExecutor):
    """A stub executor that also keeps every flow step it runs: ``rounds`` lists, per
    step, the requests sent together."""

    def __init__(self, table: FakeTable) -> None:
        super().__init__(answer=table.answer)
        self.rounds: list[list[Request]] = []

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._step)

    def _step(self, step: Request | Concurrently | Sleep) -> Any:
        if isinstance(step, Sleep):
            return None
        if isinstance(step, Request):
            self.rounds.append([step])
            return self.execute(step)
        self.rounds.append(list(step.requests))
        answers: list[Any] = []
        for request in step.requests:
            try:
                answers.append(self.execute(request))
            except Exception as exc:
                if not step.return_exceptions:
                    raise
                answers.append(exc)
        return answers

    def shape(self) -> list[list[str]]:
        """Each round's operations, in order."""
        return [[r.operation for r in found] for found in self.rounds]

    def reset(self) -> None:
        self.requests.clear()
        self.rounds.clear()


@pytest.fixture
def table() -> FakeTable:
    return FakeTable()


@pytest.fixture
def wire(table: FakeTable, monkeypatch: pytest.MonkeyPatch) -> RoundRecorder:
    """Every model and query request of the test goes to a round recorder (no server)."""
    executor = RoundRecorder(table)
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


@pytest.fixture
def m(registry: Registry) -> Any:
    """The models of these tests (attributes of one namespace)."""

    class Owner(Model, registry=registry):
        name: str

    class Parent(Model, registry=registry):
        name: str
        owner = BelongsTo(Owner)
        children = HasMany("Child")
        tags = BelongsToMany("Tag", pivot_attributes=("weight",))

    class Child(Model, registry=registry, soft_deletes=True):
        title: str
        toys = HasMany("Toy")

    class Toy(Model, registry=registry):
        name: str

    class Tag(Model, registry=registry):
        label: str

    class Post(Model, registry=registry):
        title: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable")

    class Video(Model, registry=registry):
        url: str
        comments = MorphMany("Comment", name="commentable")
        labels = MorphToMany("Label", name="labelable")

    class Comment(Model, registry=registry):
        body: str
        commentable = MorphTo()

    class Label(Model, registry=registry):
        name: str

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

    every = (Owner, Parent, Child, Toy, Tag, Post, Video, Comment, Label, Category, Shop, Order)
    return SimpleNamespace(**{model.__name__: model for model in (*every, Line)})


def stored(model: type[Model], **values: Any) -> Any:
    """A model as read from the table (``exists``), without a request."""
    return model.from_item(model(**values).to_item())


def key_value(request: Request, name: str = ":v0") -> Any:
    return unmarshall(request.params["ExpressionAttributeValues"][name])


def batch_keys(request: Request) -> list[str]:
    (spec,) = request.params["RequestItems"].values()
    return [unmarshall_item(k)["pk"] for k in spec["Keys"]]


def family(m: Any, table: FakeTable) -> list[Any]:
    """Owners o0, o1; parents p0..p2 (p0 and p2 share o0); children c<parent><n>; toys."""
    owners = [stored(m.Owner, id=f"o{i}", name=f"O{i}") for i in range(2)]
    parents = [stored(m.Parent, id=f"p{i}", name=f"P{i}", owner_id=f"o{i % 2}") for i in range(3)]
    table.add(*owners, *parents)
    for parent in parents:
        for n in range(2):
            child = stored(m.Child, id=f"c{parent.id}{n}", title=f"{parent.name}-{n}")
            child.parent_id = parent.id
            table.add(child)
            table.add(stored(m.Toy, id=f"t{child.id}", name="toy", child_id=child.id))
    return parents


# Eager loading: rounds and requests.
def test_children_and_owner_load_in_one_round_after_the_parents(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    family(m, table)
    found = m.Parent.with_("children", "owner").where_in("id", ["p0", "p1", "p2"]).get()
    assert wire.shape() == [["BatchGetItem"], ["Query", "Query", "Query", "BatchGetItem"]]
    queries = wire.rounds[1][:3]
    assert [key_value(q) for q in queries] == ["PARENT#p0", "PARENT#p1", "PARENT#p2"]
    for query in queries:
        assert query.params["IndexName"].startswith("GSI")
        assert key_value(query, ":v1") == "CHILD#"
        assert "begins_with" in query.params["KeyConditionExpression"]
    assert batch_keys(wire.rounds[1][3]) == ["OWNER#o0", "OWNER#o1"]  # o0 once, for p0 and p2
    assert {p.id: [c.title for c in p.children] for p in found} == {
        "p0": ["P0-0", "P0-1"],
        "p1": ["P1-0", "P1-1"],
        "p2": ["P2-0", "P2-1"],
    }
    assert {p.id: p.owner.id for p in found} == {"p0": "o0", "p1": "o1", "p2": "o0"}
    assert all(p.relation_loaded("children") and p.relation_loaded("owner") for p in found)


def test_each_nested_level_is_one_more_round(m: Any, table: FakeTable, wire: RoundRecorder) -> None:
    family(m, table)
    found = m.Parent.with_("children.toys", "owner").where_in("id", ["p0", "p1"]).get()
    assert wire.shape() == [
        ["BatchGetItem"],
        ["Query", "Query", "BatchGetItem"],  # the children of both parents, the owners
        ["Query"] * 4,  # the toys of all four children, side by side
    ]
    assert sorted(key_value(q) for q in wire.rounds[2]) == [
        "CHILD#cp00",
        "CHILD#cp01",
        "CHILD#cp10",
        "CHILD#cp11",
    ]
    assert [[t.id for t in c.toys] for c in found[0].children] == [["tcp00"], ["tcp01"]]


def test_a_limit_in_an_eager_constraint_is_per_parent(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parents = family(m, table)
    first_only = m.Parent.with_({"children": lambda q: q.limit(1)})
    flow = first_only._load_flow(parents)
    assert flow is not None
    wire.run(flow)
    assert wire.shape() == [["Query"] * 3]  # as without a limit: one Query per parent
    assert [key_value(q) for q in wire.requests] == ["PARENT#p0", "PARENT#p1", "PARENT#p2"]
    assert [[c.title for c in p.children] for p in parents] == [["P0-0"], ["P1-0"], ["P2-0"]]


def test_load_on_loaded_models_costs_the_same_rounds(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parents = family(m, table)
    flow = m.Parent.with_("children.toys").where_in("id", ["p0"])._load_flow(parents)
    assert flow is not None
    wire.run(flow)
    assert wire.shape() == [["Query"] * 3, ["Query"] * 6]
    wire.reset()
    one = stored(m.Parent, id="p1", name="P1", owner_id="o1")
    one.load("owner", "children")
    assert wire.shape() == [["GetItem", "Query"]]  # one parent: its owner is a GetItem


def test_belongs_to_reads_each_distinct_parent_once(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    family(m, table)
    siblings = [stored(m.Child, id=f"s{i}", title="s", parent_id="p0") for i in range(3)]
    wire.run(m.Child.with_("parent")._load_flow(siblings))
    assert wire.shape() == [["GetItem"]]  # one distinct parent: GetItem
    assert wire.requests[0].params["Key"] == marshall_item({"pk": "PARENT#p0", "sk": "PARENT#p0"})
    assert all(s.parent.id == "p0" for s in siblings)
    wire.reset()
    mixed = [stored(m.Child, id=f"x{i}", title="x", parent_id=f"p{i % 2}") for i in range(6)]
    orphan = stored(m.Child, id="orphan", title="o")
    wire.run(m.Child.with_("parent")._load_flow([*mixed, orphan]))
    assert wire.shape() == [["BatchGetItem"]]
    assert batch_keys(wire.requests[0]) == ["PARENT#p0", "PARENT#p1"]  # each id once
    assert orphan.parent is None  # no foreign key: nothing read, None
    assert [c.parent.id for c in mixed] == ["p0", "p1"] * 3


def test_belongs_to_over_100_parents_is_parallel_batches_in_one_round(
    m: Any, wire: RoundRecorder
) -> None:
    children = [stored(m.Child, id=f"k{i}", title="k", parent_id=f"p{i}") for i in range(150)]
    wire.run(m.Child.with_("parent")._load_flow(children))
    assert wire.shape() == [["BatchGetItem", "BatchGetItem"]]
    assert [len(batch_keys(r)) for r in wire.requests] == [100, 50]


def test_many_to_many_is_edge_queries_then_one_batch_get(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parents = family(m, table)
    tags = [stored(m.Tag, id=f"g{i}", label=f"L{i}") for i in range(3)]
    table.add(*tags)
    relation = _bound(m.Parent, "tags")
    for parent_id, tag_id, weight in (("p0", "g0", 1), ("p0", "g1", 2), ("p1", "g0", 3)):
        table.add(edge_item(relation, parent_id, tag_id, {"weight": weight}))
    wire.run(m.Parent.with_("tags")._load_flow(parents))
    assert wire.shape() == [["Query"] * 3, ["BatchGetItem"]]
    for query, parent in zip(wire.rounds[0], parents, strict=True):
        assert "IndexName" not in query.params  # the owner side: the parent's own partition
        assert key_value(query) == f"PARENT#{parent.id}"
        assert key_value(query, ":v1") == "TAG#"
        filter_name = query.params["FilterExpression"].split(" = ")[0]
        assert query.params["ExpressionAttributeNames"][filter_name] == "_et"
        assert key_value(query, ":v2") == "ParentTag"
    assert batch_keys(wire.rounds[1][0]) == ["TAG#g0", "TAG#g1"]  # g0 once for p0 and p1
    assert [(t.id, t.pivot.weight) for t in parents[0].tags] == [("g0", 1), ("g1", 2)]
    assert [(t.id, t.pivot.weight) for t in parents[1].tags] == [("g0", 3)]
    assert list(parents[2].tags) == []

    wire.reset()
    wire.run(m.Tag.with_("parents")._load_flow(tags[:2]))
    assert wire.shape() == [["Query", "Query"], ["BatchGetItem"]]
    for query in wire.rounds[0]:
        assert query.params["IndexName"].startswith("GSI")  # the other side: the GSI
        assert key_value(query, ":v2") == "ParentTag"
    assert sorted(p.id for p in tags[0].parents) == ["p0", "p1"]


def _bound(model: type[Model], name: str) -> Any:
    from dynamodb_tooling.orm.relations.registry import relation_of

    return relation_of(model, name)


def test_morph_to_reads_each_type_once_side_by_side(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    posts = [stored(m.Post, id=f"po{i}", title=f"T{i}") for i in range(2)]
    video = stored(m.Video, id="vi0", url="u")
    table.add(*posts, video)
    on = [("Post", "po0"), ("Post", "po1"), ("Post", "po0"), ("Video", "vi0"), (None, None)]
    comments = [
        stored(m.Comment, id=f"cm{i}", body="b", commentable_type=kind, commentable_id=ident)
        for i, (kind, ident) in enumerate(on)
    ]
    wire.run(m.Comment.with_("commentable")._load_flow(comments))
    assert wire.shape() == [["BatchGetItem", "GetItem"]]  # Posts (2 ids), the one Video
    assert batch_keys(wire.requests[0]) == ["POST#po0", "POST#po1"]
    assert wire.requests[1].params["Key"]["pk"] == {"S": "VIDEO#vi0"}
    assert [type(c.commentable).__name__ for c in comments] == [
        "Post",
        "Post",
        "Post",
        "Video",
        "NoneType",
    ]


def test_morph_many_reads_the_parents_partition_on_the_morph_slot(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    post = stored(m.Post, id="po0", title="T")
    table.add(stored(m.Comment, id="cm0", body="b", commentable_type="Post", commentable_id="po0"))
    assert [c.id for c in post.comments] == ["cm0"]
    (query,) = wire.requests
    assert query.operation == "Query"
    assert query.params["IndexName"].startswith("GSI")
    assert (key_value(query), key_value(query, ":v1")) == ("POST#po0", "COMMENT#")


def test_with_count_on_has_many_is_select_count_queries(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parents = family(m, table)
    wire.run(m.Parent.with_count("children")._load_flow(parents))
    assert wire.shape() == [["Query"] * 3]
    assert all(q.params["Select"] == "COUNT" for q in wire.requests)
    assert [p.children_count for p in parents] == [2, 2, 2]
    assert parents[0].to_dict()["children_count"] == 2


def test_with_count_on_many_to_many_counts_edges_only(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parents = family(m, table)
    table.add(edge_item(_bound(m.Parent, "tags"), "p0", "g0", {}))
    wire.run(m.Parent.with_count("tags")._load_flow(parents))
    assert wire.shape() == [["Query"] * 3]  # edges only: no target is read
    assert [p.tags_count for p in parents] == [1, 0, 0]


def test_a_collection_and_its_nested_collections_are_one_query(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    shop = stored(m.Shop, id="s1", name="S")
    order = stored(m.Order, id="r1", total=3, shop_id="s1")
    line = stored(m.Line, id="l1", sku="a", order_id="r1", shop_id="s1")
    table.add(shop, order, line)
    found = m.Shop.with_("orders.lines").find("s1")
    assert wire.shape() == [["Query"]]
    (query,) = wire.requests
    assert "IndexName" not in query.params
    assert query.params["KeyConditionExpression"] == "#n0 = :v0"
    assert key_value(query) == "SHOP#s1"
    assert [[x.sku for x in o.lines] for o in found.orders] == [["a"]]


# Trees: one round per level.
def tree(m: Any, table: FakeTable) -> dict[str, Any]:
    nodes = {"root": stored(m.Category, id="root", name="root")}
    for ident, parent in (("a", "root"), ("b", "root"), ("a1", "a"), ("a11", "a1")):
        nodes[ident] = stored(m.Category, id=ident, name=ident, parent_id=parent)
    table.add(*nodes.values())
    return nodes


def test_ancestors_are_one_get_item_per_level(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    nodes = tree(m, table)
    assert [n.id for n in nodes["a11"].ancestors()] == ["a1", "a", "root"]
    assert wire.shape() == [["GetItem"]] * 3
    assert [n.id for n in asyncio.run(nodes["a1"].aancestors())] == ["a", "root"]


def test_descendants_and_trees_are_one_round_per_level(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    nodes = tree(m, table)
    assert [n.id for n in nodes["root"].descendants()] == ["a", "b", "a1", "a11"]
    assert wire.shape() == [["Query"], ["Query", "Query"], ["Query"], ["Query"]]
    wire.reset()
    assert [n.id for n in nodes["root"].descendants(depth=2)] == ["a", "b", "a1"]
    assert wire.shape() == [["Query"], ["Query", "Query"]]
    wire.reset()
    (root,) = m.Category.get_tree([nodes["root"]], depth=1)
    assert [c.id for c in root.children] == ["a", "b"]
    assert wire.shape() == [["Query"]]
    with pytest.raises(QueryError, match="depth must be at least 0"):
        nodes["root"].descendants(depth=-1)


def test_a_cycle_in_a_tree_is_named(m: Any, table: FakeTable, wire: RoundRecorder) -> None:
    a = stored(m.Category, id="ca", name="a", parent_id="cb")
    b = stored(m.Category, id="cb", name="b", parent_id="ca")
    table.add(a, b)
    with pytest.raises(QueryError, match=r"ancestors form a cycle through 'ca'; fix parent_id"):
        a.ancestors()
    with pytest.raises(QueryError, match=r"'ca' appears twice in the tree \(a cycle"):
        a.descendants()


# Edge writes.
def test_attach_is_one_transaction_checking_the_parent_and_each_new_target(
    m: Any, wire: RoundRecorder
) -> None:
    parent = stored(m.Parent, id="p0", name="P")
    parent.tags.attach(["g1", "g2"], weight=5)
    assert wire.shape() == [["TransactWriteItems"]]
    actions = wire.requests[0].params["TransactItems"]
    assert [next(iter(a)) for a in actions] == [
        "ConditionCheck",
        "Put",
        "ConditionCheck",
        "Put",
        "ConditionCheck",
    ]
    assert unmarshall_item(actions[0]["ConditionCheck"]["Key"]) == {
        "pk": "PARENT#p0",
        "sk": "PARENT#p0",
    }
    edge = unmarshall_item(actions[1]["Put"]["Item"])
    assert (edge["pk"], edge["sk"], edge["_et"]) == ("PARENT#p0", "TAG#g1", "ParentTag")
    assert (edge["parent_id"], edge["tag_id"], edge["weight"]) == ("p0", "g1", 5)
    assert unmarshall_item(actions[2]["ConditionCheck"]["Key"])["pk"] == "TAG#g1"
    assert "attribute_exists" in actions[2]["ConditionCheck"]["ConditionExpression"]


def test_attach_from_the_other_side_writes_the_same_edge(m: Any, wire: RoundRecorder) -> None:
    stored(m.Tag, id="g1", label="L").parents.attach("p0", weight=2)
    actions = wire.requests[0].params["TransactItems"]
    assert unmarshall_item(actions[0]["ConditionCheck"]["Key"])["pk"] == "TAG#g1"
    edge = unmarshall_item(actions[1]["Put"]["Item"])
    assert (edge["pk"], edge["sk"], edge["weight"]) == ("PARENT#p0", "TAG#g1", 2)
    assert unmarshall_item(actions[2]["ConditionCheck"]["Key"])["pk"] == "PARENT#p0"


def test_attach_writes_49_edges_per_transaction(m: Any, wire: RoundRecorder) -> None:
    assert EDGES_PER_TRANSACTION == 49
    parent = stored(m.Parent, id="p0", name="P")
    parent.tags.attach([f"g{i}" for i in range(100)])
    sizes = [len(r.params["TransactItems"]) for r in wire.requests]
    assert [r.operation for r in wire.requests] == ["TransactWriteItems"] * 3
    assert sizes == [1 + 2 * 49, 1 + 2 * 49, 1 + 2 * 2]


def test_detach_and_sync_compile_deletes_with_a_parent_check(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    parent = stored(m.Parent, id="p0", name="P")
    relation = _bound(m.Parent, "tags")
    table.add(edge_item(relation, "p0", "g1", {"weight": 1}), edge_item(relation, "p0", "g2", {}))
    assert parent.tags.detach("g1") == 1
    actions = wire.requests[0].params["TransactItems"]
    assert [next(iter(a)) for a in actions] == ["ConditionCheck", "Delete"]
    assert unmarshall_item(actions[1]["Delete"]["Key"]) == {"pk": "PARENT#p0", "sk": "TAG#g1"}
    wire.reset()
    result = parent.tags.sync({"g1": {"weight": 2}, "g3": {}})
    assert result == {"attached": ["g3"], "detached": ["g2"], "updated": ["g1"]}
    assert wire.shape() == [["Query"], ["TransactWriteItems"]]  # the edges, then one write
    actions = wire.requests[1].params["TransactItems"]
    assert [next(iter(a)) for a in actions] == [
        "ConditionCheck",  # the parent
        "Put",  # g3, new: checked
        "ConditionCheck",
        "Put",  # g1, its weight changed: its edge proves the link
        "Delete",  # g2
    ]
    assert unmarshall_item(actions[3]["Put"]["Item"])["weight"] == 2


def test_async_edge_writes_send_what_the_sync_ones_send(m: Any, wire: RoundRecorder) -> None:
    parent = stored(m.Parent, id="p0", name="P")

    def sent() -> list[Any]:
        return [(r.operation, r.params["TransactItems"]) for r in wire.requests]

    parent.tags.attach("g1", weight=1)
    parent.tags.detach("g1")
    sync = sent()
    wire.reset()
    asyncio.run(parent.tags.aattach("g1", weight=1))
    asyncio.run(parent.tags.adetach("g1"))
    assert sent() == sync


# Errors before any request.
def test_unknown_relation_names_are_refused_with_a_suggestion(m: Any, wire: RoundRecorder) -> None:
    with pytest.raises(QueryError, match=r"no relation 'childs'; did you mean 'children'"):
        m.Parent.with_("childs")
    with pytest.raises(QueryError, match=r"Child has no relation 'toyz'; did you mean 'toys'"):
        m.Parent.with_("children.toyz")
    with pytest.raises(QueryError, match=r"did you mean 'owner'"):
        m.Parent.with_count("ownr")
    with pytest.raises(QueryError, match=r"did you mean 'tags'"):
        m.Parent.where_has("tgs", lambda q: q)
    with pytest.raises(QueryError, match=r"did you mean 'children'"):
        stored(m.Parent, id="p0", name="P").load("childen")
    with pytest.raises(QueryError, match="not a relation path"):
        m.Parent.with_("children..toys")
    assert wire.requests == []


def test_a_constraint_returning_none_is_refused_when_given(m: Any, wire: RoundRecorder) -> None:
    def statement(query: Any) -> None:
        query.where("title", "x")  # forgot to return it

    match = r"constraint given for Parent\.children returned None; return the query"
    with pytest.raises(QueryError, match=match):
        m.Parent.with_({"children": statement})
    with pytest.raises(QueryError, match=match):
        m.Parent.with_count({"children": statement})
    with pytest.raises(QueryError, match=match):
        m.Parent.where_has("children", statement)
    with pytest.raises(QueryError, match=r"Child\.toys returned None"):
        m.Parent.with_({"children.toys": lambda q: None})
    with pytest.raises(QueryError, match="must be a function of the query"):
        m.Parent.with_({"children": "title = x"})
    assert wire.requests == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("children", "~", 1), r"unknown operator; use one of >=, >, =, =="),
        (("children", ">=", -1), r"the count must be an int >= 0, not -1"),
        (("children", ">=", True), r"the count must be an int >= 0, not True"),
        (("children.toys",), r"nested relation filters are not supported.*where_has\('children'"),
    ],
)
def test_bad_relation_filters_are_refused(
    m: Any, wire: RoundRecorder, args: tuple[Any, ...], match: str
) -> None:
    with pytest.raises(QueryError, match=match):
        m.Parent.query().has(*args)
    assert wire.requests == []


def test_relations_cannot_load_onto_dicts(m: Any, wire: RoundRecorder) -> None:
    for query in (
        m.Parent.with_("children"),
        m.Parent.with_count("children"),
        m.Parent.query().has("children"),
    ):
        with pytest.raises(QueryError, match=r"as_dicts\(\) returns plain dicts.*to_dict\(\)"):
            query.as_dicts()
    assert wire.requests == []


def test_strict_mode_refuses_lazy_loads(m: Any, wire: RoundRecorder) -> None:
    child = stored(m.Child, id="c1", title="t", parent_id="p0")
    parent = stored(m.Parent, id="p0", name="P")
    with prevent_lazy_loading():
        with pytest.raises(LazyLoadingViolationError, match=r"Child\.parent.*with_\('parent'\)"):
            _ = child.parent
        with pytest.raises(LazyLoadingViolationError, match=r"Parent\.children is prevented"):
            list(parent.children)
        with pytest.raises(LazyLoadingViolationError, match=r"Parent\.tags"):
            len(parent.tags)
        orphan = stored(m.Child, id="c2", title="t")
        assert orphan.parent is None  # nothing to load: no violation
        assert len(m.Parent(name="unsaved").children) == 0
    assert wire.requests == []
    prevent_lazy_loading()
    try:
        with pytest.raises(LazyLoadingViolationError):
            _ = child.parent
    finally:
        prevent_lazy_loading(False)
    assert wire.requests == []


def test_a_lazy_load_inside_a_running_event_loop_is_refused(m: Any, wire: RoundRecorder) -> None:
    child = stored(m.Child, id="c1", title="t", parent_id="p0")
    parent = stored(m.Parent, id="p0", name="P")

    async def scenario() -> None:
        with pytest.raises(RelationNotLoadedError, match=r"await child\.aload\('parent'\)"):
            _ = child.parent
        with pytest.raises(RelationNotLoadedError, match=r"await parent\.children\.aget\(\)"):
            list(parent.children)

    asyncio.run(scenario())
    assert wire.requests == []


def test_assigning_the_wrong_model_to_a_to_one_relation_is_refused(
    m: Any, wire: RoundRecorder
) -> None:
    child = stored(m.Child, id="c1", title="t")
    with pytest.raises(QueryError, match=r"Child\.parent takes a Parent \(or None\), not Owner"):
        child.parent = stored(m.Owner, id="o1", name="O")
    comment = stored(m.Comment, id="cm", body="b")
    with pytest.raises(QueryError, match=r"takes a Post or Video \(or None\), not Owner"):
        comment.commentable = stored(m.Owner, id="o1", name="O")
    with pytest.raises(QueryError, match=r"Parent\.children cannot be assigned"):
        stored(m.Parent, id="p", name="P").children = []
    assert wire.requests == []
    post = stored(m.Post, id="po1", title="T")
    comment.commentable = post
    assert (comment.commentable_type, comment.commentable_id) == ("Post", "po1")
    assert comment.commentable is post
    child.parent = stored(m.Parent, id="p9", name="P")
    assert child.parent_id == "p9"
    child.parent = None
    assert (child.parent_id, child.parent) == (None, None)
    assert wire.requests == []


def test_undeclared_pivot_attributes_are_refused(m: Any, wire: RoundRecorder) -> None:
    parent = stored(m.Parent, id="p0", name="P")
    with pytest.raises(QueryError, match=r"ParentTag pivot has no attribute\(s\) 'colour'"):
        parent.tags.attach("g1", colour="red")
    with pytest.raises(QueryError, match=r"pivot attributes: weight"):
        parent.tags.attach({"g1": {"colour": "red"}})
    with pytest.raises(QueryError, match=r"no attribute\(s\) 'colour'"):
        parent.tags.with_pivot("colour")
    with pytest.raises(QueryError, match=r"no attribute\(s\) 'colour'"):
        parent.tags.update_existing_pivot("g1", colour="red")
    with pytest.raises(QueryError, match=r"links Tag models, not Owner"):
        parent.tags.attach(stored(m.Owner, id="o", name="O"))
    assert wire.requests == []


def test_a_parent_without_an_id_has_nothing_to_query(m: Any, wire: RoundRecorder) -> None:
    parent = m.Parent(name="P")
    parent.id = None
    assert len(parent.children) == 0
    match = r"Parent\.children: this Parent has no id yet; save it"
    with pytest.raises(QueryError, match=match):
        parent.children.where("title", "a").get()  # never every parent's children
    with pytest.raises(QueryError, match=match):
        parent.children.count()
    with pytest.raises(QueryError, match=match):
        asyncio.run(parent.children.afirst())
    with pytest.raises(QueryError, match=r"save the Parent before adding to it"):
        parent.children.create(title="t")
    assert wire.requests == []


def test_load_needs_names(m: Any, wire: RoundRecorder) -> None:
    parent = stored(m.Parent, id="p0", name="P")
    with pytest.raises(QueryError, match=r"load\(\) needs relation names"):
        parent.load()
    with pytest.raises(QueryError, match=r"load_count\(\) needs relation names"):
        parent.load_count()
    with pytest.raises(QueryError, match=r"Parent\.children is not loaded; load it"):
        parent.get_relation("children")
    assert wire.requests == []


# Regressions found by these tests.
def test_load_missing_below_a_morph_to_loads_each_type_with_its_own_relation(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    post, video = stored(m.Post, id="po0", title="T"), stored(m.Video, id="vi0", url="u")
    comments = [
        stored(m.Comment, id="cm0", body="b", commentable_type="Post", commentable_id="po0"),
        stored(m.Comment, id="cm1", body="b", commentable_type="Video", commentable_id="vi0"),
    ]
    comments[0].set_relation("commentable", post)
    comments[1].set_relation("commentable", video)
    comments[0].load_missing("commentable.labels")  # a to-one value is one model
    assert wire.shape() == [["Query"]]
    assert key_value(wire.requests[0]) == "POST#po0"
    wire.reset()
    Collection(comments).load_missing("commentable.labels")
    assert wire.shape() == [["Query"]]  # the post's labels are loaded: the video's only
    assert key_value(wire.requests[0]) == "VIDEO#vi0"
    assert post.relation_loaded("labels")
    assert video.relation_loaded("labels")


def test_load_missing_tells_equal_models_apart(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    family(m, table)
    loaded, again = stored(m.Parent, id="p0", name="P0"), stored(m.Parent, id="p0", name="P0")
    assert loaded == again  # the same item read twice: equal, not the same instance
    loaded.load("children")
    wire.reset()
    Collection([loaded, again]).load_missing("children.toys")
    # again's children and, side by side, the toys of loaded's children; then again's toys
    assert wire.shape() == [["Query"] * 3, ["Query"] * 2]
    assert [[t.id for t in c.toys] for c in again.children] == [["tcp00"], ["tcp01"]]
    assert [[t.id for t in c.toys] for c in loaded.children] == [["tcp00"], ["tcp01"]]


def test_relation_filters_apply_to_every_terminal(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    family(m, table)
    table.add(stored(m.Parent, id="p9", name="P9", owner_id="o0"))  # no children
    query = m.Parent.query().force_scan().has("children")
    assert query.count() == 3
    # the parents are read and filtered (no Select=COUNT of the parents' Scan); each parent's
    # children are counted on the server (Select=COUNT Queries), never read
    counted = [r for r in wire.requests if r.params.get("Select") == "COUNT"]
    assert {r.operation for r in counted} == {"Query"}
    assert not [r for r in wire.requests if r.operation == "Query" and "Select" not in r.params]
    assert sorted(query.pluck("id")) == ["p0", "p1", "p2"]
    lonely = m.Parent.query().force_scan().doesnt_have("children")
    assert lonely.value("id") == "p9"
    assert lonely.first().id == "p9"
    assert lonely.exists()
    assert asyncio.run(lonely.acount()) == 1
    assert asyncio.run(lonely.afirst()).id == "p9"
    assert list(asyncio.run(lonely.apluck("name"))) == ["P9"]
