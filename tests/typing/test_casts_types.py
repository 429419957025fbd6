"""Types users see on casts, accessors and mutators (checked by mypy, not run)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, assert_type

from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.accessors import Accessor, AttributeAccessor, Mutator, accessor, mutator
from dynamodb_tooling.orm.casts import AsJson, Cast, CastsAttributes, resolve_cast
from dynamodb_tooling.schema.definitions import AttributeType


@dataclass(frozen=True)
class Money:
    amount: Decimal


class MoneyCast(Cast[Money]):
    stored_as = "decimal"

    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Money:
        return Money(value)

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return value.amount


class Customer(Model):
    first_name: str
    last_name: str
    ref: uuid.UUID
    seen_at: datetime
    balance: Money = attribute(cast=MoneyCast())
    settings: dict[str, Any] = attribute(cast=AsJson(), default_factory=dict)

    @accessor
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @accessor("first_name")
    def _first_name(self, value: str) -> str:
        return value.title()

    @mutator("last_name")
    def _last_name(self, value: str) -> str:
        return value.strip()


def check(customer: Customer) -> None:
    assert_type(customer.full_name, str)
    assert_type(Customer.full_name, Accessor[str])
    assert_type(customer.balance, Money)
    assert_type(customer.ref, uuid.UUID)
    assert_type(customer.seen_at, datetime)
    assert_type(customer.get_attribute("full_name"), Any)
    assert_type(customer.attributes_to_dict(), dict[str, Any])
    assert_type(Customer._first_name, AttributeAccessor[str])
    assert_type(Customer._last_name, Mutator)
    assert_type(MoneyCast().get(customer, "balance", Decimal(1), {}), Money)
    assert_type(
        resolve_cast(MoneyCast(), "Customer.balance"),
        tuple[AttributeType | None, CastsAttributes | None],
    )
    decorate = mutator("email")
    assert_type(decorate, Callable[[Callable[[Any, Any], Any]], Mutator])
    cast: CastsAttributes = MoneyCast()
    assert_type(cast.set(customer, "balance", Money(Decimal(1)), {}), Any)
