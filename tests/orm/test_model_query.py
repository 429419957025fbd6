"""The class-level API and the model query, through the stub executor: every builder method
and terminal on the class, Eloquent's array ``where``, ``first_or_create``/``first_or_new``/
``update_or_create``, ``destroy``, ``fresh``, ``is_``/``is_not`` and their async twins."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import (
    MassAssignmentError,
    PartialWriteError,
    QueryError,
    ThrottlingError,
    UniqueConstraintError,
)
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.orm import Model, ModelQuery, attribute, transaction
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.predicates import Group
from dynamodb_tooling.query.refs import AttributeRef
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor

# Scans of small test models are what these tests mean to send.
pytestmark = pytest.mark.filterwarnings("ignore::dynamodb_tooling.errors.PerformanceWarning")


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


@pytest.fixture
def models(registry: Registry) -> dict[str, Any]:
    class Member(Model, registry=registry, timestamps=True):
        email: str = attribute(unique=True)
        name: str
        team_id: str | None = None
        age: int | None = None
        role: str = attribute(default="user", guarded=True)

    class Note(Model, registry=registry, soft_deletes=True):
        text: str

    return {"Member": Member, "Note": Note}


def ops(stub: StubExecutor) -> list[str]:
    return [r.operation for r in stub.requests]


def sentinel_of(instance: Model) -> dict[str, Any]:
    """The unique-value sentinel a lookup reads first: it names its owner's key."""
    item = instance.to_item()
    return marshall_item(
        {"pk": "UNIQUE", "sk": "UNIQUE", "owner": {k: item[k] for k in ("pk", "sk")}}
    )


# Every builder method and terminal on the class.
CHAINS: list[tuple[str, tuple[Any, ...]]] = [
    ("or_where", ("name", "Ada")),
    ("where_not_in", ("name", ["a"])),
    ("where_between", ("age", 1, 9)),
    ("where_null", ("team_id",)),
    ("where_not_null", ("team_id",)),
    ("where_exists", ("team_id",)),
    ("where_not_exists", ("team_id",)),
    ("where_begins_with", ("name", "A")),
    ("where_contains", ("name", "d")),
    ("select", ("name", "age")),
    ("order_by", ("age", "desc")),
    ("order_by_desc", ("age",)),
    ("latest", ()),
    ("oldest", ()),
    ("limit", (3,)),
    ("take", (3,)),
    ("consistent", ()),
    ("force_scan", ()),
    ("parallel", (2,)),
    ("where", ({"name": "Ada", "age": 3},)),
    ("where_in", ("age", [1, 2])),
]


@pytest.mark.parametrize(("method", "args"), CHAINS, ids=[name for name, _ in CHAINS])
def test_every_builder_method_is_on_the_class_and_returns_a_model_query(
    models: dict[str, Any], method: str, args: tuple[Any, ...]
) -> None:
    Member = models["Member"]
    from_class = getattr(Member, method)(*args)
    from_query = getattr(Member.query(), method)(*args)
    assert isinstance(from_class, ModelQuery)
    assert from_class.model is Member
    assert from_class.state == from_query.state
    assert from_class.to_params() == from_query.to_params()


def test_the_class_answers_the_inspection_methods(models: dict[str, Any]) -> None:
    Member = models["Member"]
    assert Member.to_params() == Member.query().to_params()
    assert Member.plan() == Member.query().plan()
    assert str(Member.explain()) == str(Member.query().explain())
    assert Member.to_partiql() == Member.query().to_partiql()
    assert Member.when(True, lambda q: q.where("age", 3)).state == Member.where("age", 3).state
    assert Member.unless(True, lambda q: q.where("age", 3)).state == Member.query().state
    assert Member.where_not(lambda q: q.where("age", 3)).state.wheres
    assert Member.scope(lambda q, n: q.where("age", n), 4).state == Member.where("age", 4).state
    assert Member.use_index("gsi1").state.index == "gsi1"
    assert Member.force_query().state.force_query


