"""Serialisation rules (Eloquent's toArray/toJson, $hidden, $visible, $appends): ``to_dict``
modes and decimal options, ``to_json``, ``only``/``except_``, per-instance
``make_visible``/``make_hidden``, class ``visible``/``appends``, loaded relations, collections
and pages, and a readable ``repr`` that never shows a hidden value."""

import copy
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pydantic
import pytest

from dynamodb_tooling.config import use_config, validate_config
from dynamodb_tooling.errors import MarshallingError
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import BelongsTo, HasMany, Model, attribute
from dynamodb_tooling.orm.accessors import accessor
from dynamodb_tooling.orm.concerns.serialization import SerializationError
from dynamodb_tooling.query.results import Collection, Page
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.testing.stub import StubExecutor


class Plan(Enum):
    FREE = "free"
    PRO = "pro"


@pytest.fixture
def registry() -> Registry:
    return Registry(validate_config())


@pytest.fixture
def models(registry: Registry) -> dict[str, Any]:
    class Team(Model, registry=registry):
        name: str
        members = HasMany("Member")

    class Member(Model, registry=registry, timestamps=True, soft_deletes=True):
        email: str
        first: str
        last: str = ""
        password: str | None = attribute(hidden=True)
        balance: Decimal | None = None
        plan: Plan = Plan.FREE
        tags: set[str] = attribute(default_factory=set)
        avatar: bytes | None = None
        born: date | None = None
        team = BelongsTo(Team)

        appends = ["full_name"]

        @property
        def full_name(self) -> str:
            return f"{self.first} {self.last}".strip()

    return {"Team": Team, "Member": Member}


def stored(cls: Any, **values: Any) -> Any:
    """An instance as ``find()`` returns it: hydrated from its stored item."""
    item = cls(**values).to_item()
    return cls.from_item(item)


def ada(Member: Any, **values: Any) -> Any:
    base = {
        "email": "ada@example.com",
        "first": "Ada",
        "last": "Lovelace",
        "password": "s3cret",
        "team_id": "t1",
    }
    return stored(Member, **{**base, **values})


# -- to_dict and its JSON mode -----------------------------------------------------------------


def test_to_dict_keeps_python_values_and_adds_appends_last(models: dict[str, Any]) -> None:
    Member = models["Member"]
    member = ada(Member, balance=Decimal("10.50"), tags={"b", "a"}, born=date(1815, 12, 10))
    data = member.to_dict()
    assert "password" not in data
    assert data["balance"] == Decimal("10.50")
    assert data["tags"] == {"a", "b"}
    assert data["plan"] is Plan.FREE
    assert data["born"] == date(1815, 12, 10)
    assert list(data)[-1] == "full_name"
    assert data["full_name"] == "Ada Lovelace"
    assert dict(member) == data


def test_json_mode_gives_json_types_only(models: dict[str, Any]) -> None:
    Member = models["Member"]
    member = ada(
        Member,
        balance=Decimal("10.50"),
        tags={"b", "a"},
        avatar=b"\x00\xff",
        plan=Plan.PRO,
        born=date(1815, 12, 10),
    )
    member.created_at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = member.to_dict(mode="json")
    assert json.loads(json.dumps(data)) == data
    assert data["balance"] == "10.50"
    assert data["tags"] == ["a", "b"]
    assert data["avatar"] == "AP8="
    assert data["plan"] == "pro"
    assert data["born"] == "1815-12-10"
    assert data["created_at"] == "2026-01-02T03:04:05+00:00"
    assert data["full_name"] == "Ada Lovelace"
    assert member.to_json_dict() == data  # the existing alias


def test_decimals_as_numbers_never_lose_a_digit(models: dict[str, Any]) -> None:
    Member = models["Member"]
    member = ada(Member, balance=Decimal("10.50"))
    assert member.to_dict(mode="json", decimals="number")["balance"] == 10.5
    member.balance = Decimal("7.000")
    assert member.to_dict(mode="json", decimals="number")["balance"] == 7
    assert type(member.to_dict(mode="json", decimals="number")["balance"]) is int
    member.balance = Decimal("123456789012345678901234567890")  # integral: exact at any size
    as_number = member.to_dict(mode="json", decimals="number")["balance"]
    assert as_number == 123456789012345678901234567890
    assert member.to_json(decimals="number").count("123456789012345678901234567890") == 1
    member.balance = Decimal("0.1000000000000000000001")  # a float would round it
    with pytest.raises(SerializationError, match=r"Member\.balance: Decimal\('0\.1000"):
        member.to_dict(mode="json", decimals="number")
    with pytest.raises(SerializationError, match="decimals='str'"):
        member.to_json(decimals="number")
    assert member.to_dict(mode="json")["balance"] == "0.1000000000000000000001"


