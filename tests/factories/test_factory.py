"""Factories without a server: what make/raw/states/sequences/for_/has build, and the requests
create() sends (recorded by the stub executor)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dynamodb_tooling import Factory
from dynamodb_tooling.errors import (
    CancellationReason,
    PartialWriteError,
    TransactionCanceledError,
)
from dynamodb_tooling.factories import FactoryError, factory_for, generated_factory
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.requests import Concurrently
from dynamodb_tooling.testing.stub import StubExecutor
from tests.factories.conftest import (
    BLOG,
    Article,
    ArticleFactory,
    Author,
    AuthorFactory,
    Tag,
    Team,
)


def written(stub: StubExecutor) -> list[dict[str, Any]]:
    """Every item put by the stub's requests, unmarshalled, in order."""
    items: list[dict[str, Any]] = []
    for request in stub.requests:
        params = request.params
        if request.operation == "BatchWriteItem":
            for writes in params["RequestItems"].values():
                items += [w["PutRequest"]["Item"] for w in writes]
        elif request.operation == "TransactWriteItems":
            items += [a["Put"]["Item"] for a in params["TransactItems"] if "Put" in a]
        elif request.operation == "PutItem":
            items.append(params["Item"])
    return [unmarshall_item(i) for i in items]


def entities(stub: StubExecutor, name: str) -> list[dict[str, Any]]:
    return [i for i in written(stub) if i.get("_et") == name]


def test_make_builds_unsaved_models_from_the_definition(stub: StubExecutor) -> None:
    author = AuthorFactory().make()
    assert isinstance(author, Author)
    assert not author.exists
    assert "@" in author.email
    assert author.name
    assert author.role == "writer"
    assert author.id is not None
    assert stub.requests == []


def test_count_gives_a_collection_and_raw_gives_dicts(stub: StubExecutor) -> None:
    made = AuthorFactory().count(3).make()
    assert isinstance(made, Collection)
    assert len(made) == 3
    assert len({a.email for a in made}) == 3
    raw = AuthorFactory().raw(role="admin")
    assert isinstance(raw, dict)
    assert raw["role"] == "admin"
    assert set(raw) >= {"email", "name"}
    rows = AuthorFactory().count(2).raw()
    assert isinstance(rows, list)
    assert len(rows) == 2
    assert AuthorFactory().count(0).make() == Collection([])
    assert len(AuthorFactory().make_many()) == 1
    assert stub.requests == []


def test_states_apply_in_order_and_overrides_win(stub: StubExecutor) -> None:
    factory = AuthorFactory().editor()
    assert factory.make().role == "editor"
    assert factory.state(role="admin").make().role == "admin"
    assert factory.make(role="writer").role == "writer"
    slugged = AuthorFactory().state(name="Ada").state(lambda a: {"email": f"{a['name']}@x.io"})
    assert slugged.make().email == "Ada@x.io"
    assert AuthorFactory().state({"name": "Grace"}).make().name == "Grace"
    # Builders are generative: the base factory is unchanged.
    base = AuthorFactory()
    base.editor()
    assert base.make().role == "writer"


def test_a_misspelled_state_is_named_with_a_suggestion() -> None:
    with pytest.raises(AttributeError, match=r"no state or method 'editr'.*did you mean 'editor'"):
        AuthorFactory().editr()  # type: ignore[attr-defined]


def test_sequences_cycle_values_and_callables_get_the_index(stub: StubExecutor) -> None:
    roles = AuthorFactory().count(5).sequence({"role": "admin"}, {"role": "editor"}).make()
    assert [a.role for a in roles] == ["admin", "editor", "admin", "editor", "admin"]
    named = AuthorFactory().count(3).sequence(lambda i: {"name": f"Author {i}"}).make()
    assert [a.name for a in named] == ["Author 0", "Author 1", "Author 2"]
    cycled = ArticleFactory().count(3).sequence(status=["draft", "published"]).make()
    assert [a.status for a in cycled] == ["draft", "published", "draft"]


def test_lazy_values_factories_models_and_callables_are_expanded(stub: StubExecutor) -> None:
    team = Team(name="Blue")
    author = AuthorFactory().make(team_id=team, name=lambda a: a["email"].split("@")[0][:30])
    assert author.team_id == team.id
    assert author.name == author.email.split("@")[0][:30]
    nested = AuthorFactory().make(team_id=Team.factory())
    assert nested.team_id is not None
    assert stub.requests == []  # make() writes nothing, not even nested factories