def test_terminals_on_the_class_send_what_the_query_sends(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    ada = Member(email="ada@example.com", name="Ada", age=36)
    item = marshall_item(ada.to_item())
    stub.on("Scan", {"Count": 2, "ScannedCount": 2})
    assert Member.count() == 2
    (counted,) = stub.sent("Scan")
    assert counted.params["Select"] == "COUNT"
    stub.requests.clear()

    stub.on("Scan", {"Items": [item]})
    first = Member.first()
    assert first is not None
    assert first.is_(ada)
    assert stub.requests[0].params == Member.query().limit(1).plan().requests()[0].params
    terminals: list[tuple[Callable[[], Any], list[str]]] = [
        (lambda: Member.get(), [ada.id]),
        (lambda: Member.all(), [ada.id]),
        (lambda: [m.id for m in Member.paginate(5).items], [ada.id]),
    ]
    for terminal, expected in terminals:
        stub.on("Scan", {"Items": [item]})
        found = terminal()
        assert [m if isinstance(m, str) else m.id for m in found] == expected
    stub.on("Scan", {"Items": [item]})
    assert list(Member.pluck("name")) == ["Ada"]
    stub.on("Scan", {"Items": [item]})
    assert Member.value("age") == 36
    stub.on("Scan", {"Items": [item]}, {"Items": [item]})
    assert Member.sum("age") == 36
    assert Member.max("age") == 36
    stub.on("Scan", {"Items": []})
    assert Member.doesnt_exist()
    seen: list[Any] = []
    stub.on("Scan", {"Items": [item]})
    Member.each(seen.append)
    stub.on("Scan", {"Items": [item]})
    Member.chunk(10, lambda part: seen.extend(part))
    assert [m.id for m in seen] == [ada.id, ada.id]


def test_class_level_writes_go_through_the_builder(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Note = models["Note"]
    note = Note.insert({"text": "hi"})
    assert isinstance(note, Note)
    assert ops(stub) == ["PutItem"]
    assert Note.insert_many([{"text": "a"}, {"text": "b"}]) == 2
    assert "BatchWriteItem" in ops(stub)
    with pytest.raises(MassAssignmentError):
        models["Member"].insert({"email": "e", "name": "n", "role": "admin"})


def test_the_dict_form_of_where_is_an_and_of_equalities(models: dict[str, Any]) -> None:
    Member = models["Member"]
    chained = Member.where("team_id", "t1").where("age", 20)
    assert Member.where({"team_id": "t1", "age": 20}).state == chained.state
    assert Member.query().where({"team_id": "t1", "age": 20}).state == chained.state
    assert Member.where({"team_id": None}).state == Member.where_null("team_id").state
    grouped = Member.where("name", "Ada").or_where({"team_id": "t1", "age": 20})
    connector, group = grouped.state.wheres[1]
    assert connector == "or"
    assert group == Group(Member.where("team_id", "t1").where("age", 20).state.wheres)
    ada = {"name": "Ada"}
    assert group.matches({"team_id": "t1", "age": 20})
    assert not group.matches(ada)
    one = Member.where("name", "Ada").or_where({"age": 20})
    assert one.state == Member.where("name", "Ada").or_where("age", 20).state


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda M: M.where({}), r"where\(\{\}\) needs at least one attribute"),
        (lambda M: M.where({"age": 1}, ">", 3), r"takes only the mapping"),
        (lambda M: M.where({"agee": 1}), r"Member has no attribute 'agee'; did you mean 'age'"),
        (lambda M: M.or_where({"agee": 1, "name": "x"}), r"no attribute 'agee'"),
        (lambda M: M.where({1: 2}), r"keys are attribute names"),
    ],
)
def test_a_bad_dict_where_is_refused_with_how_to_fix_it(
    models: dict[str, Any], stub: StubExecutor, build: Any, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        build(models["Member"])
    assert stub.requests == []


def test_raw_table_builders_take_the_dict_form_too() -> None:
    from dynamodb_tooling.query.builder import table

    query = table("T").where({"pk": "A", "sk": "B"})
    assert type(query) is QueryBuilder
    assert query.state == table("T").where("pk", "A").where("sk", "B").state


def test_an_attribute_named_like_a_query_method_keeps_its_name(registry: Registry) -> None:
    class Counter(Model, registry=registry):
        count: int = 0
        value: str | None = None
        max: int | None = None

    # At run time the attribute wins; type checkers see the metaclass's count() there (a
    # documented limit), so the reference is read untyped here.
    reference: Any = Counter.count
    assert isinstance(reference, AttributeRef)
    assert Counter(count=3).count == 3
    assert Counter.where(reference > 2).state.wheres
    assert Counter.query().where("max", 3).state.wheres
    assert callable(Counter.query().count)


# Find or make.
def test_first_or_create_returns_the_match_without_writing(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    ada = Member(email="ada@example.com", name="Ada")
    stub.on("GetItem", {"Item": sentinel_of(ada)})
    stub.on("GetItem", {"Item": marshall_item(ada.to_item())})
    found = Member.first_or_create({"email": "ada@example.com"}, {"name": "Other"})
    assert found.id == ada.id
    assert found.name == "Ada"
    assert ops(stub) == ["GetItem", "GetItem"]  # the unique lookup: sentinel, then item


def test_first_or_create_creates_with_attributes_and_values(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    made = Member.first_or_create({"email": "ada@example.com"}, {"name": "Ada", "age": 36})
    assert made.exists
    assert ops(stub) == ["GetItem", "TransactWriteItems"]
    put = stub.sent("TransactWriteItems")[0].params["TransactItems"][0]["Put"]["Item"]
    written = unmarshall_item(put)
    assert (written["email"], written["name"], written["age"]) == ("ada@example.com", "Ada", 36)


def test_first_or_create_after_a_lost_race_returns_the_winners_item(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    winner = Member(email="ada@example.com", name="Winner")
    stub.on(
        "GetItem",
        {},  # the first lookup: no sentinel yet
        {"Item": sentinel_of(winner)},
        {"Item": marshall_item(winner.to_item())},
    )
    taken = UniqueConstraintError(
        "taken", model="Member", attribute="email", value="ada@example.com"
    )
    stub.on("TransactWriteItems", taken)
    found = Member.first_or_create({"email": "ada@example.com"}, {"name": "Loser"})
    assert found.id == winner.id
    assert found.name == "Winner"
    assert ops(stub) == ["GetItem", "TransactWriteItems", "GetItem", "GetItem"]


def test_first_or_create_reraises_when_the_conflicting_item_is_not_found(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    taken = UniqueConstraintError("taken", model="Member", attribute="email", value="x")
    stub.on("TransactWriteItems", taken)
    with pytest.raises(UniqueConstraintError):
        Member.first_or_create({"email": "ada@example.com"}, {"name": "Ada"})


@pytest.mark.parametrize(
    "call",
    [
        lambda M: M.first_or_create({"email": "e"}, {"name": "n", "role": "admin"}),
        lambda M: M.first_or_new({"email": "e", "role": "admin"}),
        lambda M: M.update_or_create({"email": "e"}, {"role": "admin"}),
    ],
)
def test_find_or_make_is_mass_assignment_refused_before_any_request(
    models: dict[str, Any], stub: StubExecutor, call: Any
) -> None:
    with pytest.raises(MassAssignmentError, match=r"Member\.role"):
        call(models["Member"])
    assert stub.requests == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda M: M.first_or_create({}), r"needs a non-empty dict"),
        (lambda M: M.first_or_new("ada"), r"needs a non-empty dict"),
        (lambda M: M.update_or_create({"email": "e"}, ["name"]), r"values must be a dict"),
        (lambda M: M.first_or_create({"emial": "e"}), r"did you mean 'email'"),
    ],
)
def test_find_or_make_refuses_bad_input_before_any_request(
    models: dict[str, Any], stub: StubExecutor, call: Any, message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        call(models["Member"])
    assert stub.requests == []


def test_first_or_new_is_unsaved_when_nothing_matches(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    made = Member.first_or_new({"email": "ada@example.com"}, {"name": "Ada"})
    assert not made.exists
    assert made.name == "Ada"
    assert ops(stub) == ["GetItem"]


def test_update_or_create_updates_only_the_values_of_a_match(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    ada = Member(email="ada@example.com", name="Ada", age=3)
    stub.on("GetItem", {"Item": sentinel_of(ada)})
    stub.on("GetItem", {"Item": marshall_item(ada.to_item())})
    updated = Member.update_or_create({"email": "ada@example.com"}, {"age": 4})
    assert updated.age == 4
    assert ops(stub) == ["GetItem", "GetItem", "UpdateItem"]
    (sent,) = stub.sent("UpdateItem")
    assert "age" in sent.params["ExpressionAttributeNames"].values()
    assert "name" not in sent.params["ExpressionAttributeNames"].values()


def test_update_or_create_creates_when_nothing_matches(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    made = Member.update_or_create({"email": "ada@example.com"}, {"name": "Ada"})
    assert made.exists
    assert made.name == "Ada"
    assert ops(stub) == ["GetItem", "TransactWriteItems"]


# destroy.
def test_destroy_reads_in_one_batch_and_deletes_each_found(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    people = [Member(email=f"{n}@example.com", name=n) for n in "abc"]
    table = Member.__registry__.config.default_table_name
    stub.on("BatchGetItem", {"Responses": {table: [marshall_item(p.to_item()) for p in people]}})
    assert Member.destroy(people[0].id, people[1].id, people[2].id, "missing") == 3
    assert ops(stub)[0] == "BatchGetItem"
    assert ops(stub)[1:] == ["TransactWriteItems"] * 3  # each releases its unique email
    assert Member.destroy() == 0
    assert Member.destroy([]) == 0
    assert ops(stub).count("BatchGetItem") == 1  # no ids, no request


def test_destroy_soft_deletes_a_soft_deleting_model(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Note = models["Note"]
    notes = [Note(text=t) for t in "ab"]
    table = Note.__registry__.config.default_table_name
    stub.on("BatchGetItem", {"Responses": {table: [marshall_item(n.to_item()) for n in notes]}})
    assert Note.destroy([n.id for n in notes]) == 2
    assert ops(stub) == ["BatchGetItem", "UpdateItem", "UpdateItem"]
    for sent in stub.sent("UpdateItem"):
        assert "deleted_at" in sent.params["ExpressionAttributeNames"].values()


def test_destroy_counts_only_deletes_that_happened(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Note = models["Note"]
    notes = [Note(text=t) for t in ("keep", "drop")]
    Note.add_hook("deleting", lambda note: note.text != "keep")
    table = Note.__registry__.config.default_table_name
    stub.on("BatchGetItem", {"Responses": {table: [marshall_item(n.to_item()) for n in notes]}})
    assert Note.destroy(*(n.id for n in notes)) == 1
    assert ops(stub) == ["BatchGetItem", "UpdateItem"]


def test_destroy_reports_failures_with_what_was_deleted(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Note = models["Note"]
    notes = [Note(text=t) for t in "ab"]
    table = Note.__registry__.config.default_table_name
    stub.on("BatchGetItem", {"Responses": {table: [marshall_item(n.to_item()) for n in notes]}})
    stub.on("UpdateItem", {}, ThrottlingError("slow down", code="ThrottlingException"))
    with pytest.raises(PartialWriteError, match=r"1 of 2 deleted, 1 failed") as caught:
        Note.destroy(*(n.id for n in notes))
    assert caught.value.done == 1
    assert len(caught.value.failed) == 1


def test_destroy_joins_an_open_transaction(models: dict[str, Any], stub: StubExecutor) -> None:
    Note = models["Note"]
    notes = [Note(text=t) for t in "ab"]
    table = Note.__registry__.config.default_table_name
    stub.on("BatchGetItem", {"Responses": {table: [marshall_item(n.to_item()) for n in notes]}})
    with transaction():
        assert Note.destroy(*(n.id for n in notes)) == 2
        assert ops(stub) == ["BatchGetItem"]
    assert ops(stub) == ["BatchGetItem", "TransactWriteItems"]
    assert len(stub.sent("TransactWriteItems")[0].params["TransactItems"]) == 2


@pytest.mark.parametrize("bad", [None, {"id": 1}])
def test_destroy_refuses_what_is_not_an_id(
    models: dict[str, Any], stub: StubExecutor, bad: Any
) -> None:
    with pytest.raises(QueryError, match=r"destroy\(\) takes ids"):
        models["Note"].destroy("a", bad)
    assert stub.requests == []


# fresh, is_, is_not.
def test_fresh_reads_a_new_instance_without_global_scopes(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Note = models["Note"]
    note = Note.from_item(Note(text="old").to_item())
    changed = {**note.to_item(), "text": "new", "deleted_at": "2024-01-01T00:00:00+00:00"}
    stub.on("GetItem", {"Item": marshall_item(changed)})
    fresh = note.fresh()
    assert fresh is not None
    assert fresh is not note
    assert (fresh.text, note.text) == ("new", "old")
    (read,) = stub.sent("GetItem")
    assert "FilterExpression" not in read.params  # soft-deleted items are found too
    stub.on("GetItem", {})
    assert note.fresh() is None
    assert Note(text="unsaved").fresh() is None
    assert len(stub.requests) == 2  # an unsaved instance sends nothing


def test_is_compares_model_and_key(models: dict[str, Any], registry: Registry) -> None:
    Member, Note = models["Member"], models["Note"]
    note = Note(text="a")
    same = Note.from_item(note.to_item())
    same.text = "changed"
    assert note.is_(same)
    assert not note.is_not(same)
    assert note.is_not(Note(text="a"))
    other_model = Member(email="e", name="n", id=note.id)
    assert not note.is_(other_model)
    assert not note.is_(None)
    assert not note.is_("x")


# Async twins.
def test_async_twins_send_what_the_sync_calls_send(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member, Note = models["Member"], models["Note"]
    ada = Member(email="ada@example.com", name="Ada", age=36)
    item = marshall_item(ada.to_item())
    table = Member.__registry__.config.default_table_name

    async def run() -> None:
        stub.on("Scan", {"Count": 1})
        assert await Member.acount() == 1
        stub.on("Scan", {"Items": [item]})
        first = await Member.afirst()
        assert first is not None
        assert first.is_(ada)
        stub.on("Scan", {"Items": [item]})
        assert [m.id for m in await Member.aget()] == [ada.id]
        stub.on("Scan", {"Items": [item]})
        assert (await Member.apaginate(3)).count == 1
        stub.on("Scan", {"Items": [item]})
        assert await Member.aexists()
        stub.on("Scan", {"Items": [item]})
        assert list(await Member.apluck("age")) == [36]
        stub.on("Scan", {"Items": [item]})
        assert await Member.amax("age") == 36
        stub.requests.clear()

        made = await Member.afirst_or_create({"email": "bob@example.com"}, {"name": "Bob"})
        assert made.exists
        assert ops(stub) == ["GetItem", "TransactWriteItems"]
        stub.requests.clear()
        new = await Member.afirst_or_new({"email": "cy@example.com"}, {"name": "Cy"})
        assert not new.exists
        stub.on("GetItem", {"Item": sentinel_of(ada)})
        stub.on("GetItem", {"Item": item})
        updated = await Member.aupdate_or_create({"email": "ada@example.com"}, {"age": 37})
        assert updated.age == 37
        assert "UpdateItem" in ops(stub)
        stub.requests.clear()

        notes = [Note(text=t) for t in "ab"]
        stub.on("BatchGetItem", {"Responses": {table: [marshall_item(n.to_item()) for n in notes]}})
        assert await Note.adestroy(*(n.id for n in notes)) == 2
        assert ops(stub) == ["BatchGetItem", "UpdateItem", "UpdateItem"]
        stub.on("GetItem", {"Item": marshall_item(notes[0].to_item())})
        fresh = await Note.from_item(notes[0].to_item()).afresh()
        assert fresh is not None
        assert fresh.is_(notes[0])

    asyncio.run(run())


def test_the_query_of_a_model_applies_nothing_at_build_time(models: dict[str, Any]) -> None:
    Member = models["Member"]
    query = Member.where("name", "Ada")
    assert query.state == QueryState(model="Member", wheres=query.state.wheres)


def test_a_misspelled_class_method_or_attribute_is_named_with_a_suggestion(
    models: dict[str, Any],
) -> None:
    Member = models["Member"]
    with pytest.raises(
        AttributeError, match="has no attribute or method 'wher'; did you mean 'where'"
    ):
        Member.wher("name", "x")
    with pytest.raises(AttributeError, match="has no attribute 'emial'; did you mean 'email'"):
        Member.emial  # noqa: B018


def test_exists_on_the_class_is_a_query_and_on_an_instance_a_flag(
    models: dict[str, Any], stub: StubExecutor
) -> None:
    Member = models["Member"]
    stub.on(
        "Scan", {"Items": []}, {"Items": [marshall_item(Member(email="a@x", name="A").to_item())]}
    )
    assert Member.exists() is False  # Eloquent's Member::exists(): a query, one Scan page
    assert Member.where("name", "A").exists() is True
    assert ops(stub) == ["Scan", "Scan"]
    member = Member(email="b@x", name="B")
    assert member.exists is False  # not saved yet: the instance flag, no request
    assert ops(stub) == ["Scan", "Scan"]
    with pytest.raises(TypeError, match="not a concrete model"):
        Model.exists()
