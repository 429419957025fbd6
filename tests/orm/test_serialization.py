"""Models serialise through their own rules wherever a framework serialises them: hidden
attributes and internal state never leak (``vars``, pydantic, FastAPI), and every declared
name reads as ``None`` while unset."""

import copy
import json
import pickle
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import BelongsTo, Model, attribute
from dynamodb_tooling.schema import Registry

INTERNALS = {"password", "_original", "_exists", "_changes", "_model_state", "pk", "sk", "_et"}


@pytest.fixture
def models() -> dict[str, Any]:
    registry = Registry(validate_config())

    class Team(Model, registry=registry):
        name: str

    class User(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str
        name: str
        age: int | None = None
        password: str | None = attribute(hidden=True)
        role: str = attribute(default="member", guarded=True)
        balance: Decimal | None = None
        tags: set[str] = attribute(default_factory=set)
        team = BelongsTo(Team)

    return {"User": User, "Team": Team}


def stored_user(User: Any, **values: Any) -> Any:
    """A user as ``find()`` returns it: hydrated from its stored item."""
    user = User(email="ada@example.com", name="Ada", password="s3cret", team_id="t1", **values)
    item = user.to_item()
    item["created_at"] = item["updated_at"] = "2026-01-02T03:04:05+00:00"
    return User.from_item(item)


def test_vars_and_dict_hold_no_values_and_no_internals(models: dict[str, Any]) -> None:
    user = stored_user(models["User"])
    assert user.exists
    assert vars(user) == {}
    assert user.__dict__ == {}
    assert "s3cret" not in repr(user)
    assert dict(user) == user.to_dict()
    assert not INTERNALS & set(dict(user))


def test_unset_names_read_as_none_and_unknown_ones_fail_with_a_hint(
    models: dict[str, Any],
) -> None:
    User = models["User"]
    for user in (User(email="a@b.c", name="A"), stored_user(User)):
        assert user.age is None
        assert user.deleted_at is None
        assert user.balance is None
    fresh = User(email="a@b.c", name="A")
    assert (fresh.team_id, fresh.created_at, fresh.password) == (None, None, None)
    loaded = stored_user(User, age=None)
    assert loaded.to_dict()["age"] is None
    assert loaded.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(AttributeError, match="User has no attribute 'nmae'; did you mean 'name'"):
        _ = loaded.nmae
    with pytest.raises(AttributeError, match="User has no attribute 'pk'"):
        _ = loaded.pk


def test_to_dict_lists_every_name_but_hidden_ones(models: dict[str, Any]) -> None:
    user = stored_user(models["User"])
    assert list(user.to_dict()) == [
        "id",
        "email",
        "name",
        "age",
        "role",
        "balance",
        "tags",
        "team_id",
        "created_at",
        "updated_at",
        "deleted_at",
    ]


def test_pydantic_dumps_by_the_model_rules(models: dict[str, Any]) -> None:
    User = models["User"]
    user = stored_user(User, balance=Decimal("12.30"), tags={"b", "c", "a"})
    adapter = pydantic.TypeAdapter(User)
    dumped = adapter.dump_python(user)
    assert dumped == user.to_dict()
    assert not INTERNALS & set(dumped)
    as_json = json.loads(adapter.dump_json(user))
    assert not INTERNALS & set(as_json)
    assert as_json["created_at"] == "2026-01-02T03:04:05+00:00"
    assert as_json["balance"] == "12.30"  # exact: never a float
    assert as_json["tags"] == ["a", "b", "c"]
    assert as_json["age"] is None
    assert adapter.json_schema()["properties"]["age"] == {"type": "integer"}
    assert "password" not in adapter.json_schema()["properties"]


def test_pydantic_reads_attributes_and_validates_instances_or_dicts(
    models: dict[str, Any],
) -> None:
    User = models["User"]

    class Summary(pydantic.BaseModel, from_attributes=True):
        name: str
        age: int | None

    assert Summary.model_validate(stored_user(User)) == Summary(name="Ada", age=None)

    class Envelope(pydantic.BaseModel):
        user: User  # type: ignore[valid-type]

    user = stored_user(User)
    assert Envelope(user=user).user is user
    made = Envelope.model_validate({"user": {"email": "e@x.io", "name": "E"}}).user
    assert (type(made), made.email, made.role, made.exists) == (User, "e@x.io", "member", False)
    with pytest.raises(pydantic.ValidationError, match=r"User\.role is protected"):
        Envelope.model_validate({"user": {"email": "e@x.io", "name": "E", "role": "admin"}})
    with pytest.raises(pydantic.ValidationError, match="did you mean 'name'"):
        Envelope.model_validate({"user": {"email": "e@x.io", "nmae": "E"}})
    with pytest.raises(pydantic.ValidationError, match="expected a User instance or a dict"):
        Envelope.model_validate({"user": 42})


def test_fastapi_responses_leak_nothing(models: dict[str, Any]) -> None:
    User = models["User"]
    user = stored_user(User, balance=Decimal("0.10"), tags={"y", "x"})

    class Envelope(pydantic.BaseModel):
        user: User  # type: ignore[valid-type]
        note: str

    app = FastAPI()

    @app.get("/user")
    def one() -> User:  # type: ignore[valid-type]
        return user

    other = stored_user(User)

    @app.get("/users")
    def many() -> list[User]:  # type: ignore[valid-type]
        return [user, other]

    @app.get("/envelope", response_model=Envelope)
    def wrapped() -> Any:
        return {"user": user, "note": "hi"}

    @app.get("/untyped")
    def untyped():  # type: ignore[no-untyped-def]  # served by jsonable_encoder
        return user

    client = TestClient(app)
    expected = json.loads(pydantic.TypeAdapter(User).dump_json(user))
    assert client.get("/user").json() == expected
    assert [u["id"] for u in client.get("/users").json()] == [user.id, other.id]
    assert client.get("/envelope").json() == {"user": expected, "note": "hi"}
    untyped_body = client.get("/untyped").json()
    assert untyped_body["email"] == "ada@example.com"
    for body in (client.get("/user").text, client.get("/users").text, client.get("/untyped").text):
        assert "s3cret" not in body
        assert "password" not in body
        assert "_original" not in body
        assert "_exists" not in body
    assert expected["balance"] == "0.10"
    assert expected["tags"] == ["x", "y"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "password" not in json.dumps(schema)


def test_copies_keep_their_own_state(models: dict[str, Any]) -> None:
    user = stored_user(models["User"], tags={"a"})
    state = user.__getstate__()
    assert pickle.loads(pickle.dumps(state))["values"]["name"] == "Ada"  # picklable state
    for twin in (copy.copy(user), copy.deepcopy(user)):
        assert twin == user
        assert twin.exists
        assert twin.is_clean()
        twin.name = "Twin"
        assert twin.is_dirty("name")
    assert user.name == "Ada"
    assert user.is_clean()
