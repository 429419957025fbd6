"""Built-in casts by declared type and custom casts (``attribute(cast=...)``), through the
requests a stub executor records: what is written, what hydration reads back, and bad values
refused before any request."""

import asyncio
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.errors import QueryError
from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.casts import AsJson, Cast
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema.casts import AttributeCastError
from dynamodb_tooling.testing.stub import StubExecutor


class Status(Enum):
    DRAFT = "draft"
    LIVE = "live"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"


class MoneyCast(Cast[Money]):
    """Money stored as a map ``{"amount": Decimal, "currency": str}``."""

    stored_as = "map"

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Money:
        return value if value is None else Money(value["amount"], value["currency"])

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise AttributeCastError(f"{type(model).__name__}.{key} must be Money")
        return {"amount": value.amount, "currency": value.currency}


class Cents:
    """A duck-typed cast (no base class): a Decimal amount stored as integer cents."""

    stored_as = "integer"

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return None if value is None else Decimal(value) / 100

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return None if value is None else int(Decimal(value) * 100)


class Lower(Cast[str]):
    """Set-only (Eloquent's CastsInboundAttributes): stored lower-cased, read as stored."""

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return value.lower()


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


def define(registry: Registry) -> type[Model]:
    class Thing(Model, registry=registry):
        count: int
        ratio: float
        price: Decimal
        flag: bool
        label: str
        day: date
        at: datetime
        status: Status
        meta: dict[str, Any]
        items: list[Any]
        anything: Any
        tags: set[str]
        numbers: set[int]
        ref: uuid.UUID
        total: Money | None = attribute(cast=MoneyCast())
        fee: Any = attribute(cast=Cents, default=None)
        code: str | None = attribute(cast=Lower(), default=None)
        blob: dict[str, Any] | None = attribute(cast=AsJson(), default=None)
        note: str | None = None

    return Thing


REF = uuid.UUID("12345678-1234-5678-1234-567812345678")


def values() -> dict[str, Any]:
    return {
        "count": 3,
        "ratio": 0.25,
        "price": Decimal("19.990000000000000000001"),
        "flag": False,
        "label": "hello",
        "day": date(2024, 2, 29),
        "at": datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
        "status": Status.LIVE,
        "meta": {"a": 1, "b": [Decimal("1.5"), "x"], "c": {"d": None}},
        "items": [1, "two", {"three": 3}],
        "anything": {"k": "v"},
        "tags": {"a", "b"},
        "numbers": {1, 2},
        "ref": REF,
        "total": Money(Decimal("10.50")),
        "fee": Decimal("2.35"),
        "code": "ABC",
        "blob": {"x": [1, 2, {"y": "z"}], "f": 0.5},
    }


def written(stub: StubExecutor) -> dict[str, Any]:
    (sent,) = stub.sent("PutItem")
    return unmarshall_item(sent.params["Item"])


def test_every_built_in_cast_is_written_in_its_stored_form(
    registry: Registry, stub: StubExecutor
) -> None:
    Thing = define(registry)
    Thing.create(**values())
    item = written(stub)
    assert item["count"] == 3
    assert type(item["count"]) is int
    assert item["ratio"] == Decimal("0.25")
    assert item["price"] == Decimal("19.990000000000000000001")  # every digit
    assert item["flag"] is False
    assert item["day"] == "2024-02-29"
    assert item["at"] == "2024-05-01T12:30:00+00:00"  # UTC, so string order is time order
    assert item["status"] == "live"
    assert item["meta"] == {"a": 1, "b": [Decimal("1.5"), "x"], "c": {"d": None}}  # a map
    assert item["items"] == [1, "two", {"three": 3}]
    assert item["tags"] == {"a", "b"}
    assert item["numbers"] == {1, 2}
    assert item["ref"] == "12345678-1234-5678-1234-567812345678"
    assert item["total"] == {"amount": Decimal("10.50"), "currency": "EUR"}
    assert item["fee"] == 235
    assert item["code"] == "abc"
    assert json.loads(item["blob"]) == {"x": [1, 2, {"y": "z"}], "f": 0.5}
    assert isinstance(item["blob"], str)


