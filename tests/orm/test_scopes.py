"""Local and global scopes: declared on the model, applied when the query is planned or run,
lifted per query, named in ``explain()``; soft deletes as the global scope "soft_deletes"."""

import asyncio
from collections.abc import Iterator
from typing import Any, cast

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import Model, ModelQuery, Scope, scope
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.testing.stub import StubExecutor

pytestmark = pytest.mark.filterwarnings("ignore::dynamodb_tooling.errors.PerformanceWarning")


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


class NotArchived:
    """A global scope as a class (Eloquent's Scope interface)."""

    def apply(self, query: ModelQuery[Any], model: type[Any]) -> ModelQuery[Any]:
        return query.where_null("archived_at")


@pytest.fixture
def Post(registry: Registry) -> type[Model]:
    class Post(Model, registry=registry, soft_deletes=True):
        title: str
        status: str = "draft"
        kind: str = "news"
        archived_at: str | None = None
        views: int = 0

        @classmethod
        def booted(cls) -> None:
            cls.add_global_scope("live", lambda query: query.where("status", "live"))
            cls.add_global_scope(NotArchived())

        @scope
        def popular(query: ModelQuery[Any]) -> ModelQuery[Any]:
            return query.where("views", ">", 100)

        @scope
        def of_type(query: ModelQuery[Any], kind: str) -> ModelQuery[Any]:
            return query.where("kind", kind)

    return Post


def filter_of(query: ModelQuery[Any]) -> str:
    return str(query.explain().filter)


# Local scopes.
def test_a_local_scope_runs_on_the_class_and_on_a_query(Post: Any) -> None:
    on_class = Post.of_type("guide")
    assert isinstance(on_class, ModelQuery)
    assert on_class.state == Post.where("kind", "guide").state
    chained = Post.where("title", "x").popular().of_type("guide")
    expected = Post.where("title", "x").where("views", ">", 100).where("kind", "guide")
    assert chained.state == expected.state
    assert Post.popular().of_type(kind="faq").state.wheres == (
        Post.where("views", ">", 100).where("kind", "faq").state.wheres
    )
    assert Post.query().scope(Post.__dict__["popular"].function).state == Post.popular().state


def test_a_scope_that_forgets_to_return_the_query_is_named(registry: Registry) -> None:
    class Item(Model, registry=registry):
        name: str

        @scope
        def broken(query: ModelQuery[Any]) -> None:
            query.where("name", "x")

    with pytest.raises(QueryError, match=r"local scope 'broken' returned NoneType, not the query"):
        Item.broken()
    with pytest.raises(QueryError, match=r"local scope 'broken' returned NoneType"):
        Item.query().broken()


def test_an_unknown_method_on_a_model_query_suggests_the_close_one(Post: Any) -> None:
    with pytest.raises(AttributeError, match=r"no method or local scope 'populer'.*'popular'"):
        Post.where("title", "x").populer()
    with pytest.raises(AttributeError, match=r"declare a local scope"):
        Post.query().nothing_like_it()


def test_a_local_scope_may_not_hide_a_query_method(registry: Registry) -> None:
    # Python 3.11 wraps errors of __set_name__ in a RuntimeError; 3.12 raises them as is.
    with pytest.raises((SchemaError, RuntimeError)) as caught:

        class Bad(Model, registry=registry):
            name: str

            @scope
            def latest(query: ModelQuery[Any]) -> ModelQuery[Any]:
                return query

    error = caught.value if isinstance(caught.value, SchemaError) else caught.value.__cause__
    assert isinstance(error, SchemaError)
    assert "Bad.latest: a local scope may not be named like a query method" in str(error)


def test_local_scopes_are_inherited(registry: Registry) -> None:
    class Base(Model, abstract=True):
        @scope
        def named(query: ModelQuery[Any], name: str) -> ModelQuery[Any]:
            return query.where("name", name)

    class Child(Base, registry=registry):
        name: str

    assert Child.named("x").state == Child.where("name", "x").state
    assert Child.where("name", "y").named("x").model is Child


