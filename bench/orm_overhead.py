"""Library overhead per call: the client CPU of ``Model.find(id)``, ``Model.create(...)`` and
a 25-row ``Order.where("customer_id", x).get()`` with no transport at all.

Run with ``.venv/bin/python bench/orm_overhead.py`` (``--ops``, ``--repeats``, ``--top`` and
``--no-profile`` change it). Requests go to a :class:`StubExecutor` (GetItem answered with a
stored item, Query with 25 stored orders, PutItem/TransactWriteItems with ``{}``), so what is
timed is the library alone: planning, validation, casting, marshalling, hydration and
bookkeeping. CPU is
``time.process_time`` over ``--ops`` calls, best of ``--repeats`` rounds, garbage collection
paused while a round runs. A ``cProfile`` top-N (by own time) follows for each operation.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import dynamodb_tooling.orm.concerns.persistence as persistence
from dynamodb_tooling.config import set_config
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.query.executor import install_default_executor
from dynamodb_tooling.requests import Request
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor

registry = Registry()


class Account(Model, registry=registry, timestamps=True, versioning=True):
    """15 attributes of mixed types (the key and the managed attributes come on top)."""

    email: str
    name: str
    status: str
    country: str
    age: int
    logins: int
    balance: Decimal
    active: bool
    verified: bool
    joined_at: datetime
    tags: list[str]
    address: dict[str, Any]
    roles: set[str]
    nickname: str | None = None
    score: int | None = None


class Customer(Model, registry=registry):
    name: str


class Order(Model, registry=registry):
    """An order as ``bench/orm.py`` has it: 15 attributes and its customer (a GSI path)."""

    number: str
    email: str
    status: str
    country: str
    currency: str
    quantity: int
    points: int
    total: Decimal
    paid: bool
    gift: bool
    placed_at: datetime
    tags: list[str]
    address: dict[str, Any]
    note: str | None = None
    coupon: str | None = None
    customer = BelongsTo(Customer)


ROWS = 25
CUSTOMER = "c-1"


def order_values(n: int) -> dict[str, Any]:
    return {
        "number": f"ORD-{n:06d}",
        "email": f"customer{n}@example.com",
        "status": "paid",
        "country": "GB",
        "currency": "GBP",
        "quantity": n % 7 + 1,
        "points": n * 3,
        "total": Decimal("1024.50"),
        "paid": True,
        "gift": n % 2 == 0,
        "placed_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "tags": ["a", "b"],
        "address": {"street": "St James's Sq", "city": "London", "n": n},
        "note": "leave at the door",
    }


def values() -> dict[str, Any]:
    return {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "status": "active",
        "country": "GB",
        "age": 36,
        "logins": 1234,
        "balance": Decimal("1024.50"),
        "active": True,
        "verified": False,
        "joined_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "tags": ["math", "engines", "poetry"],
        "address": {"street": "St James's Sq", "city": "London", "zip": "SW1Y", "n": 12},
        "roles": {"admin", "author"},
        "nickname": "Countess",
        "score": 99,
    }


def stored_item() -> dict[str, Any]:
    """The wire item GetItem answers with (what ``create`` wrote)."""
    created = Account.create(**values())
    return marshall_item(created.to_item())


def stored_orders() -> list[dict[str, Any]]:
    """The wire items of the customer's orders a Query answers with."""
    orders = [Order.create(customer_id=CUSTOMER, **order_values(n)) for n in range(ROWS)]
    return [marshall_item(order.to_item()) for order in orders]


def install_stub(stored: dict[str, Any]) -> StubExecutor:
    """Route every request of the models and query builders to a stub (this script only):
    GetItem answers ``stored["item"]``, Query ``stored["orders"]``, other requests ``{}``."""

    def answer(request: Request) -> dict[str, Any]:
        stub.requests.clear()  # the stub records requests; keep memory flat
        if request.operation == "GetItem":
            return {"Item": stored["item"]}
        if request.operation == "Query":
            orders = stored["orders"]
            return {"Items": orders, "Count": len(orders), "ScannedCount": len(orders)}
        return {}

    stub = StubExecutor(answer=answer)
    persistence.get_client = lambda: stub  # type: ignore[assignment,return-value]
    install_default_executor(lambda: stub)
    return stub


def best_of(call: Callable[[], Any], ops: int, repeats: int) -> float:
    """µs of process CPU per call, best of ``repeats`` rounds of ``ops`` calls."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            for _ in range(ops):
                call()
            elapsed = time.process_time() - start
        finally:
            gc.enable()
        best = min(best, elapsed / ops * 1e6)
    return best


def profile(call: Callable[[], Any], ops: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(ops):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    set_config(engine="embedded")  # never used: every request goes to the stub
    stored: dict[str, Any] = {}
    install_stub(stored)
    stored["item"] = stored_item()
    stored["orders"] = stored_orders()
    item_id = stored["item"]["id"]["S"]
    found = Account.find(item_id)
    if found is None or found.email != "ada@example.com":
        raise SystemExit(f"the stub did not answer the stored item: {found!r}")
    if len(Order.where("customer_id", CUSTOMER).get()) != ROWS:
        raise SystemExit("the stub did not answer the stored orders")
    row = values()

    operations: dict[str, Callable[[], Any]] = {
        "find(id)": lambda: Account.find(item_id),
        "create(15 attributes)": lambda: Account.create(**row),
        f"query({ROWS} rows)": lambda: Order.where("customer_id", CUSTOMER).get(),
    }
    for _ in range(200):  # warm up
        for call in operations.values():
            call()
    print(f"library-side CPU, best of {args.repeats} x {args.ops} calls (no transport)")
    for label, call in operations.items():
        spent = best_of(call, args.ops, args.repeats)
        per_row = f"  ({spent / ROWS:.1f} µs/row)" if label.startswith("query") else ""
        print(f"  {label:<24} {spent:8.1f} µs/op{per_row}")
    if not args.no_profile:
        for label, call in operations.items():
            print(f"\n=== cProfile: {label} ({args.ops} calls) ===")
            print(profile(call, args.ops, args.top))


if __name__ == "__main__":
    main()
