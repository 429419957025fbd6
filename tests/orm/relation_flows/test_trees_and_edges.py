"""Trees (one round per level) and many-to-many edge writes (transactions checking both
sides), without a server."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm.relations.pivot import EDGES_PER_TRANSACTION, edge_item
from tests.orm.relation_flows._support import FakeTable, RoundRecorder, bound, stored


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
    relation = bound(m.Parent, "tags")
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