# Global scopes.
def test_global_scopes_apply_when_the_query_runs_not_when_it_is_built(
    Post: Any, stub: StubExecutor
) -> None:
    query = Post.where("title", "x")
    assert query.state.wheres == Post.query().where("title", "x").state.wheres  # not in state
    stub.on("Scan", {"Items": []})
    query.get()
    (sent,) = stub.requests
    names = set(sent.params["ExpressionAttributeNames"].values())
    assert {"title", "status", "archived_at", "deleted_at"} <= names
    assert sent.params == query.plan().requests()[0].params
    assert query.to_params() == sent.params

    Post.add_global_scope("recent", lambda q: q.where("views", ">=", 0))
    assert "views" in query.to_params()["ExpressionAttributeNames"].values()  # added later


def test_without_global_scope_lifts_one_by_name_class_or_object(Post: Any) -> None:
    everything = filter_of(Post.query())
    assert "status = 'live'" in everything
    assert "attribute_not_exists(archived_at)" in everything
    assert "status" not in filter_of(Post.without_global_scope("live"))
    lifted = filter_of(Post.without_global_scope(NotArchived))
    assert "archived_at" not in lifted
    assert "status = 'live'" in lifted
    assert "archived_at" not in filter_of(Post.query().without_global_scope(NotArchived()))
    later = Post.where("title", "x").without_global_scope("live")
    assert "status" not in filter_of(later)
    both = Post.without_global_scopes("live", "NotArchived")
    assert both.applied_scopes() == ["soft_deletes"]
    assert both.removed_scopes() == ["live", "NotArchived"]


def test_without_global_scopes_lifts_all_soft_deletes_included(Post: Any) -> None:
    query = Post.without_global_scopes()
    assert query.applied_scopes() == []
    assert query.removed_scopes() == ["soft_deletes", "live", "NotArchived"]
    assert filter_of(query) == "_et = 'Post'"


def test_an_unknown_global_scope_name_is_refused_with_the_known_ones(Post: Any) -> None:
    with pytest.raises(QueryError, match=r"Post has no global scope 'lve' \(it has: "):
        Post.without_global_scope("lve")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("name",), r"add_global_scope\('name'\) needs the scope"),
        ((lambda q: q,), r"cannot name the global scope"),
        (("soft_deletes", lambda q: q), r"belongs to the soft-deletes trait"),
        (("x", 42), r"must be a function of the query or an object with apply"),
        ((NotArchived(), NotArchived()), r"the name comes first"),
        (("", lambda q: q), r"must not be empty"),
    ],
)
def test_add_global_scope_refuses_bad_input(
    registry: Registry, args: tuple[Any, ...], message: str
) -> None:
    class Thing(Model, registry=registry):
        name: str

    with pytest.raises(QueryError, match=message):
        Thing.add_global_scope(*args)