def test_every_built_in_cast_reads_back_as_its_declared_type(
    registry: Registry, stub: StubExecutor
) -> None:
    Thing = define(registry)
    created = Thing.create(**values())
    stub.on("GetItem", {"Item": stub.sent("PutItem")[0].params["Item"]})
    found = Thing.find(created.id)
    assert found is not None
    assert found.count == 3
    assert type(found.count) is int
    assert found.ratio == 0.25
    assert type(found.ratio) is float
    assert found.price == Decimal("19.990000000000000000001")
    assert type(found.price) is Decimal
    assert found.flag is False
    assert found.label == "hello"
    assert found.day == date(2024, 2, 29)
    assert type(found.day) is date
    assert found.at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert found.at.tzinfo is UTC
    assert found.status is Status.LIVE
    assert found.meta == {"a": 1, "b": [Decimal("1.5"), "x"], "c": {"d": None}}
    assert found.items == [1, "two", {"three": 3}]
    assert found.anything == {"k": "v"}
    assert found.tags == {"a", "b"}
    assert found.numbers == {1, 2}
    assert found.ref == REF
    assert type(found.ref) is uuid.UUID
    assert found.total == Money(Decimal("10.50"))
    assert found.fee == Decimal("2.35")
    assert found.code == "abc"
    assert found.blob == {"x": [1, 2, {"y": "z"}], "f": 0.5}
    assert found.is_clean()
    assert created.ref == REF
    assert created.total == Money(Decimal("10.50"))


def test_hydration_runs_get_and_never_set(registry: Registry) -> None:
    calls: list[str] = []

    class Spy(Cast[str]):
        stored_as = "string"

        def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
            calls.append(f"get {value}")
            return value.upper()

        def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
            calls.append(f"set {value}")
            return value

    class Note(Model, registry=registry):
        body: str = attribute(cast=Spy())

    note = Note.from_item({"id": "n1", "body": "hi"})
    assert calls == []
    assert note.body == "HI"
    assert note.get_attribute("body") == "HI"
    assert note.to_values()["body"] == "hi"  # the stored form
    assert calls == ["get hi", "get hi"]
    note.body = "yo"
    assert calls[-1] == "set yo"


def test_cast_receives_the_model_key_and_a_read_only_view_of_the_attributes(
    registry: Registry,
) -> None:
    seen: dict[str, Any] = {}

    class Prefixed(Cast[str]):
        stored_as = "string"

        def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
            seen.update(model=model, key=key, attributes=attributes)
            return f"{attributes.get('kind')}:{value}"

    class Tag(Model, registry=registry):
        kind: str
        name: str = attribute(cast=Prefixed())

    tag = Tag(kind="color", name="red")
    assert tag.name == "color:red"
    assert seen["model"] is tag
    assert seen["key"] == "name"
    with pytest.raises(TypeError):
        seen["attributes"]["kind"] = "x"


def test_a_changed_cast_value_is_saved_in_its_stored_form(
    registry: Registry, stub: StubExecutor
) -> None:
    Thing = define(registry)
    thing = Thing.from_item(Thing(**values()).to_item())
    thing.total = Money(Decimal("99.99"), "GBP")
    assert thing.get_dirty() == {"total": {"amount": Decimal("99.99"), "currency": "GBP"}}
    thing.save()
    (update,) = stub.sent("UpdateItem")
    sent = {
        name: unmarshall_item({"v": value})["v"]
        for name, value in update.params["ExpressionAttributeValues"].items()
    }
    assert {"amount": Decimal("99.99"), "currency": "GBP"} in sent.values()


def test_a_cast_refusing_a_value_fails_before_any_request(
    registry: Registry, stub: StubExecutor
) -> None:
    Thing = define(registry)
    with pytest.raises(AttributeCastError, match=r"Thing\.total must be Money"):
        Thing.create(**{**values(), "total": "ten euros"})
    assert stub.requests == []


def test_async_twins_write_and_read_the_cast_form(registry: Registry, stub: StubExecutor) -> None:
    Thing = define(registry)

    async def scenario() -> Any:
        created = await Thing.acreate(**values())
        stub.on("GetItem", {"Item": stub.sent("PutItem")[0].params["Item"]})
        return created, await Thing.afind(created.id)

    created, found = asyncio.run(scenario())
    assert written(stub)["total"] == {"amount": Decimal("10.50"), "currency": "EUR"}
    assert found.total == Money(Decimal("10.50")) == created.total
    assert found.ref == REF


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        ("count", "--5", r"Thing\.count must be an integer"),
        ("ratio", float("nan"), r"Thing\.ratio must be a finite number"),
        ("price", "abc", r"Thing\.price must be a decimal number"),
        ("flag", "yes", r"Thing\.flag must be a bool"),
        ("day", "29/02/2024", r"Thing\.day must be an ISO-8601 date"),
        ("at", "yesterday", r"Thing\.at must be an ISO-8601 datetime"),
        ("status", "gone", r"Thing\.status must be a Status \(one of 'draft', 'live'\)"),
        ("tags", "a", r"Thing\.tags must be a set of strings"),
        ("ref", "not-a-uuid", r"Thing\.ref must be a UUID"),
        ("blob", {"x": Decimal("0.1") / 3}, r"Thing\.blob: Decimal .* cannot be written as JSON"),
    ],
)
def test_bad_values_are_refused_before_any_request_naming_model_and_attribute(
    registry: Registry, stub: StubExecutor, name: str, bad: Any, message: str
) -> None:
    Thing = define(registry)
    with pytest.raises(AttributeCastError, match=message):
        Thing.create(**{**values(), name: bad})
    assert stub.requests == []