def test_for_sets_the_foreign_key_and_the_loaded_relation(stub: StubExecutor) -> None:
    team = Team(name="Blue")
    author = AuthorFactory().for_(team).make()
    assert author.team_id == team.id
    assert author.get_relation("team") is team


def test_for_a_factory_creates_the_parent_once(stub: StubExecutor) -> None:
    authors = AuthorFactory().count(3).for_(Team.factory().state(name="Red")).create()
    assert len({a.team_id for a in authors}) == 1
    teams = entities(stub, "Team")
    assert [t["name"] for t in teams] == ["Red"]
    assert {a["team_id"] for a in entities(stub, "Author")} == {teams[0]["id"]}


def test_for_without_such_a_relation_says_which_relations_exist() -> None:
    with pytest.raises(FactoryError, match=r"Article has no belongs-to relation to Team"):
        ArticleFactory().for_(Team(name="x")).make()
    with pytest.raises(FactoryError, match=r"for_\(\) takes a model or a factory"):
        ArticleFactory().for_("team-1")


def test_has_creates_children_through_the_relation_after_the_parents(stub: StubExecutor) -> None:
    authors = AuthorFactory().count(2).has(ArticleFactory().count(3).published()).create()
    operations = [r.operation for r in stub.requests]
    # Parents first (unique email: one transaction each), then all six children in one batch.
    assert operations == ["TransactWriteItems", "TransactWriteItems", "BatchWriteItem"]
    articles = entities(stub, "Article")
    assert len(articles) == 6
    assert {a["status"] for a in articles} == {"published"}
    for author in authors:
        mine = [a for a in articles if a["author_id"] == author.id]
        assert len(mine) == 3
        assert [a.id for a in author.get_relation("articles")] == [a["id"] for a in mine]


def test_has_attached_attaches_through_the_many_to_many_relation(stub: StubExecutor) -> None:
    tags = [Tag(id="t1", label="a"), Tag(id="t2", label="b")]
    stub.on("BatchGetItem")  # answered empty by default
    author = AuthorFactory().has_attached(tags, pivot={"weight": 3}).create()
    edges = entities(stub, "AuthorTag")
    assert {(e["author_id"], e["tag_id"], e["weight"]) for e in edges} == {
        (author.id, "t1", 3),
        (author.id, "t2", 3),
    }


def test_after_making_and_after_creating_callbacks(stub: StubExecutor) -> None:
    seen: list[tuple[str, bool]] = []
    factory = (
        ArticleFactory()
        .count(2)
        .after_making(lambda a: seen.append(("made", a.exists)))
        .after_creating(lambda a: seen.append(("created", a.exists)))
    )
    factory.make()
    assert seen == [("made", False), ("made", False)]
    seen.clear()
    factory.create()
    assert seen == [("made", False), ("made", False), ("created", True), ("created", True)]


def test_configure_registers_callbacks_for_every_use(stub: StubExecutor) -> None:
    class CountingFactory(Factory[Tag]):
        register = False
        made: list[str] = []

        def definition(self) -> dict[str, Any]:
            return {"label": self.faker.word()}

        def configure(self) -> CountingFactory:
            return self.after_making(lambda t: self.made.append(t.label))

    CountingFactory().count(2).make()
    assert len(CountingFactory.made) == 2


def test_seeding_faker_makes_the_values_reproducible(stub: StubExecutor) -> None:
    Factory.seed(1234)
    first = AuthorFactory().count(3).raw()
    Factory.seed(1234)
    assert AuthorFactory().count(3).raw() == first
    Factory.seed(1234)
    generated = Team.factory().count(2).raw()
    Factory.seed(1234)
    assert Team.factory().count(2).raw() == generated


def test_model_factory_and_fake_use_the_registered_factory(stub: StubExecutor) -> None:
    assert type(Author.factory()) is AuthorFactory
    assert type(factory_for(Article)) is ArticleFactory
    assert Author.factory(2, role="admin").make().pluck("role").to_list() == ["admin", "admin"]
    fake = Author.fake(name="Ada")
    assert isinstance(fake, Author)
    assert fake.name == "Ada"
    assert not fake.exists
    assert stub.requests == []