def test_a_global_scope_returning_something_else_is_named(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str

    Thing.add_global_scope("oops", cast("Any", lambda q: None))
    with pytest.raises(QueryError, match=r"global scope 'oops' returned NoneType"):
        Thing.query().to_params()


def test_a_named_function_is_its_own_name(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str

    def named_ada(query: ModelQuery[Any]) -> ModelQuery[Any]:
        return query.where("name", "Ada")

    Thing.add_global_scope(named_ada)
    assert Thing.has_global_scope("named_ada")
    assert Thing.has_global_scope(named_ada)
    assert "name = 'Ada'" in filter_of(Thing.query())
    assert isinstance(NotArchived(), Scope)


def test_or_conditions_are_grouped_before_a_scope_is_anded(Post: Any) -> None:
    query = Post.where("title", "a").or_where("title", "b")
    text = filter_of(query)
    assert text.startswith("(title = 'a' OR title = 'b') AND status = 'live'")
    item = {"title": "b", "status": "draft"}
    planned = query.plan()
    assert planned.filter is not None
    assert query.without_global_scopes()._planned_state() != query._planned_state()
    assert not all(clause.matches(item) for _, clause in query._planned_state().wheres)


def test_global_scopes_are_inherited_and_kept_per_class(registry: Registry) -> None:
    class Base(Model, abstract=True):
        @classmethod
        def booted(cls) -> None:
            cls.add_global_scope("named", lambda q: q.where_not_null("name"))

    class One(Base, registry=registry):
        name: str | None = None

    class Two(Base, registry=registry):
        name: str | None = None

    One.add_global_scope("only_one", lambda q: q.where("name", "1"))
    assert list(One.global_scopes()) == ["named", "only_one"]
    assert list(Two.global_scopes()) == ["named"]


def test_find_applies_global_scopes(Post: Any, stub: StubExecutor) -> None:
    draft = Post(title="t", status="draft")
    stub.on("GetItem", {"Item": marshall_item(draft.to_item())})
    assert Post.find(draft.id) is None  # read, then left out by the "live" scope
    stub.on("GetItem", {"Item": marshall_item(draft.to_item())})
    assert Post.without_global_scope("live").find(draft.id) is not None


def test_explain_names_each_applied_scope_with_its_condition(Post: Any) -> None:
    explained = Post.popular().explain()
    assert explained.scopes == (
        "soft_deletes: deleted_at absent (with_trashed() lifts it)",
        "live: status = 'live'",
        "NotArchived: attribute_not_exists(archived_at)",
    )
    text = str(explained)
    assert "  global scope live: status = 'live'" in text
    assert str(Post.without_global_scopes().explain()).count("global scope") == 0
    only = Post.only_trashed().without_global_scopes("live", "NotArchived").explain()
    assert only.scopes == ("soft_deletes (inverted by only_trashed()): deleted_at present",)


# Soft deletes, the global scope "soft_deletes".
def test_soft_deletes_is_a_global_scope(Post: Any, registry: Registry) -> None:
    assert list(Post.global_scopes()) == ["soft_deletes", "live", "NotArchived"]
    lifted = Post.without_global_scope("soft_deletes")
    assert lifted.state == Post.with_trashed().state
    assert lifted.to_params() == Post.with_trashed().to_params()
    assert Post.where("title", "x").without_global_scope("soft_deletes").to_params() == (
        Post.where("title", "x").with_trashed().to_params()
    )
    assert Post.with_trashed().removed_scopes() == ["soft_deletes"]
    assert "attribute_exists(deleted_at)" in filter_of(Post.only_trashed())

    class Plain(Model, registry=registry):
        name: str

    assert Plain.global_scopes() == {}
    with pytest.raises(QueryError, match=r"Plain has no global scope 'soft_deletes'"):
        Plain.without_global_scope("soft_deletes")


def test_booted_runs_once_before_the_first_query(registry: Registry) -> None:
    calls: list[str] = []

    class Once(Model, registry=registry):
        name: str

        @classmethod
        def booted(cls) -> None:
            calls.append(cls.__name__)

    assert calls == []
    Once.query()
    Once.where("name", "x")
    Once.global_scopes()
    assert calls == ["Once"]


def test_async_terminals_apply_global_scopes(Post: Any, stub: StubExecutor) -> None:
    live = Post(title="t", status="live")

    async def run() -> None:
        stub.on("Scan", {"Items": [marshall_item(live.to_item())]})
        found = await Post.popular().aget()
        assert [p.id for p in found] == [live.id]
        stub.on("Scan", {"Count": 1})
        assert await Post.without_global_scope("live").acount() == 1

    asyncio.run(run())
    first, second = stub.requests
    assert "status" in first.params["ExpressionAttributeNames"].values()
    assert "status" not in second.params["ExpressionAttributeNames"].values()


def test_refresh_reads_the_item_without_global_scopes(Post: Any, stub: StubExecutor) -> None:
    draft = Post.create(title="Draft")  # status "draft": outside the "live" scope
    stub.on("GetItem", {"Item": marshall_item({**draft.to_item(), "title": "Edited"})})
    draft.refresh()  # Eloquent refreshes without scopes: the draft is found
    assert draft.title == "Edited"
    (get,) = stub.sent("GetItem")
    assert "FilterExpression" not in get.params
