"""``as_dicts()``: terminals return plain dicts of model values (internal key attributes
stripped, values cast as hydration casts them), never model instances."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import dynamodb_tooling.orm.concerns.persistence as persistence
import dynamodb_tooling.query.executor as executor_module
from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import PerformanceWarning
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.query.builder import table
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Registry:
    return Registry(validate_config())


@pytest.fixture
def User(registry: Registry) -> type[Model]:
    class User(Model, registry=registry, timestamps=True, versioning=True):
        email: str
        joined_at: datetime
        balance: Decimal
        roles: set[str]
        nickname: str | None = None

    return User


@pytest.fixture
def stored(User: type[Model]) -> dict[str, Any]:
    user = User(
        email="ada@example.com",
        joined_at=datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        balance=Decimal("10.50"),
        roles={"admin"},
    )
    return marshall_item(user.to_item())


@pytest.fixture
def stub(stored: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[StubExecutor]:
    def answer(request: Request) -> dict[str, Any]:
        if request.operation == "GetItem":
            return {"Item": stored}
        if request.operation in ("Query", "Scan"):
            return {"Items": [stored, stored], "Count": 2, "ScannedCount": 2}
        return {}

    executor = StubExecutor(config=validate_config(), answer=answer)
    monkeypatch.setattr(executor_module, "_default", lambda: executor)
    monkeypatch.setattr(persistence, "get_client", lambda: executor)
    return executor


def test_find_returns_the_values_hydration_gives_as_a_plain_dict(
    User: type[Model], stored: dict[str, Any], stub: StubExecutor
) -> None:
    ident = stored["id"]["S"]
    found = User.query().as_dicts().find(ident)
    model = User.find(ident)
    assert isinstance(found, dict)
    assert model is not None
    assert found == model.to_values()
    assert not {"pk", "sk", "_et"} & found.keys()
    assert found["joined_at"] == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert found["balance"] == Decimal("10.50")
    assert found["roles"] == {"admin"}
    assert isinstance(found["created_at"], datetime)
    assert found["_v"] == 1


def test_get_and_first_return_dicts(User: type[Model], stub: StubExecutor) -> None:
    with pytest.warns(PerformanceWarning):  # a Scan of the entity type
        rows = User.query().as_dicts().get()
    assert len(rows) == 2
    assert all(type(row) is dict for row in rows)
    with pytest.warns(PerformanceWarning):
        first = User.where("email", "ada@example.com").as_dicts().first()
    assert first is not None
    assert first["email"] == "ada@example.com"


def test_the_original_builder_still_hydrates_models(User: type[Model], stub: StubExecutor) -> None:
    query = User.query()
    query.as_dicts()
    with pytest.warns(PerformanceWarning):
        assert all(isinstance(row, User) for row in query.get())


def test_a_missing_item_is_none(
    User: type[Model], stub: StubExecutor, stored: dict[str, Any]
) -> None:
    stub.on("GetItem", {})
    assert User.query().as_dicts().find("nope") is None


def test_raw_table_queries_keep_their_items(registry: Registry, stub: StubExecutor) -> None:
    row = table("T", registry=registry, client=stub).as_dicts().where("pk", "USER#1").first()
    assert row is not None
    assert "pk" in row