def test_bad_options_are_refused_with_the_fix(models: dict[str, Any]) -> None:
    member = ada(models["Member"])
    with pytest.raises(SerializationError, match=r"mode='python'.*or mode='json'"):
        member.to_dict(mode="jsn")
    with pytest.raises(SerializationError, match=r"decimals='str'.*decimals='number'"):
        member.to_dict(mode="json", decimals="float")
    with pytest.raises(SerializationError, match="applies to mode='json' only"):
        member.to_dict(decimals="number")
    with pytest.raises(SerializationError, match="indent"):
        member.to_json(indent=-1)
    member.balance = None
    member.first = float("nan")  # not storable either; JSON has no nan
    with pytest.raises(SerializationError, match=r"Member\.first: nan.*no JSON form"):
        member.to_json()


def test_class_default_for_decimals(registry: Registry) -> None:
    class Base(Model, abstract=True):
        json_decimals = "number"

    class Price(Base, registry=registry):
        amount: Decimal

    price = Price(amount=Decimal("2.25"))
    assert price.to_dict(mode="json")["amount"] == 2.25
    assert price.to_dict(mode="json", decimals="str")["amount"] == "2.25"
    assert json.loads(pydantic.TypeAdapter(Price).dump_json(price))["amount"] == 2.25
    schema = pydantic.TypeAdapter(Price).json_schema(mode="serialization")
    assert schema["properties"]["amount"] == {"type": "number"}
    assert Collection([price]).to_dict(mode="json") == [price.to_dict(mode="json")]


def test_to_json_is_orjson_text_with_options(models: dict[str, Any]) -> None:
    member = ada(models["Member"], balance=Decimal("1.5"))
    text = member.to_json()
    assert json.loads(text) == member.to_dict(mode="json")
    assert ", " not in text  # compact
    pretty = member.to_json(indent=2, sort_keys=True)
    assert pretty.startswith('{\n  "avatar": null,\n  "balance": "1.5",')
    four = member.to_json(indent=4)
    assert '\n    "id": ' in four
    assert json.loads(four) == json.loads(text)
    member.first = "Ada ☃"
    assert "☃" in member.to_json()  # UTF-8 text, not \\u escapes


def test_integers_beyond_64_bits_are_written_exactly(registry: Registry) -> None:
    class Counter(Model, registry=registry):
        value: int

    big = 10**37 + 7  # DynamoDB numbers reach 38 digits
    assert json.loads(Counter(value=big).to_json())["value"] == big
    assert str(big) in Counter(value=big).to_json(sort_keys=True)


def test_uuid_values_serialise_as_strings(registry: Registry) -> None:
    class Doc(Model, registry=registry):
        meta: dict[str, Any] = attribute(default_factory=dict)

    token = uuid.UUID("12345678-1234-5678-1234-567812345678")
    doc = Doc(meta={"token": token, "at": {datetime(2026, 1, 1, tzinfo=UTC).date()}})
    assert doc.to_dict(mode="json")["meta"] == {"token": str(token), "at": ["2026-01-01"]}
    doc.meta = {"odd": object()}
    with pytest.raises(SerializationError, match=r"Doc\.meta: a object at meta\.odd"):
        doc.to_json()


# -- only / except_ ------------------------------------------------------------------------------


def test_only_returns_the_names_asked_in_that_order(models: dict[str, Any]) -> None:
    member = ada(models["Member"], balance=Decimal("3.10"))
    assert member.only("full_name", "email") == {
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
    }
    assert member.only("balance", mode="json") == {"balance": "3.10"}
    assert member.only("balance", mode="json", decimals="number") == {"balance": 3.1}


def test_only_refuses_hidden_unknown_and_unloaded_names(models: dict[str, Any]) -> None:
    member = ada(models["Member"])
    with pytest.raises(SerializationError, match=r"Member\.password is hidden.*make_visible"):
        member.only("email", "password")
    with pytest.raises(SerializationError, match="did you mean 'email'"):
        member.only("emial")
    with pytest.raises(SerializationError, match=r"Member\.team is not loaded.*with_\('team'\)"):
        member.only("team")
    with pytest.raises(SerializationError, match=r"separate strings"):
        member.only(["email"])
    assert member.make_visible("password").only("password") == {"password": "s3cret"}


