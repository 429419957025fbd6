"""Model events, server-free: the order listeners run in, cancelling (nothing sent), muting,
observers, configured import-path hooks and async listeners (requests seen by the stub)."""

from __future__ import annotations

import asyncio
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import ConfigError, QueryError
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import Model, hook, without_events
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


def writes(stub: StubExecutor) -> list[str]:
    return [r.operation for r in stub.requests if r.operation != "GetItem"]


def test_save_create_update_delete_fire_in_eloquent_order(
    stub: StubExecutor, registry: Registry
) -> None:
    seen: list[str] = []

    class Note(Model, registry=registry, soft_deletes=True):
        body: str

        @hook("creating", "updating")
        def stamp(self) -> None:
            seen.append(f"method:{'new' if not self.exists else 'old'}")

    for event in ("saving", "creating", "created", "updating", "updated", "saved"):
        Note.add_hook(event, lambda note, e=event: seen.append(e))  # type: ignore[misc]
    for event in ("deleting", "deleted", "restoring", "restored"):
        Note.add_hook(event, lambda note, e=event: seen.append(e))  # type: ignore[misc]

    note = Note.create(body="a")
    assert seen == ["saving", "method:new", "creating", "created", "saved"]
    seen.clear()
    note.save()  # nothing changed: saving and saved only, and nothing sent
    assert seen == ["saving", "saved"]
    assert len(writes(stub)) == 1
    seen.clear()
    note.body = "b"
    note.save()
    assert seen == ["saving", "method:old", "updating", "updated", "saved"]
    seen.clear()
    note.delete()
    note.restore()
    assert seen == ["deleting", "deleted", "restoring", "restored"]
    assert len(writes(stub)) == 4  # create, update, soft delete, restore


def test_a_before_listener_returning_false_cancels_and_sends_nothing(
    stub: StubExecutor, registry: Registry
) -> None:
    class Draft(Model, registry=registry):
        title: str

    @Draft.on("creating")
    def refuse_empty(draft: Draft) -> bool:
        return bool(draft.title.strip())

    after: list[str] = []
    Draft.add_hook("created", lambda d: after.append("created"))
    draft = Draft.create(title="  ")
    assert stub.requests == []
    assert not draft.exists
    assert after == []
    assert Draft.create(title="ok").exists
    assert len(stub.requests) == 1
    assert after == ["created"]


def test_a_listener_changing_values_before_the_write_changes_what_is_sent(
    stub: StubExecutor, registry: Registry
) -> None:
    class Person(Model, registry=registry):
        email: str

        @hook("saving")
        def lower(self) -> None:
            self.email = self.email.lower()

    Person.create(email="ADA@Example.COM")
    (sent,) = stub.requests
    item = sent.params.get("Item") or sent.params["TransactItems"][0]["Put"]["Item"]
    assert item["email"] == {"S": "ada@example.com"}


def test_observers_muting_and_quiet_saves(stub: StubExecutor, registry: Registry) -> None:
    seen: list[str] = []

    class Audit:
        def created(self, model: Any) -> None:
            seen.append(f"created {model.name}")

        def deleted(self, model: Any) -> None:
            seen.append(f"deleted {model.name}")

    class Team(Model, registry=registry):
        name: str

    Team.observe(Audit())
    Team.create(name="a")
    with Team.without_events():
        Team.create(name="b")
    with without_events():
        Team.create(name="c")
    quiet = Team(name="d").save_quietly()
    quiet.delete_quietly()
    Team.create(name="e").delete()
    assert seen == ["created a", "created e", "deleted e"]
    with pytest.raises(QueryError, match="has no method named after an event"):
        Team.observe(object())
    with pytest.raises(QueryError, match="did you mean 'created'"):
        Team.add_hook("createdd", print)  # type: ignore[arg-type]


def test_listeners_of_a_base_class_run_for_subclasses_first(
    stub: StubExecutor, registry: Registry
) -> None:
    seen: list[str] = []

    class Base(Model, abstract=True):
        @hook("creating")
        def base_hook(self) -> None:
            seen.append("base")

    class Child(Base, registry=registry):
        name: str

        @hook("creating")
        def child_hook(self) -> None:
            seen.append("child")

    Child.add_hook("creating", lambda c: seen.append("registered"))
    Child.create(name="x")
    assert seen == ["base", "child", "registered"]


