"""Casts, accessors and mutators against the engine: what is stored (read raw) and what the
model reads back, through the sync and the async twins."""

import asyncio
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import PerformanceWarning
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.accessors import accessor, mutator
from dynamodb_tooling.orm.casts import AsJson, Cast
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration


class Tier(Enum):
    FREE = "free"
    PRO = "pro"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


class MoneyCast(Cast[Money]):
    stored_as = "map"

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return None if value is None else Money(value["amount"], value["currency"])

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return None if value is None else {"amount": value.amount, "currency": value.currency}


REF = uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"casts-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Customer(Model, registry=registry, timestamps=True):
        first_name: str
        last_name: str
        email: str
        visits: int
        ratio: float
        credit: Decimal
        active: bool
        birthday: date
        seen_at: datetime
        tier: Tier
        profile: dict[str, Any]
        history: list[Any]
        labels: set[str]
        ref: uuid.UUID
        balance: Money = attribute(cast=MoneyCast())
        settings: dict[str, Any] = attribute(cast=AsJson(), default_factory=dict)
        note: str | None = None

        @accessor
        def full_name(self) -> str:
            return f"{self.first_name} {self.last_name}"

        @mutator("email")
        def _email(self, value: str) -> str:
            return value.strip().lower()

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Customer": Customer, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def values() -> dict[str, Any]:
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": " Ada@Example.com ",
        "visits": 12345678901234567890,
        "ratio": 0.1,
        "credit": Decimal("1234567890.123456789012345678"),
        "active": True,
        "birthday": date(1815, 12, 10),
        "seen_at": datetime(2024, 5, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))),
        "tier": Tier.PRO,
        "profile": {"city": "London", "n": Decimal("1.5"), "deep": {"list": [1, "x"]}},
        "history": [1, "two", [3]],
        "labels": {"vip", "early"},
        "ref": REF,
        "balance": Money(Decimal("10.05"), "GBP"),
        "settings": {"theme": "dark", "size": 3},
    }


def raw_item(client: DynamoDBClient, table: str) -> dict[str, Any]:
    (item,) = [unmarshall_item(i) for i in client.scan_all(table).items]
    return item


def check_read_back(customer: Any) -> None:
    assert customer.email == "ada@example.com"
    assert customer.visits == 12345678901234567890
    assert type(customer.visits) is int
    assert customer.ratio == 0.1
    assert type(customer.ratio) is float
    assert customer.credit == Decimal("1234567890.123456789012345678")
    assert customer.active is True
    assert customer.birthday == date(1815, 12, 10)
    assert customer.seen_at == datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert customer.tier is Tier.PRO
    assert customer.profile == {"city": "London", "n": Decimal("1.5"), "deep": {"list": [1, "x"]}}
    assert customer.history == [1, "two", [3]]
    assert customer.labels == {"vip", "early"}
    assert customer.ref == REF
    assert isinstance(customer.ref, uuid.UUID)
    assert customer.balance == Money(Decimal("10.05"), "GBP")
    assert customer.settings == {"theme": "dark", "size": 3}
    assert customer.full_name == "Ada Lovelace"
    assert customer.note is None
    assert customer.is_clean()


def test_every_cast_is_stored_in_its_form_and_read_back(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Customer = app["Customer"]
    created = Customer.create(**values())
    stored = raw_item(dynamodb_client, app["table"])
    assert stored["email"] == "ada@example.com"  # the mutator ran
    assert stored["seen_at"] == "2024-05-01T12:30:15.123456+00:00"
    assert stored["birthday"] == "1815-12-10"
    assert stored["tier"] == "pro"
    assert stored["ref"] == str(REF)
    assert stored["balance"] == {"amount": Decimal("10.05"), "currency": "GBP"}
    assert json.loads(stored["settings"]) == {"theme": "dark", "size": 3}
    assert stored["credit"] == Decimal("1234567890.123456789012345678")
    assert "note" not in stored
    assert "full_name" not in stored
    check_read_back(Customer.find(created.id))
    check_read_back(Customer.where("id", created.id).first())


def test_a_changed_cast_and_mutated_value_are_saved_and_read_back(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Customer = app["Customer"]
    customer = Customer.create(**values())
    customer.balance = Money(Decimal("0.01"), "EUR")
    customer.email = "NEW@EXAMPLE.COM"
    customer.ref = "0F8FAD5B-D9CB-469F-A165-70867728950E"
    customer.save()
    stored = raw_item(dynamodb_client, app["table"])
    assert stored["balance"] == {"amount": Decimal("0.01"), "currency": "EUR"}
    assert stored["email"] == "new@example.com"
    assert stored["ref"] == str(REF)
    fresh = Customer.find(customer.id)
    assert fresh.balance == Money(Decimal("0.01"), "EUR")
    assert fresh.ref == REF


def test_the_async_twins_store_and_read_the_same(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Customer = app["Customer"]

    async def scenario() -> Any:
        created = await Customer.acreate(**values())
        return await Customer.afind(created.id)

    check_read_back(asyncio.run(scenario()))
    assert raw_item(dynamodb_client, app["table"])["balance"]["currency"] == "GBP"


def test_a_where_on_a_uuid_or_datetime_uses_the_stored_form(app: dict[str, Any]) -> None:
    Customer = app["Customer"]
    created = Customer.create(**values())
    with pytest.warns(PerformanceWarning):
        found = Customer.where("ref", REF).where("seen_at", ">", "2024-05-01T12:00:00Z").get()
    assert [c.id for c in found] == [created.id]