def test_except_drops_names_and_checks_them(models: dict[str, Any]) -> None:
    member = ada(models["Member"])
    dropped = ("created_at", "updated_at", "deleted_at", "full_name")
    data = member.except_(*dropped)
    assert list(data) == [n for n in member.to_dict() if n not in dropped]
    assert member.except_("balance", mode="json")["tags"] == []
    assert "password" not in member.except_("password")  # hidden anyway: fine to name it
    with pytest.raises(SerializationError, match="did you mean 'created_at'"):
        member.except_("created")


# -- make_visible / make_hidden / visible ---------------------------------------------------------


def test_make_visible_and_make_hidden_are_per_instance(models: dict[str, Any]) -> None:
    Member = models["Member"]
    first, second = ada(Member), ada(Member, email="b@x.io")
    assert first.make_visible("password") is first
    assert first.to_dict()["password"] == "s3cret"
    assert "password" not in second.to_dict()
    assert first.make_hidden("email", "full_name") is first
    assert "email" not in first.to_dict()
    assert "full_name" not in first.to_dict(mode="json")
    assert "email" in second.to_dict()
    twin = copy.copy(first)
    twin.make_visible("email")
    assert "email" in twin.to_dict()
    assert "email" not in first.to_dict()  # a copy's rules are its own
    assert "email" not in dict(first)
    assert "email" not in json.loads(pydantic.TypeAdapter(Member).dump_json(first))
    with pytest.raises(SerializationError, match="has no attribute, appended attribute or"):
        first.make_hidden("pk")  # keys are never serialised: nothing to hide


def test_visible_is_a_whitelist_that_hidden_still_beats(registry: Registry) -> None:
    class Account(Model, registry=registry):
        name: str
        email: str
        token: str | None = attribute(hidden=True)
        visible = ["id", "name", "token"]

    account = Account(name="A", email="a@x.io", token="T0K")
    assert list(account.to_dict()) == ["id", "name"]
    assert "email" not in json.dumps(pydantic.TypeAdapter(Account).json_schema())
    account.make_visible("email")  # joins the whitelist (Eloquent's makeVisible)
    assert list(account.to_dict()) == ["id", "name", "email"]
    account.make_visible("token")
    assert account.to_dict()["token"] == "T0K"
    account.make_hidden("name")
    assert list(account.to_dict()) == ["id", "email", "token"]
    with pytest.raises(SerializationError, match="is hidden"):
        Account(name="B", email="b@x.io").only("email")


def test_class_options_are_checked(registry: Registry) -> None:
    with pytest.raises(SchemaError, match=r"attribute\(hidden=True\)"):

        class Leaky(Model, registry=registry):
            password: str
            hidden = ["password"]

    with pytest.raises(SchemaError, match="expected a list of names"):

        class OneString(Model, registry=registry):
            name: str
            visible = "name"

    with pytest.raises(SchemaError, match="json_decimals = 'float'"):

        class Floaty(Model, registry=registry):
            name: str
            json_decimals = "float"

    class Typo(Model, registry=registry):
        name: str
        visible = ["nmae"]

    with pytest.raises(SchemaError, match=r"Typo\.visible names 'nmae'.*did you mean 'name'"):
        Typo(name="x").to_dict()


def test_accessors_apply_and_computed_accessors_can_be_appended(registry: Registry) -> None:
    class Person(Model, registry=registry):
        first: str
        email: str
        appends = ["greeting"]

        @accessor
        def greeting(self) -> str:
            return f"Hello, {self.first}"

        @accessor("email")
        def _email_shown(self, value: str) -> str:
            return value.lower()

    person = Person(first="Ada", email="ADA@X.IO")
    assert person.to_dict()["greeting"] == "Hello, Ada"
    assert person.to_dict(mode="json")["email"] == "ada@x.io"  # what reads give
    assert person.only("greeting") == {"greeting": "Hello, Ada"}
    assert repr(person).count("ADA@X.IO") == 1  # repr shows what is stored


