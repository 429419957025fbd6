"""Marshalling benchmark: dynamodb_tooling.marshal vs boto3's TypeSerializer and PynamoDB.

Run with ``.venv/bin/python bench/marshal.py`` (``--items N`` and ``--repeats N`` to change the
workload). Every library converts the same 10,000 realistic 15-attribute items in one process;
each operation is timed ``--repeats`` times with ``time.perf_counter`` and the best run is kept.
See bench/README.md for what is and is not measured.
"""

from __future__ import annotations

import argparse
import gc
import random
import string
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeAlias

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.models import Model

from dynamodb_tooling.marshal import marshall_item, unmarshall_item

SEED = 20240601
STATUSES = ("active", "pending", "suspended", "closed")
COUNTRIES = ("FR", "DE", "US", "GB", "JP", "BR", "IN", "ES")
TAGS = ("admin", "beta", "vip", "newsletter", "mobile", "churn-risk", "trial", "partner")
STREETS = ("Main St", "Rue de Rivoli", "Hauptstraße", "Baker Street", "Avenida Paulista")


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(low, high)))


def make_items(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` realistic user items with 15 attributes, the same for every seed."""
    rng = random.Random(seed)
    epoch = datetime(2020, 1, 1, tzinfo=UTC)
    items = []
    for index in range(count):
        first, last = _word(rng, 3, 9).title(), _word(rng, 4, 12).title()
        items.append(
            {
                "id": f"USER#{index:08d}",
                "email": f"{first.lower()}.{last.lower()}@example.com",
                "name": f"{first} {last}",
                "status": rng.choice(STATUSES),
                "country": rng.choice(COUNTRIES),
                "age": rng.randint(18, 90),
                "login_count": rng.randint(0, 100_000),
                "balance": round(rng.uniform(-500, 10_000), 2),
                "is_verified": rng.random() < 0.7,
                "deleted_at": None,
                "address": {
                    "street": f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                    "city": _word(rng, 4, 10).title(),
                    "zip": f"{rng.randint(10_000, 99_999)}",
                    "country": rng.choice(COUNTRIES),
                },
                "recent": [
                    rng.choice((_word(rng, 3, 8), rng.randint(1, 10_000))) for _ in range(4)
                ],
                "tags": set(rng.sample(TAGS, rng.randint(1, 4))),
                "lucky_numbers": set(rng.sample(range(1, 100), 3)),
                "created_at": (epoch + timedelta(seconds=rng.randint(0, 10**8))).isoformat(),
            }
        )
    return items


def boto3_copy(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """boto3 refuses floats: give it the same items with every float as a Decimal."""

    def convert(value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return [convert(item) for item in items]


class Address(MapAttribute[str, Any]):
    street = UnicodeAttribute()
    city = UnicodeAttribute()
    zip = UnicodeAttribute()
    country = UnicodeAttribute()


class User(Model):
    class Meta:
        table_name = "bench-users"
        region = "us-east-1"

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    country = UnicodeAttribute()
    age = NumberAttribute()
    login_count = NumberAttribute()
    balance = NumberAttribute()
    is_verified = BooleanAttribute()
    deleted_at = UnicodeAttribute(null=True)
    address = Address()  # type: ignore[no-untyped-call]
    recent = ListAttribute()  # type: ignore[var-annotated]
    tags = UnicodeSetAttribute()
    lucky_numbers = NumberSetAttribute()
    created_at = UnicodeAttribute()


def pynamodb_models(items: list[dict[str, Any]]) -> list[User]:
    users = []
    for item in items:
        fields = dict(item)
        fields["address"] = Address(**fields["address"])  # type: ignore[no-untyped-call]
        users.append(User(**fields))
    return users


Operation: TypeAlias = tuple[str, str, Callable[[], object]]


def best_times(operations: list[Operation], repeats: int) -> dict[tuple[str, str], float]:
    """The fastest of ``repeats`` runs of each operation, in seconds.

    Rounds are interleaved (every operation once per round) so that a burst of load on the
    machine hits every library alike; garbage collection is paused while an operation runs
    (cycles are not what is measured, and a collection would land on whichever op was unlucky).
    """
    best = {(lib, op): float("inf") for lib, op, _ in operations}
    for _ in range(repeats):
        for lib, op, run in operations:
            gc.collect()
            gc.disable()
            try:
                start = time.perf_counter()
                run()
                best[lib, op] = min(best[lib, op], time.perf_counter() - start)
            finally:
                gc.enable()
    return best


def drain(convert: Callable[[Any], object], inputs: list[Any]) -> Callable[[], object]:
    """Convert every input, dropping each result at once (memory is reused, as in a stream)."""

    def run() -> None:
        for value in inputs:
            convert(value)

    return run


def keep(convert: Callable[[Any], object], inputs: list[Any]) -> Callable[[], object]:
    """Convert every input and keep all the results in one list."""
    return lambda: list(map(convert, inputs))


def _canonical(value: Any) -> Any:
    """Sort set members so outputs of different libraries compare equal."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("SS", "NS", "BS") else _canonical(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def check_agreement(
    items: list[dict[str, Any]], boto_items: list[dict[str, Any]], users: list[User]
) -> None:
    """Every library must produce the same thing before any of them is timed."""
    serializer, deserializer = TypeSerializer(), TypeDeserializer()
    for item, boto_item, user in list(zip(items, boto_items, users, strict=True))[:200]:
        ours = marshall_item(item)
        theirs = {k: serializer.serialize(v) for k, v in boto_item.items()}
        assert _canonical(ours) == _canonical(theirs), (ours, theirs)
        assert unmarshall_item(ours) == boto_item  # exact: ints stay int, the rest Decimal
        assert unmarshall_item(ours, use_decimal=False) == item
        assert {k: deserializer.deserialize(v) for k, v in ours.items()} == boto_item
        # PynamoDB leaves None attributes out instead of writing NULL.
        without_nulls = {k: v for k, v in ours.items() if "NULL" not in v}
        assert _canonical(user.serialize()) == _canonical(without_nulls)
        hydrated = User.from_raw_data(ours)
        assert hydrated.address.as_dict() == item["address"]  # type: ignore[no-untyped-call]
        assert all(getattr(hydrated, k) == v for k, v in item.items() if k != "address")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    count, repeats = args.items, args.repeats

    items = make_items(count)
    boto_items = boto3_copy(items)  # outside the timed region
    users = pynamodb_models(items)  # outside the timed region
    check_agreement(items, boto_items, users)
    wire = [marshall_item(item) for item in items]
    serialize = TypeSerializer().serialize
    deserialize = TypeDeserializer().deserialize

    def boto3_marshall(item: dict[str, Any]) -> dict[str, Any]:
        return {k: serialize(v) for k, v in item.items()}

    def boto3_unmarshall(item: dict[str, Any]) -> dict[str, Any]:
        return {k: deserialize(v) for k, v in item.items()}

    def ours_unmarshall_float(item: dict[str, Any]) -> dict[str, Any]:
        return unmarshall_item(item, use_decimal=False)

    conversions: list[tuple[str, str, Callable[[Any], object], list[Any]]] = [
        (OURS, "marshall", marshall_item, items),
        ("boto3", "marshall", boto3_marshall, boto_items),
        ("pynamodb", "marshall", User.serialize, users),
        (OURS, "unmarshall", unmarshall_item, wire),
        (OURS, FLOAT_OP, ours_unmarshall_float, wire),
        ("boto3", "unmarshall", boto3_unmarshall, wire),
        ("pynamodb", "unmarshall", User.from_raw_data, wire),
    ]
    # Freeze the inputs out of the collector's sight: each gc.collect() between runs stays cheap.
    gc.collect()
    gc.freeze()
    operations: list[Operation] = []
    for lib, op, convert, inputs in conversions:
        operations.append((lib, op, keep(convert, inputs)))
        operations.append((lib, f"{op} {STREAM}", drain(convert, inputs)))
    best = best_times(operations, repeats)

    print(f"{count:,} items x 15 attributes, best of {repeats} runs (Python {_python()})")
    for title, suffix in (("all results kept in a list", ""), ("streamed", f" {STREAM}")):
        print(f"\n{title}:")
        print(f"{'library':<18} {'op':<24} {'total ms':>9} {'µs/item':>8}  ratio (them / ours)")
        for lib, op, _, _ in conversions:
            seconds = best[lib, op + suffix]
            print(
                f"{lib:<18} {op:<24} {seconds * 1e3:>9.1f} {seconds / count * 1e6:>8.2f}  ", end=""
            )
            if lib == OURS:
                print("-")
                continue
            ratio = f"{seconds / best[OURS, op + suffix]:.2f}x"
            if op == "unmarshall":
                ratio += f" ({seconds / best[OURS, FLOAT_OP + suffix]:.2f}x vs floats)"
            print(ratio)
    print(NOTES)


OURS = "dynamodb_tooling"
FLOAT_OP = "unmarshall floats"
STREAM = "(stream)"
NOTES = """
notes:
- boto3 refuses floats: its copy of the items holds Decimals (converted before timing). Our
  unmarshall is exact by default (ints as int, other numbers as Decimal), like boto3's Decimals;
  the "floats" row is the opt-in use_decimal=False mode (non-integers as float).
- pynamodb marshall = Model.serialize() on models built before timing (construction is not
  timed); pynamodb unmarshall = Model.from_raw_data(item), i.e. hydration into Model objects.
- "kept": all 10,000 results live in one list; "streamed": each result is dropped at once, so
  the allocator reuses memory (closer to batches of 25 writes or 1 MB query pages).
- outputs were checked to agree (set order aside) before timing."""


def _python() -> str:
    import platform

    return platform.python_version()


if __name__ == "__main__":
    main()
