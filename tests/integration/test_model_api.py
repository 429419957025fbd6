"""The class-level API, find-or-make, destroy, fresh and scopes against the engine: what is
written is read back from the table."""

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, ModelQuery, attribute, scope, transaction

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::dynamodb_tooling.errors.PerformanceWarning"),
]


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"api-{uuid.uuid4().hex[:10]}")
    set_config(config)
    from dynamodb_tooling.schema import Registry

    registry = Registry(config)

    class Member(Model, registry=registry, timestamps=True):
        email: str = attribute(unique=True)
        name: str
        team_id: str | None = None
        age: int | None = None

    class Post(Model, registry=registry, soft_deletes=True):
        title: str
        status: str = "draft"
        views: int = 0

        @classmethod
        def booted(cls) -> None:
            cls.add_global_scope("live", lambda query: query.where("status", "live"))

        @scope
        def popular(query: ModelQuery[Any], at_least: int = 100) -> ModelQuery[Any]:
            return query.where("views", ">=", at_least)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Member": Member, "Post": Post, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(client: DynamoDBClient, table: str, entity: str) -> list[dict[str, Any]]:
    items = (unmarshall_item(i) for i in client.scan_all(table).items)
    return [i for i in items if i.get("_et") == entity]


def test_the_class_level_api_reads_what_was_written(app: dict[str, Any]) -> None:
    Member = app["Member"]
    ada = Member.create(email="ada@example.com", name="Ada", age=36, team_id="t1")
    Member.create(email="bob@example.com", name="Bob", age=20)
    Member.create(email="cy@example.com", name="Cy", age=20, team_id="t1")
    assert Member.count() == 3
    assert Member.where_null("team_id").count() == 1
    assert Member.where_not_null("team_id").count() == 2
    assert sorted(Member.pluck("name")) == ["Ada", "Bob", "Cy"]
    assert Member.where({"team_id": "t1", "age": 36}).first().is_(ada)
    assert [m.name for m in Member.where_between("age", 30, 40).get()] == ["Ada"]
    assert Member.max("age") == 36
    assert Member.sum("age") == 76
    page = Member.paginate(2)
    assert page.count == 2
    assert page.has_more
    assert Member.where_begins_with("name", "C").value("email") == "cy@example.com"
    assert Member.doesnt_exist() is False
    assert Member.query().exists()