def test_appends_must_be_readable(registry: Registry) -> None:
    class Method(Model, registry=registry):
        name: str
        appends = ["shout"]

        def shout(self) -> str:
            return self.name.upper()

    with pytest.raises(SchemaError, match="a method; make it an @accessor"):
        Method(name="x").to_dict()

    class Missing(Model, registry=registry):
        name: str
        appends = ["nope"]

    with pytest.raises(SchemaError, match="does not define; add an @accessor"):
        Missing(name="x").to_dict()

    class Twice(Model, registry=registry):
        name: str
        appends = ["name"]

    with pytest.raises(SchemaError, match="already serialised"):
        Twice(name="x").to_dict()


# -- loaded relations -----------------------------------------------------------------------------


def test_loaded_relations_serialise_after_attributes_by_their_own_rules(
    models: dict[str, Any],
) -> None:
    Team, Member = models["Team"], models["Member"]
    team = stored(Team, name="Core")
    members = Collection([ada(Member, balance=Decimal("1.10")), ada(Member, email="b@x.io")])
    team._relations = {"members": members}  # where relation loading (issue 10) puts them
    data = team.to_dict()
    assert list(data) == ["id", "name", "members"]
    assert [m["email"] for m in data["members"]] == ["ada@example.com", "b@x.io"]
    as_json = team.to_json()
    assert "s3cret" not in as_json
    assert "password" not in as_json
    assert json.loads(as_json)["members"][0]["balance"] == "1.10"
    assert team.to_dict(mode="json", decimals="number")["members"][0]["balance"] == 1.1
    members[1].make_hidden("email")  # per-instance rules hold inside relations
    assert "email" not in team.to_dict()["members"][1]
    assert team.except_("members") == {"id": team.id, "name": "Core"}
    assert team.only("members")["members"][0]["first"] == "Ada"
    team.make_hidden("members")
    assert "members" not in team.to_dict()
    assert "loaded: members" in repr(team)


def test_a_relation_cycle_is_cut_at_the_repeated_instance(models: dict[str, Any]) -> None:
    Team, Member = models["Team"], models["Member"]
    team, member = stored(Team, name="Core"), ada(Member)
    team._relations = {"members": [member]}
    member._relations = {"team": team}
    data = team.to_dict(mode="json")
    assert data["members"][0]["team"] == {"id": team.id, "name": "Core"}
    assert member.to_dict()["team"]["members"][0]["email"] == "ada@example.com"
    member._relations = {"team": None}
    assert member.to_dict()["team"] is None


# -- collections and pages ------------------------------------------------------------------------


def test_collections_and_pages_serialise_their_models(models: dict[str, Any]) -> None:
    Member = models["Member"]
    found = Collection([ada(Member, balance=Decimal("2.50")), ada(Member, email="b@x.io")])
    found[0].make_hidden("email")
    assert found.to_dict() == [m.to_dict() for m in found]
    assert "email" not in found.to_dict()[0]
    as_json = json.loads(found.to_json())
    assert as_json == [m.to_dict(mode="json") for m in found]
    assert as_json[0]["balance"] == "2.50"
    assert found.to_dict(mode="json", decimals="number")[0]["balance"] == 2.5
    assert "s3cret" not in found.to_json(indent=2)
    page = Page(items=found, count=2, has_more=True, next_cursor="c1", per_page=2, scanned_count=5)
    body = json.loads(page.to_json())
    assert body == {
        "items": as_json,
        "count": 2,
        "has_more": True,
        "next_cursor": "c1",
        "per_page": 2,
        "scanned_count": 5,
    }
    assert body == json.loads(pydantic.TypeAdapter(Page[Member]).dump_json(page))
    assert page.to_dict()["items"][1]["balance"] is None


def test_collections_of_plain_values_serialise_too() -> None:
    values = Collection(
        [{"at": datetime(2026, 1, 1, tzinfo=UTC), "n": Decimal("1.5")}, {"b", "a"}, None]
    )
    assert values.to_dict(mode="json") == [
        {"at": "2026-01-01T00:00:00+00:00", "n": "1.5"},
        ["a", "b"],
        None,
    ]
    assert values.to_dict(mode="json", decimals="number")[0]["n"] == 1.5
    assert values.to_dict()[0]["n"] == Decimal("1.5")
    assert json.loads(Collection([Collection([1])]).to_json()) == [[1]]
    with pytest.raises(SerializationError, match="applies to mode='json' only"):
        values.to_dict(decimals="number")


# -- repr -----------------------------------------------------------------------------------------


