"""Eager loading without a server: the requests each pattern compiles and the ROUNDS it
takes (a round is one flow step: one request, or several sent together)."""

from typing import Any

from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm.relations.pivot import edge_item
from tests.orm.relation_flows._support import (
    FakeTable,
    RoundRecorder,
    batch_keys,
    bound,
    family,
    key_value,
    stored,
)


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
    relation = bound(m.Parent, "tags")
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
    table.add(edge_item(bound(m.Parent, "tags"), "p0", "g0", {}))
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


def test_other_relations_load_after_the_partition_query(
    m: Any, table: FakeTable, wire: RoundRecorder
) -> None:
    owner = stored(m.Owner, id="o1", name="Ada")
    shop = stored(m.Shop, id="s1", name="S", owner_id="o1")
    order = stored(m.Order, id="r1", total=3, shop_id="s1")
    line = stored(m.Line, id="l1", sku="a", order_id="r1", shop_id="s1")
    table.add(owner, shop, order, line)
    found = m.Shop.with_("orders.lines", "owner").find("s1")
    assert [shape[0] for shape in wire.shape()] == ["Query", "GetItem"]  # not GetItem first
    assert key_value(wire.requests[0]) == "SHOP#s1"
    assert found.owner.name == "Ada"
    assert [[x.sku for x in o.lines] for o in found.orders] == [["a"]]
