"""Hidden values never leak through write errors: messages name a hidden attribute without its
value, and the items (and raw responses) errors carry hold no hidden attribute, nor an index
key derived from one."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    CancellationReason,
    ConditionalCheckFailedError,
    DynamoDBToolingError,
    ItemAlreadyExistsError,
    StaleModelError,
    TransactionCanceledError,
    UniqueConstraintError,
)
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.query._write_outcome import explain, failed_entities, translate_write_error
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import Registry

SECRET = "sk_live_AAAA"


def client_model(registry: Registry) -> Any:
    class Client(Model, registry=registry):
        name: str
        email: str | None = attribute(unique=True, default=None)
        api_key: str = attribute(unique=True, hidden=True)
        token: str | None = attribute(hidden=True, index=True, default=None)
        secret: str | None = attribute(hidden=True, default=None)

    return Client


@pytest.fixture
def compiler() -> WriteCompiler:
    registry = Registry(validate_config())
    client_model(registry)
    return WriteCompiler(registry, "T")


CLIENT = {"id": "c1", "name": "a", "api_key": SECRET, "token": "TOK-1", "secret": "TOPSECRET"}


def leaks(error: BaseException) -> list[str]:
    """Where a hidden value shows: the message, ``item``, ``response``, ``value``, reasons."""
    found: list[str] = []
    for value in (SECRET, "TOK-1", "TOPSECRET", "sk_live_BBBB"):
        if value in str(error):
            found.append(f"message holds {value}")
        for name in ("item", "response", "value", "reasons"):
            if value in repr(getattr(error, name, None)):
                found.append(f".{name} holds {value}")
    return found


def test_plans_know_which_attributes_are_hidden(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Client", CLIENT)
    (entity,) = plan.entities
    # The index keys derived from the hidden indexed token are hidden too.
    derived = {name for name in entity.hidden if name.startswith("gsi")}
    assert {"api_key", "token", "secret"} <= entity.hidden
    assert derived
    assert plan.item is not None
    assert any("TOK-1" in str(plan.item[name]) for name in derived)
    assert "name" not in entity.hidden
    assert "email" not in entity.hidden
    by_attribute = {u.attribute: u.hidden for u in plan.uniques}
    assert by_attribute == {"api_key": True}
    update = compiler.update("Client", CLIENT, {"api_key": "sk_live_CCCC", "email": "e@x.io"})
    assert {u.attribute: u.hidden for u in update.uniques} == {"api_key": True, "email": False}
    assert update.entities[0].hidden == entity.hidden


def test_a_taken_hidden_unique_value_is_not_shown(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Client", {**CLIENT, "email": "e@x.io"})
    indexes = {u.attribute: u.index for u in plan.uniques}
    for name, shown in (("api_key", False), ("email", True)):
        reasons = [CancellationReason(i, "None", "") for i in range(len(plan.actions))]
        reasons[indexes[name]] = CancellationReason(indexes[name], "ConditionalCheckFailed", "")
        error = translate_write_error(TransactionCanceledError("cancelled", reasons=reasons), plan)
        assert isinstance(error, UniqueConstraintError)
        assert error.attribute == name
        if shown:
            assert str(error) == "Client.email 'e@x.io' is already taken; nothing was written"
            assert error.value == "e@x.io"
        else:
            assert str(error) == "Client.api_key (hidden) is already taken; nothing was written"
            assert error.value is None
            assert not leaks(error)


def test_a_moved_hidden_unique_value_is_not_shown(compiler: WriteCompiler) -> None:
    plan = compiler.update("Client", CLIENT, {"api_key": "sk_live_CCCC"})
    cancelled = TransactionCanceledError(
        "cancelled", reasons=[CancellationReason(0, "ConditionalCheckFailed", "")]
    )
    (target,) = failed_entities(plan, cancelled)
    current = {**CLIENT, "api_key": "sk_live_BBBB", "pk": "CLIENT#c1", "sk": "CLIENT#c1"}
    error = explain(target, current, cancelled)
    assert isinstance(error, StaleModelError)
    assert "its api_key (hidden) is no longer the value it was read with" in str(error)
    assert error.item == {"id": "c1", "name": "a", "pk": "CLIENT#c1", "sk": "CLIENT#c1"}
    assert not leaks(error)


def test_an_existing_item_carries_no_hidden_attribute(compiler: WriteCompiler) -> None:
    plan = compiler.insert("Client", CLIENT)
    (entity,) = plan.entities
    wire = {"api_key": {"S": SECRET}, "name": {"S": "a"}, "token": {"S": "TOK-1"}}
    failed = ConditionalCheckFailedError(
        "failed", code="ConditionalCheckFailedException", response={"Item": wire}, item=wire
    )
    stored = {**CLIENT, **{name: f"CLIENT#TOK-1#{name}" for name in entity.hidden - set(CLIENT)}}
    error = explain(entity, stored, failed)
    assert isinstance(error, ItemAlreadyExistsError)
    assert error.item == {"id": "c1", "name": "a"}
    assert error.response == {"Item": {"name": {"S": "a"}}}
    assert not leaks(error)


def test_raw_errors_lose_hidden_values_before_they_are_raised_or_chained(
    compiler: WriteCompiler,
) -> None:
    plan = compiler.update("Client", CLIENT, {"name": "b"})
    wire = {"api_key": {"S": SECRET}, "name": {"S": "a"}, "secret": {"S": "TOPSECRET"}}
    single = ConditionalCheckFailedError(
        "failed", code="ConditionalCheckFailedException", response={"Item": wire}, item=wire
    )
    assert translate_write_error(single, plan) is single
    assert single.item == {"name": {"S": "a"}}
    assert not leaks(single)
    moved = compiler.update("Client", CLIENT, {"api_key": "sk_live_CCCC"})
    cancelled = TransactionCanceledError(
        "cancelled",
        reasons=[CancellationReason(0, "ConditionalCheckFailed", "", item=wire)]
        + [CancellationReason(i, "None", "") for i in range(1, len(moved.actions))],
        response={"CancellationReasons": [{"Code": "ConditionalCheckFailed", "Item": wire}]},
    )
    assert translate_write_error(cancelled, moved) is cancelled
    assert cancelled.reasons[0].item == {"name": {"S": "a"}}
    assert not leaks(cancelled)


# Against the engine: the reviewer's scenario.
@pytest.fixture
def Client(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[Any]:
    config = validate_config(dynamodb_config, default_table_name=f"hid-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    model = client_model(registry)
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield model
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


@pytest.mark.integration
def test_write_errors_never_show_hidden_values(Client: Any) -> None:
    a = Client.create(name="a", api_key=SECRET, token="TOK-1", secret="TOPSECRET")
    with pytest.raises(UniqueConstraintError) as taken:
        Client.create(name="b", api_key=SECRET)
    assert str(taken.value) == "Client.api_key (hidden) is already taken; nothing was written"
    stale = Client.find(a.id)
    a.update(api_key="sk_live_BBBB")
    with pytest.raises(StaleModelError) as changed:
        stale.update(api_key="sk_live_CCCC")
    assert "its api_key (hidden) is no longer the value it was read with" in str(changed.value)
    assert changed.value.item is not None
    assert changed.value.item["name"] == "a"
    assert not {"api_key", "token", "secret"} & set(changed.value.item)
    with pytest.raises(ItemAlreadyExistsError) as exists:
        Client.create(id=a.id, name="c", api_key="sk_live_DDDD")
    assert exists.value.item is not None
    assert not {"api_key", "token", "secret"} & set(exists.value.item)
    with pytest.raises(DynamoDBToolingError) as cast:
        Client.create(name="d", api_key=12345)
    assert "12345" not in str(cast.value)
    for caught in (taken, changed, exists, cast):
        for error in chain(caught.value):
            assert not leaks(error), (type(error).__name__, leaks(error))
