"""Against the engine: what was written reads back and is served by FastAPI through the
models' serialisation rules — hidden attributes never in a response, decimals exact,
per-instance visibility kept, pydantic response models reading model attributes, nested
models and lists of models, collections and pages of query results."""

import asyncio
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
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"ser-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Team(Model, registry=registry):
        name: str
        members = HasMany("Member")

    class Member(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str
        first: str
        last: str = ""
        password: str | None = attribute(hidden=True)
        balance: Decimal | None = None
        tags: set[str] = attribute(default_factory=set)
        team = BelongsTo(Team)
        appends = ["full_name"]

        @property
        def full_name(self) -> str:
            return f"{self.first} {self.last}".strip()

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    team = Team.create(name="Core")
    ada = Member.create(
        email="ada@example.com",
        first="Ada",
        last="Lovelace",
        password="SECRET-1",
        balance=Decimal("10.10"),
        tags={"b", "a"},
        team_id=team.id,
    )
    grace = Member.create(
        email="grace@example.com", first="Grace", password="SECRET-2", team_id=team.id
    )
    yield {"Team": Team, "Member": Member, "team": team, "ada": ada, "grace": grace}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def test_what_was_written_reads_back_and_serialises(app: dict[str, Any]) -> None:
    Member = app["Member"]
    found = Member.find_or_fail(app["ada"].id)
    data = json.loads(found.to_json())
    assert data["balance"] == "10.10"
    assert data["tags"] == ["a", "b"]
    assert data["full_name"] == "Ada Lovelace"
    assert data["team_id"] == app["team"].id
    assert "password" not in data
    assert found.password == "SECRET-1"  # stored, readable in code, never serialised
    assert found.to_dict(mode="json", decimals="number")["balance"] == 10.1
    assert "SECRET" not in repr(found)
    again = asyncio.run(Member.afind(app["ada"].id))
    assert again is not None
    assert again.to_dict(mode="json") == found.to_dict(mode="json")


def test_fastapi_serves_models_without_hidden_values(app: dict[str, Any]) -> None:
    Team, Member = app["Team"], app["Member"]

    class MemberOut(pydantic.BaseModel, from_attributes=True):
        id: str
        email: str
        full_name: str

    class Roster(pydantic.BaseModel):
        team: Team  # type: ignore[valid-type]
        members: list[Member]  # type: ignore[valid-type]

    api = FastAPI()

    @api.get("/members/{member_id}")
    def one(member_id: str) -> Member:  # type: ignore[valid-type]
        return Member.find_or_fail(member_id)

    @api.get("/members/{member_id}/summary", response_model=MemberOut)
    def summary(member_id: str) -> Any:
        return Member.find_or_fail(member_id)  # read by attributes: only MemberOut's fields

    @api.get("/members/{member_id}/public")
    def public(member_id: str) -> dict[str, Any]:
        return Member.find_or_fail(member_id).make_hidden("email").to_dict(mode="json")

    @api.get("/teams/{team_id}/members")
    def members(team_id: str) -> Collection[Member]:  # type: ignore[valid-type]
        return Member.where("team_id", team_id).get()  # type: ignore[no-any-return]

    @api.get("/page")
    def page() -> Page[Member]:  # type: ignore[valid-type]
        return Member.query().force_scan().paginate(1)  # type: ignore[no-any-return]

    @api.get("/teams/{team_id}", response_model=Roster)
    def roster(team_id: str) -> Any:
        return {
            "team": Team.find_or_fail(team_id),
            "members": Member.where("team_id", team_id).get(),
        }

    client = TestClient(api)
    ada, team = app["ada"], app["team"]
    body = client.get(f"/members/{ada.id}").json()
    assert body["email"] == "ada@example.com"
    assert body["balance"] == "10.10"
    assert body["full_name"] == "Ada Lovelace"
    assert client.get(f"/members/{ada.id}/summary").json() == {
        "id": ada.id,
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
    }
    assert "email" not in client.get(f"/members/{ada.id}/public").json()
    listed = client.get(f"/teams/{team.id}/members").json()
    assert sorted(m["email"] for m in listed) == ["ada@example.com", "grace@example.com"]
    first_page = client.get("/page").json()
    assert first_page["count"] == 1
    assert first_page["has_more"] is True
    nested = client.get(f"/teams/{team.id}").json()
    assert nested["team"] == {"id": team.id, "name": "Core"}
    assert len(nested["members"]) == 2
    for path in (
        f"/members/{ada.id}",
        f"/members/{ada.id}/summary",
        f"/teams/{team.id}/members",
        "/page",
        f"/teams/{team.id}",
    ):
        text = client.get(path).text
        assert "SECRET" not in text
        assert "password" not in text
        assert "_et" not in text
    assert "password" not in json.dumps(client.get("/openapi.json").json())