def test_a_stored_enum_value_the_enum_lacks_names_model_attribute_and_fix(
    registry: Registry,
) -> None:
    Thing = define(registry)
    item = Thing(**values()).to_item()
    with pytest.raises(AttributeCastError) as caught:
        Thing.from_item({**item, "status": "archived"})
    message = str(caught.value)
    assert "Thing.status: the stored item holds 'archived'" in message
    assert "add the value to Status" in message


def test_uuid_strings_are_accepted_and_normalised(registry: Registry) -> None:
    Thing = define(registry)
    item = Thing(**{**values(), "ref": "12345678123456781234567812345678"}).to_item()
    assert item["ref"] == "12345678-1234-5678-1234-567812345678"
    assert Thing.from_item(item).ref == REF


def test_uuid_where_conditions_use_the_stored_string(registry: Registry) -> None:
    Thing = define(registry)
    params = Thing.where("ref", REF).to_params()
    assert {"S": str(REF)} in params["ExpressionAttributeValues"].values()


def test_naive_datetimes_are_taken_as_utc_by_default(registry: Registry) -> None:
    Thing = define(registry)
    item = Thing(**{**values(), "at": datetime(2024, 5, 1, 12, 30)}).to_item()
    assert item["at"] == "2024-05-01T12:30:00+00:00"


def test_naive_datetimes_are_refused_under_the_refuse_policy(stub: StubExecutor) -> None:
    with use_config(query_builder={"naive_datetimes": "refuse"}):
        registry = Registry()
        Thing = define(registry)
        with pytest.raises(AttributeCastError, match=r"Thing\.at must be a timezone-aware"):
            Thing.create(**{**values(), "at": datetime(2024, 5, 1, 12, 30)})
        with pytest.raises(AttributeCastError, match="naive_datetimes is 'refuse'"):
            Thing.create(**{**values(), "at": "2024-05-01T12:30:00"})
        assert stub.requests == []
        aware = Thing(**values()).to_item()  # aware ones are fine
        assert aware["at"] == "2024-05-01T12:30:00+00:00"
        with pytest.raises(QueryError, match=r"where\('at', ...\): Thing\.at must be a timezone"):
            Thing.where("at", ">", datetime(2024, 1, 1)).to_params()


def test_the_refuse_policy_covers_timestamps_given_explicitly() -> None:
    with use_config(query_builder={"naive_datetimes": "refuse"}):
        registry = Registry()

        class Event(Model, registry=registry, timestamps=True):
            name: str

        with pytest.raises(AttributeCastError, match=r"Event\.created_at must be a timezone"):
            Event(name="x", created_at=datetime(2024, 1, 1)).to_item()
        assert Event(name="x").to_item()["created_at"].endswith("+00:00")


def test_a_stored_datetime_without_an_offset_is_read_as_utc(registry: Registry) -> None:
    Thing = define(registry)
    item = {**Thing(**values()).to_item(), "at": "2024-05-01T12:30:00"}
    assert Thing.from_item(item).at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_cast_classes_are_made_without_arguments_and_type_names_are_types(
    registry: Registry,
) -> None:
    class Price(Model, registry=registry):
        cents: Any = attribute(cast=Cents)
        qty: Any = attribute(cast="integer")

    definition = Price.__definition__
    assert definition.attribute("cents") is not None
    assert definition.attribute("cents").type == "integer"  # type: ignore[union-attr]
    assert definition.attribute("cents").cast == "Cents"  # type: ignore[union-attr]
    assert definition.attribute("qty").type == "integer"  # type: ignore[union-attr]
    price = Price(cents=Decimal("1.25"), qty="7")
    assert price.to_item()["cents"] == 125
    assert price.to_item()["qty"] == 7
    assert price.cents == Decimal("1.25")


