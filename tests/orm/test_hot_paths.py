"""The hot paths' caches and shortcuts behave exactly as the general paths: per-model data
follows configuration changes and new registrations, ``find(id)`` plans what
``where(id).first()`` plans, and ``create`` keeps what the written item reads back as."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import get_config, reset_config, set_config, use_config
from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.marshal import MAX_ITEM_SIZE, item_size, marshall_item, unmarshall_item
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.requests._validate import check_item_size, size_bound
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import ModelInfo, transformer_of
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():  # the global configuration: set_config() below must reach it
        yield Registry()


def define_user(registry: Registry) -> type[Model]:
    class User(Model, registry=registry, timestamps=True, versioning=True, soft_deletes=True):
        email: str
        joined_at: datetime
        balance: Decimal
        tags: list[str]
        roles: set[str]
        nickname: str | None = None

    return User


def values() -> dict[str, Any]:
    return {
        "email": "ada@example.com",
        "joined_at": datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
        "balance": Decimal("10.50"),
        "tags": ["a"],
        "roles": {"x"},
    }


def test_per_model_data_follows_a_configuration_change(registry: Registry) -> None:
    User = define_user(registry)
    assert "created_at" in User._names()
    before = ModelInfo.of(registry, "User")
    with use_config(query_builder={"created_at_attribute": "born_at"}):
        assert "born_at" in User._names()
        assert "created_at" not in User._names()
        assert "born_at" in transformer_of(registry).allowed_names("User")
        assert "born_at" in User(**values()).to_item()
        assert ModelInfo.of(registry, "User") is not before
    assert "created_at" in User._names()
    set_config(query_builder={"version_attribute": "rev"})
    assert "rev" in User._names()
    assert "_v" not in User._names()
    reset_config()
    assert get_config().query_builder.version_attribute == "_v"
    assert "_v" in User._names()


def define_team(registry: Registry, *, motto: bool = False) -> type[Model]:
    if not motto:

        class Team(Model, registry=registry):
            name: str

        return Team

    class Team(Model, registry=registry):  # type: ignore[no-redef]  # replaces the first
        name: str
        motto: str | None = None

    return Team


def test_per_model_data_follows_new_registrations(registry: Registry) -> None:
    define_team(registry)
    assert "team_id" not in transformer_of(registry).allowed_names("Team")

    class Member(Model, registry=registry):
        name: str
        team = BelongsTo("Team")

    assert "team_id" in Member._names()
    Member(name="m", team_id="t1")  # the foreign key is known at once
    Team = define_team(registry, motto=True)  # the same origin: the definition is replaced
    assert "motto" in transformer_of(registry).allowed_names("Team")
    assert Team(name="t", motto="go").to_values()["motto"] == "go"


@pytest.mark.parametrize(
    "shape",
    [
        lambda q: q,
        lambda q: q.with_trashed(),
        lambda q: q.only_trashed().consistent(),
        lambda q: q.select("email"),
        lambda q: q.limit(5).order_by("email"),
    ],
)
def test_find_plans_what_where_id_first_plans(registry: Registry, shape: Any) -> None:
    User = define_user(registry)
    query = shape(User.query())
    general = query.where("id", "u1").limit(1).plan()
    fast = QueryPlanner(registry).plan_find(query.state, "u1")
    assert fast == general
    assert fast is not None
    assert fast.route == general.route


def test_find_falls_back_to_the_general_planner_when_it_must(registry: Registry) -> None:
    User = define_user(registry)
    planner = QueryPlanner(registry)
    assert planner.plan_find(User.query().state, None) is None
    assert planner.plan_find(User.where("email", "a").state, "u1") is None
    assert planner.plan_find(QueryState(table="T"), "u1") is None


def test_find_hydrates_the_stored_item(registry: Registry, stub: StubExecutor) -> None:
    User = define_user(registry)
    item = marshall_item(User(**values()).to_item())
    stub.on("GetItem", {"Item": item})
    found = User.find(item["id"]["S"])
    assert found is not None
    assert found.to_values() == User.from_item(unmarshall_item(item)).to_values()
    assert [r.operation for r in stub.requests] == ["GetItem"]


def test_create_holds_what_the_written_item_reads_back_as(
    registry: Registry, stub: StubExecutor
) -> None:
    User = define_user(registry)
    user = User.create(**values())
    (sent,) = stub.sent("PutItem") or list(stub.requests)
    written = unmarshall_item(sent.params.get("Item") or sent.params["TransactItems"][0]["Put"])
    present = {k: v for k, v in user.to_values().items() if v is not None}
    assert present == User.from_item(written).to_values()
    assert user.nickname is None
    assert user.joined_at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)  # cast to UTC
    assert user.joined_at.tzinfo == UTC
    assert isinstance(user.created_at, datetime)
    assert user._v == 1
    assert user.exists
    assert user.is_clean()


def test_the_item_size_check_still_refuses_big_items() -> None:
    small = marshall_item({"id": "u1", "blob": b"\x00" * 10, "text": "é" * 10})
    assert size_bound(small) is None  # bytes: no bound, the exact walk decides
    assert check_item_size(small) == small
    big = marshall_item({"id": "u1", "text": "x" * MAX_ITEM_SIZE})
    with pytest.raises(RequestValidationError, match="400 KB"):
        check_item_size(big)
    near = marshall_item({"id": "u1", "text": "x" * (MAX_ITEM_SIZE - 100)})
    assert item_size(near) <= MAX_ITEM_SIZE < (size_bound(near) or 0) + 100
    assert check_item_size(near) == near  # the bound is above the limit: measured exactly