def test_first_or_create_creates_once_then_finds(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member = app["Member"]
    made = Member.first_or_create({"email": "ada@example.com"}, {"name": "Ada"})
    again = Member.first_or_create({"email": "ada@example.com"}, {"name": "Other"})
    assert again.is_(made)
    assert again.name == "Ada"
    (row,) = stored(dynamodb_client, app["table"], "Member")
    assert row["name"] == "Ada"
    new = Member.first_or_new({"email": "bob@example.com"}, {"name": "Bob"})
    assert not new.exists
    assert len(stored(dynamodb_client, app["table"], "Member")) == 1


def test_first_or_create_is_safe_under_concurrency_with_a_unique_attribute(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member = app["Member"]
    start = threading.Barrier(6)
    results: list[Any] = []
    errors: list[BaseException] = []

    def racer(n: int) -> None:
        start.wait()
        try:
            results.append(Member.first_or_create({"email": "race@example.com"}, {"name": f"r{n}"}))
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (row,) = stored(dynamodb_client, app["table"], "Member")
    assert {m.id for m in results} == {row["id"]}


def test_update_or_create_updates_the_match_or_creates(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member = app["Member"]
    made = Member.update_or_create({"email": "ada@example.com"}, {"name": "Ada", "age": 1})
    updated = Member.update_or_create({"email": "ada@example.com"}, {"age": 2})
    assert updated.is_(made)
    (row,) = stored(dynamodb_client, app["table"], "Member")
    assert (row["name"], row["age"]) == ("Ada", 2)


def test_destroy_deletes_or_soft_deletes_and_counts(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, Post = app["Member"], app["Post"]
    people = [Member.create(email=f"{n}@example.com", name=n) for n in "abc"]
    deleting: list[str] = []
    Member.add_hook("deleting", lambda member: deleting.append(member.name))
    assert Member.destroy(people[0].id, people[1].id, "missing") == 2
    assert sorted(deleting) == ["a", "b"]
    left = stored(dynamodb_client, app["table"], "Member")
    assert [row["name"] for row in left] == ["c"]
    # The released unique values can be taken again.
    Member.create(email="a@example.com", name="a again")

    posts = [Post.create(title=t, status="live") for t in "xy"]
    assert Post.destroy([p.id for p in posts]) == 2
    rows = stored(dynamodb_client, app["table"], "Post")
    assert len(rows) == 2
    assert all(row.get("deleted_at") for row in rows)
    assert Post.count() == 0
    assert Post.destroy([p.id for p in posts]) == 0  # already soft-deleted: not found
    assert sorted(p.title for p in Post.only_trashed().get()) == ["x", "y"]


def test_destroy_inside_a_transaction_is_discarded_when_the_block_raises(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member = app["Member"]
    ada = Member.create(email="ada@example.com", name="Ada")
    joined: list[int] = []

    def destroy_then_fail() -> None:
        with transaction():
            joined.append(Member.destroy(ada.id))
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        destroy_then_fail()
    assert joined == [1]
    assert len(stored(dynamodb_client, app["table"], "Member")) == 1
    with transaction():
        Member.destroy(ada.id)
    assert stored(dynamodb_client, app["table"], "Member") == []


def test_fresh_reads_a_new_copy_and_none_once_gone(app: dict[str, Any]) -> None:
    Member, Post = app["Member"], app["Post"]
    ada = Member.create(email="ada@example.com", name="Ada")
    Member.find(ada.id).update(name="Ada L.")
    fresh = ada.fresh()
    assert fresh is not None
    assert fresh.name == "Ada L."
    assert ada.name == "Ada"
    ada.delete()
    assert ada.fresh() is None
    post = Post.create(title="p", status="draft")  # outside the "live" scope
    post.delete()
    again = post.fresh()  # no global scopes: found though hidden and soft-deleted
    assert again is not None
    assert again.trashed()


def test_global_and_local_scopes_filter_real_rows(app: dict[str, Any]) -> None:
    Post = app["Post"]
    Post.create(title="draft", status="draft", views=500)
    Post.create(title="quiet", status="live", views=3)
    Post.create(title="hit", status="live", views=900)
    gone = Post.create(title="gone", status="live", views=1000)
    gone.delete()
    assert sorted(p.title for p in Post.get()) == ["hit", "quiet"]
    assert [p.title for p in Post.popular().get()] == ["hit"]
    assert [p.title for p in Post.where("title", "hit").popular(at_least=800).get()] == ["hit"]
    assert sorted(p.title for p in Post.without_global_scope("live").popular().get()) == [
        "draft",
        "hit",
    ]
    lifted = sorted(p.title for p in Post.without_global_scope("soft_deletes").get())
    assert lifted == sorted(p.title for p in Post.with_trashed().get()) == ["gone", "hit", "quiet"]
    everything = sorted(p.title for p in Post.without_global_scopes().get())
    assert everything == ["draft", "gone", "hit", "quiet"]
    assert Post.find(gone.id) is None
    assert Post.without_global_scopes().find(gone.id) is not None


def test_async_twins_against_the_engine(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Member, Post = app["Member"], app["Post"]

    async def run() -> None:
        made = await Member.afirst_or_create({"email": "ada@example.com"}, {"name": "Ada"})
        assert (await Member.afirst_or_create({"email": "ada@example.com"})).is_(made)
        updated = await Member.aupdate_or_create({"email": "ada@example.com"}, {"age": 5})
        assert updated.age == 5
        assert await Member.acount() == 1
        fresh = await made.afresh()
        assert fresh is not None
        assert fresh.age == 5
        posts = [await Post.acreate(title=t, status="live", views=200) for t in "ab"]
        assert len(await Post.popular().aget()) == 2
        assert await Post.adestroy(*(p.id for p in posts)) == 2
        assert await Post.acount() == 0
        assert await Member.adestroy(made.id) == 1
        assert await made.afresh() is None

    asyncio.run(run())
    assert stored(dynamodb_client, app["table"], "Member") == []