def test_the_stored_type_comes_from_stored_as_then_type_then_the_annotation(
    registry: Registry,
) -> None:
    class Holder(Model, registry=registry):
        a: Money = attribute(cast=MoneyCast())  # stored_as = "map"
        b: str = attribute(cast=Lower())  # the annotation: string
        c: Money = attribute(cast=Lower(), type="string")  # type= wins
        d: Money = attribute(cast=Lower())  # nothing says: any

    types = {a.name: a.type for a in Holder.__definition__.attributes}
    assert types == {"a": "map", "b": "string", "c": "string", "d": "any"}


@pytest.mark.parametrize(
    ("cast", "message"),
    [
        ("encrypted", r"Bad\.x: attribute\(cast='encrypted'\) is not supported yet"),
        (object(), r"Bad\.x: cast=.* has neither get\(\) nor set\(\)"),
        (type("Needs", (), {"__init__": lambda self, a: None}), "cannot be made without"),
        (type("Odd", (Cast,), {"stored_as": "money"}), r"stored_as='money' is not an attribute"),
    ],
)
def test_bad_casts_are_refused_when_the_model_is_defined(
    registry: Registry, cast: Any, message: str
) -> None:
    with pytest.raises(SchemaError, match=message):

        class Bad(Model, registry=registry):
            x: Any = attribute(cast=cast)


def test_as_json_reads_invalid_json_with_a_clear_error(registry: Registry) -> None:
    class Doc(Model, registry=registry):
        body: Any = attribute(cast=AsJson())

    doc = Doc.from_item({"id": "d1", "body": "{not json"})
    with pytest.raises(AttributeCastError, match=r"Doc\.body: the stored value is not valid JSON"):
        _ = doc.body


def test_defaults_and_default_factories_go_through_casts(registry: Registry) -> None:
    class Wallet(Model, registry=registry):
        balance: Money = attribute(
            cast=MoneyCast(), default_factory=lambda: Money(Decimal(0), "EUR")
        )
        history: list[str] = attribute(default_factory=list)
        kind: str = "basic"

    one, two = Wallet(), Wallet()
    assert one.balance == Money(Decimal(0))
    assert one.to_values()["balance"]["currency"] == "EUR"
    one.history.append("x")
    assert two.history == []
    assert one.kind == "basic"


def test_hydration_equals_the_general_reader(registry: Registry) -> None:
    Thing = define(registry)
    info_item = Thing(**values()).to_item()
    from dynamodb_tooling.schema.transformer import ModelInfo, transformer_of

    info = ModelInfo.of(registry, "Thing")
    transformer = transformer_of(registry)
    variants = [
        info_item,
        {**info_item, "extra": [1, {"a": 2}], "tags": None, "count": Decimal(4)},
        {k: v for k, v in info_item.items() if k not in ("tags", "numbers", "meta")},
        {**info_item, "price": 5, "ratio": 2, "meta": None, "label": None},
        unmarshall_item(marshall_item(info_item)),
    ]
    for item in variants:
        assert info.reader(item) == transformer.read_values_general(item, "Thing", info)
        hydrated = Thing.from_item(item)
        assert hydrated._state.original == {
            k: v for k, v in hydrated._state.values.items() if k != "extra"
        }
        assert hydrated.is_clean()
    thing = Thing.from_item(variants[1])
    assert thing._state.values["extra"] == [1, {"a": 2}]  # another tool's attribute is kept
    thing.items.append(4)  # the snapshot is a copy: in-place edits are changes
    assert thing.get_dirty() == {"items": [1, "two", {"three": 3}, 4]}


def test_a_value_nested_too_deeply_is_named_on_hydration(registry: Registry) -> None:
    Thing = define(registry)
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    item = {**Thing(**values()).to_item(), "anything": deep}
    with pytest.raises(Exception, match=r"Thing\.anything: value nested more than 32 levels"):
        Thing.from_item(item)


def test_the_readme_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The models guide's "Casts, accessors and mutators" example, run as written (no server)."""
    import dynamodb_tooling.schema.registry as registry_module

    readme = (Path(__file__).parents[2] / "docs" / "models.md").read_text()
    section = readme.split("## Casts, accessors and mutators", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    with use_config():
        monkeypatch.setattr(registry_module, "_global", Registry())
        namespace: dict[str, Any] = {"__name__": "readme_example"}
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["back"].full_name == "Ada Lovelace"