def test_repr_shows_values_masks_hidden_ones_and_says_the_state(models: dict[str, Any]) -> None:
    Member = models["Member"]
    fresh = Member(email="ada@example.com", first="Ada", password="s3cret")
    text = repr(fresh)
    assert text.startswith(f"Member(id={fresh.id!r}, email='ada@example.com', first='Ada'")
    assert "password=<hidden>" in text
    assert "s3cret" not in text
    assert text.endswith("[unsaved]")
    loaded = ada(Member, password="s3cret")
    assert "[" not in repr(loaded).split(")")[-1]  # stored and clean: nothing to say
    loaded.first = "A" * 200
    loaded.make_visible("password")
    text = repr(loaded)
    assert "password=<hidden>" in text  # make_visible is for output, not for logs
    assert "A" * 200 not in text
    assert "…" in text
    assert text.endswith("[changed: first]")
    loaded.deleted_at = datetime(2026, 1, 1, tzinfo=UTC)
    loaded.sync_original()
    assert repr(loaded).endswith("[trashed]")
    assert repr(Member.__new__(Member)) == "Member() [unsaved]"  # half-built: still printable


# -- pydantic -------------------------------------------------------------------------------------


def test_pydantic_reads_attributes_and_nests_models(models: dict[str, Any]) -> None:
    Team, Member = models["Team"], models["Member"]
    member = ada(Member, balance=Decimal("5.00"))

    class MemberOut(pydantic.BaseModel, from_attributes=True):
        id: str
        email: str
        full_name: str  # an appended (computed) attribute reads like any other

    class TeamOut(pydantic.BaseModel, from_attributes=True):
        name: str
        members: list[MemberOut]

    assert MemberOut.model_validate(member, from_attributes=True).full_name == "Ada Lovelace"
    team = stored(Team, name="Core")
    team._relations = {"members": Collection([member])}
    out = TeamOut.model_validate(team)
    assert out.members[0].email == "ada@example.com"

    class Roster(pydantic.BaseModel):
        team: Team  # type: ignore[valid-type]
        members: list[Member]  # type: ignore[valid-type]
        lead: Member | None = None  # type: ignore[valid-type]

    roster = Roster(team=team, members=[member, ada(Member, email="b@x.io")], lead=member)
    dumped = json.loads(roster.model_dump_json())
    assert dumped["members"][0]["balance"] == "5.00"
    assert dumped["team"]["members"][0]["email"] == "ada@example.com"
    assert "s3cret" not in roster.model_dump_json()
    assert roster.model_dump()["lead"] == member.to_dict()


# -- through the stub executor: what find() returns serialises ------------------------------------


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    """The default configuration for each test (before the shared ``stub`` fixture)."""
    with use_config():
        yield


def test_a_found_item_written_by_another_tool_serialises_without_keys(
    stub: StubExecutor,
) -> None:
    class Person(Model, registry=Registry()):
        name: str
        secret: str | None = attribute(hidden=True)

    item = {
        "pk": "PERSON#p1",
        "sk": "PERSON#p1",
        "id": "p1",
        "name": "Ada",
        "secret": "x",
        "_et": "Person",
    }
    stub.on("GetItem", {"Item": marshall_item(item)})
    found = Person.find("p1")
    assert found is not None
    (sent,) = stub.sent("GetItem")
    assert sent.params["Key"] == {"pk": {"S": "PERSON#p1"}, "sk": {"S": "PERSON#p1"}}
    assert json.loads(found.to_json()) == {"id": "p1", "name": "Ada"}
    assert repr(found) == "Person(id='p1', name='Ada', secret=<hidden>)"


def test_deep_values_are_refused_not_recursed(registry: Registry) -> None:
    class Doc(Model, registry=registry):
        meta: dict[str, Any] = attribute(default_factory=dict)

    value: Any = {}
    for _ in range(40):
        value = {"a": value}
    doc = Doc(meta=value)
    with pytest.raises(MarshallingError, match=r"Doc\.meta: value nested more than 32"):
        doc.to_json()


def test_repr_shows_dates_and_times_whole_in_iso_form() -> None:
    from datetime import UTC, date, datetime

    from dynamodb_tooling.config import use_config
    from dynamodb_tooling.orm import Model
    from dynamodb_tooling.schema import Registry

    with use_config():

        class Meeting(Model, registry=Registry(), timestamps=True):
            day: date

        at = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        shown = repr(Meeting(id="m1", day=date(2024, 1, 2), created_at=at))
    assert shown == (
        "Meeting(id='m1', day=2024-01-02, created_at=2024-01-02T03:04:05.678901+00:00) [unsaved]"
    )
