"""Relation errors refused before any request, and regressions found by the relation-flow
tests."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.orm import (
    LazyLoadingViolationError,
    RelationNotLoadedError,
    prevent_lazy_loading,
)
from dynamodb_tooling.query.results import Collection
from tests.orm.relation_flows._support import FakeTable, RoundRecorder, family, key_value, stored


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
