"""Query results serialise wherever pydantic (and FastAPI) serialise them: a ``Collection`` as a
JSON array of its items (each by its own schema: models by their rules, no hidden attribute), a
``Page`` as ``{items, count, has_more, next_cursor, per_page, scanned_count}``."""

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.schema import Registry

PAGE_FIELDS = {"items", "count", "has_more", "next_cursor", "per_page", "scanned_count"}


def user_model(registry: Registry) -> Any:
    class User(Model, registry=registry):
        email: str = attribute(index=True)
        password: str | None = attribute(hidden=True, default=None)
        balance: Decimal | None = None
        tags: set[str] = attribute(default_factory=set)

    return User


@pytest.fixture
def User() -> Any:
    return user_model(Registry(validate_config()))


def users(User: Any) -> Collection[Any]:
    return Collection(
        [
            User(email="a@x.io", password="SECRET-A", balance=Decimal("1.10"), tags={"b", "a"}),
            User(email="b@x.io", password="SECRET-B"),
        ]
    )


def page_of(items: Collection[Any]) -> Page[Any]:
    return Page(
        items=items, count=len(items), has_more=True, next_cursor="c1", per_page=2, scanned_count=3
    )


def test_type_adapter_dumps_a_collection_as_a_list_of_model_dicts(User: Any) -> None:
    found = users(User)
    adapter = pydantic.TypeAdapter(Collection[User])
    as_json = json.loads(adapter.dump_json(found))
    assert as_json == [json.loads(pydantic.TypeAdapter(User).dump_json(u)) for u in found]
    assert as_json[0]["balance"] == "1.10"
    assert as_json[0]["tags"] == ["a", "b"]
    assert adapter.dump_python(found) == [u.to_dict() for u in found]
    assert "SECRET" not in adapter.dump_json(found).decode()
    assert "password" not in adapter.dump_json(found).decode()
    # Untyped collections serialise models by their rules too, nested ones as lists.
    untyped = pydantic.TypeAdapter(Collection).dump_json(Collection([found[0], 1, found[1:]]))
    assert json.loads(untyped)[1:] == [1, [as_json[1]]]
    assert "SECRET" not in untyped.decode()


def test_type_adapter_validates_lists_and_collections_into_a_collection(User: Any) -> None:
    adapter = pydantic.TypeAdapter(Collection[User])
    made = adapter.validate_python([{"email": "c@x.io"}])
    assert isinstance(made, Collection)
    assert (type(made[0]), made[0].email) == (User, "c@x.io")
    found = users(User)
    again = adapter.validate_python(found)
    assert isinstance(again, Collection)
    assert again[0] is found[0]
    assert pydantic.TypeAdapter(Collection[int]).validate_python((1, "2")) == [1, 2]
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python([42])
    schema = adapter.json_schema(mode="serialization")
    assert schema["type"] == "array"
    assert "password" not in json.dumps(schema)


def test_type_adapter_dumps_a_page_as_a_dict(User: Any) -> None:
    page = page_of(users(User))
    for adapter in (pydantic.TypeAdapter(Page[User]), pydantic.TypeAdapter(Page)):
        as_json = json.loads(adapter.dump_json(page))
        assert set(as_json) == PAGE_FIELDS
        assert [u["email"] for u in as_json["items"]] == ["a@x.io", "b@x.io"]
        assert (as_json["count"], as_json["has_more"], as_json["next_cursor"]) == (2, True, "c1")
        assert (as_json["per_page"], as_json["scanned_count"]) == (2, 3)
        assert "SECRET" not in adapter.dump_json(page).decode()
        assert set(adapter.dump_python(page)) == PAGE_FIELDS


def test_fastapi_routes_serve_collections_and_pages(User: Any) -> None:
    found = users(User)
    app = FastAPI()

    @app.get("/users")
    def many() -> Collection[User]:
        return found

    @app.get("/page")
    def page() -> Page[User]:
        return page_of(found)

    @app.get("/page-model", response_model=Page[User])
    def page_model() -> Any:
        return page_of(found)

    client = TestClient(app)
    expected = json.loads(pydantic.TypeAdapter(Collection[User]).dump_json(found))
    assert client.get("/users").json() == expected
    for path in ("/page", "/page-model"):
        body = client.get(path).json()
        assert set(body) == PAGE_FIELDS
        assert body["items"] == expected
    for path in ("/users", "/page", "/page-model"):
        text = client.get(path).text
        assert "SECRET" not in text
        assert "password" not in text
    assert "password" not in json.dumps(client.get("/openapi.json").json())


# Against the engine: what a query returns is served as is.
@pytest.fixture
def stored_users(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient
) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"res-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)
    User = user_model(registry)
    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    for n in range(3):
        User.create(email=f"u{n}@x.io", password=f"SECRET-{n}", balance=Decimal(f"{n}.50"))
    yield {"User": User}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


@pytest.mark.integration
def test_fastapi_serves_query_results_without_hidden_values(stored_users: dict[str, Any]) -> None:
    User = stored_users["User"]
    app = FastAPI()

    @app.get("/users")
    def many() -> Collection[User]:  # type: ignore[valid-type]
        return User.where("email", "u1@x.io").get()  # type: ignore[no-any-return]

    @app.get("/page")
    def page() -> Page[User]:  # type: ignore[valid-type]
        return User.query().force_scan().paginate(2)  # type: ignore[no-any-return]

    client = TestClient(app)
    (one,) = client.get("/users").json()
    assert (one["email"], one["balance"]) == ("u1@x.io", "1.50")
    body = client.get("/page").json()
    assert set(body) == PAGE_FIELDS
    assert (body["count"], body["per_page"], body["has_more"]) == (2, 2, True)
    assert isinstance(body["next_cursor"], str)
    assert len(body["items"]) == 2
    assert all(set(item) == {"id", "email", "balance", "tags"} for item in body["items"])
    second = pydantic.TypeAdapter(Page[User]).dump_python(  # type: ignore[valid-type]
        User.query().force_scan().paginate(2, body["next_cursor"])
    )
    assert (second["count"], second["has_more"], second["next_cursor"]) == (1, False, None)
    for path in ("/users", "/page"):
        assert "SECRET" not in client.get(path).text
        assert "password" not in client.get(path).text