def test_retrieved_fires_when_items_are_loaded(stub: StubExecutor, registry: Registry) -> None:
    class Doc(Model, registry=registry):
        title: str

    loaded: list[str] = []
    Doc.add_hook("retrieved", lambda doc: loaded.append(doc.title))
    stored = Doc(id="d1", title="Hello").to_item()
    stub.on("GetItem", {"Item": marshall_item(stored)})
    assert Doc.find("d1") is not None
    assert loaded == ["Hello"]


def test_configured_import_path_hooks_run_after_code_hooks(stub: StubExecutor) -> None:
    seen: list[str] = []
    module = types.ModuleType("app_hooks_for_test")
    module.on_created = lambda model: seen.append(f"global {model.title}")  # type: ignore[attr-defined]
    module.on_book = lambda model: seen.append(f"book {model.title}")  # type: ignore[attr-defined]
    sys.modules["app_hooks_for_test"] = module
    hooks = {
        "global": {"created": ["app_hooks_for_test:on_created"]},
        "models": {"Book": {"created": ["app_hooks_for_test:on_book"]}},
    }
    try:
        with use_config(query_builder={"hooks": hooks}):
            registry = Registry()

            class Book(Model, registry=registry):
                title: str

            Book.add_hook("created", lambda b: seen.append(f"code {b.title}"))
            Book.create(title="Dune")
        assert seen == ["code Dune", "book Dune", "global Dune"]
        with use_config(query_builder={"hooks": {"global": {"created": ["nowhere_x:f"]}}}):
            registry = Registry()

            class Paper(Model, registry=registry):
                title: str

            with pytest.raises(ConfigError, match="cannot load hook 'nowhere_x:f'"):
                Paper.create(title="x")
    finally:
        del sys.modules["app_hooks_for_test"]


def test_async_listeners_are_awaited_by_the_twins_and_refused_by_sync_calls(
    stub: StubExecutor, registry: Registry
) -> None:
    seen: list[str] = []

    class Job(Model, registry=registry):
        name: str

    async def notify(job: Job) -> None:
        await asyncio.sleep(0)
        seen.append(job.name)

    Job.add_hook("created", notify)
    asyncio.run(Job.acreate(name="a"))
    assert seen == ["a"]
    with pytest.raises(QueryError, match="is async; call the a-prefixed twin"):
        Job.create(name="b")


def test_replicating_fires_on_the_copy(stub: StubExecutor, registry: Registry) -> None:
    class Post(Model, registry=registry):
        title: str

    copies: list[Any] = []
    Post.add_hook("replicating", copies.append)
    original = Post(title="x")
    copy = original.replicate()
    assert copies == [copy]
    assert copy is not original


def test_force_delete_and_increment_events(stub: StubExecutor, registry: Registry) -> None:
    seen: list[str] = []

    class Counter(Model, registry=registry, soft_deletes=True):
        hits: int = 0

    for event in ("updating", "updated", "force_deleting", "deleting", "deleted", "force_deleted"):
        Counter.add_hook(event, lambda c, e=event: seen.append(e))  # type: ignore[misc]
    counter = Counter.create()
    counter.increment("hits")
    assert seen == ["updating", "updated"]
    seen.clear()
    counter.force_delete()
    assert seen == ["force_deleting", "deleting", "deleted", "force_deleted"]
    Counter.add_hook("force_deleting", lambda c: False)
    again = Counter.create()
    sent = len(stub.requests)
    again.force_delete()
    assert len(stub.requests) == sent  # cancelled: nothing sent
    assert again.exists


def test_writes_skip_event_work_until_some_listener_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dynamodb_tooling.config import validate_config
    from dynamodb_tooling.orm import events as events_module

    monkeypatch.setattr(events_module, "_any_declared", False)
    monkeypatch.setattr(events_module, "_any_configured", {})
    plain = validate_config()
    hooked = validate_config(query_builder={"hooks": {"global": {"saved": ["app.x:f"]}}})
    assert events_module.may_fire(plain) is False
    assert events_module.may_fire(hooked) is True
    events_module.hook("saving")(lambda self: None)
    assert events_module.may_fire(plain) is True