def test_a_model_without_a_factory_gets_a_generated_one(stub: StubExecutor) -> None:
    factory = Team.factory()
    assert isinstance(factory, Factory)
    assert factory.model is Team
    team = Team.fake()
    assert isinstance(team.name, str)
    assert team.name


def test_count_refuses_a_negative_number() -> None:
    with pytest.raises(FactoryError, match=r"count\(\) takes a whole number"):
        AuthorFactory().count(-1)


def test_a_factory_of_something_that_is_not_a_model_is_refused() -> None:
    with pytest.raises(FactoryError, match=r"is not a Model class"):

        class Bad(Factory[int]):  # type: ignore[type-var]
            pass


# The write paths of create().
def test_create_without_unique_attributes_batches_25_per_request(stub: StubExecutor) -> None:
    articles = ArticleFactory().count(60).create()
    assert [r.operation for r in stub.requests] == ["BatchWriteItem"] * 3
    assert [len(next(iter(r.params["RequestItems"].values()))) for r in stub.requests] == [
        25,
        25,
        10,
    ]
    assert all(a.exists for a in articles)
    assert {i["id"] for i in entities(stub, "Article")} == {a.id for a in articles}


def test_create_with_unique_attributes_reserves_each_value_in_a_transaction(
    stub: StubExecutor,
) -> None:
    authors = AuthorFactory().count(3).create()
    assert [r.operation for r in stub.requests] == ["TransactWriteItems"] * 3
    for request, author in zip(stub.requests, authors, strict=True):
        actions = request.params["TransactItems"]
        keys = [unmarshall_item(a["Put"]["Item"])["pk"] for a in actions]
        assert keys == [f"AUTHOR#{author.id}", f"_UNIQUE#AUTHOR#email#{author.email}"]
    assert all(a.exists and a.created_at is not None for a in authors)


def test_unique_model_transactions_are_sent_100_side_by_side(
    stub: StubExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[int] = []
    perform = stub._perform

    def counting(step: Any) -> Any:
        steps.append(len(step.requests) if isinstance(step, Concurrently) else 1)
        return perform(step)

    monkeypatch.setattr(stub, "_perform", counting)
    AuthorFactory().count(150).create()
    assert steps == [100, 50]


def test_create_reports_which_unique_writes_failed(stub: StubExecutor) -> None:
    reasons = [
        CancellationReason(0, "None", ""),
        CancellationReason(1, "ConditionalCheckFailed", "taken"),
    ]
    taken = TransactionCanceledError("cancelled", reasons=reasons)
    stub.on("TransactWriteItems", {}, taken, {})
    with pytest.raises(PartialWriteError, match=r"1 of 3 Author models were not written") as err:
        AuthorFactory().count(3).create()
    assert err.value.done == 2
    assert "UniqueConstraintError" in str(err.value)


def test_create_with_listeners_saves_each_model_so_events_fire(stub: StubExecutor) -> None:
    fired: list[str] = []

    class Listened(Model, registry=BLOG):
        label: str

    Listened.add_hook("creating", lambda m: fired.append(m.label))
    try:
        Listened.factory().count(2).sequence(label=["a", "b"]).create()
    finally:
        BLOG.unregister("Listened")
    assert fired == ["a", "b"]
    assert [r.operation for r in stub.requests] == ["PutItem", "PutItem"]


def test_create_validates_every_model_before_any_request(stub: StubExecutor) -> None:
    with pytest.raises(Exception, match=r"title"):
        ArticleFactory().count(3).create(title="x" * 81)
    assert stub.requests == []


def test_acreate_is_the_async_twin(stub: StubExecutor) -> None:
    async def scenario() -> tuple[Any, Any]:
        authors = await AuthorFactory().count(2).has(ArticleFactory().count(2)).acreate()
        return authors, await ArticleFactory().acreate(title="Hello")

    authors, one = asyncio.run(scenario())
    assert len(authors) == 2
    assert [len(a.get_relation("articles")) for a in authors] == [2, 2]
    assert len(entities(stub, "Article")) == 5  # 2 x 2 children, then "Hello"
    assert one.title == "Hello"
    assert one.exists


def test_generated_factory_classes_are_not_registered() -> None:
    generated = generated_factory(Team)
    assert generated.model is Team
    assert type(Team.factory()) is not AuthorFactory
