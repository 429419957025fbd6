"""Hydration: wire items (DynamoDB AttributeValue dicts) → model instances, per item.

Run with ``.venv/bin/python bench/hydrate.py`` (``--items``, ``--repeats``, ``--write-docs``).
One process, no transport: 10,000 wire items of a fifteen-attribute model (str, int,
``Decimal``, bool, ``datetime``, list, map, string set and two optional attributes; the
key, timestamps and version on top) are turned into objects by

- this library: ``Model.from_item(unmarshall_item(item))`` (what a query does per row:
  unmarshalling, casting by declared type with exact numbers, Enum/set checks, the
  dirty-tracking snapshot), and ``Model.from_item`` of an already unmarshalled item;
- boto3's ``TypeDeserializer`` (plain dicts, no model: the floor of "just decode");
- PynamoDB's ``Model.from_raw_data`` (its own wire form of the same values);
- pydantic's ``model_validate`` on an equivalent ``BaseModel``, of the unmarshalled item.

CPU is ``time.process_time``, best of ``--repeats`` rounds, the contenders interleaved (the
round order rotates), garbage collection paused while a round runs.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import replace_section

from dynamodb_tooling.marshal import marshall_item, unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry

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


class PydanticAccount(BaseModel):
    """The same attributes as a pydantic model (exact decimals, aware datetimes)."""

    id: str
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
    created_at: datetime
    updated_at: datetime
    v: int = 0


def values(n: int) -> dict[str, Any]:
    return {
        "email": f"user{n}@example.com",
        "name": "Ada Lovelace",
        "status": "active",
        "country": "GB",
        "age": 20 + n % 50,
        "logins": n,
        "balance": Decimal("1024.50"),
        "active": True,
        "verified": n % 2 == 0,
        "joined_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "tags": ["math", "engines", "poetry"],
        "address": {"street": "St James's Sq", "city": "London", "zip": "SW1Y", "n": n},
        "roles": {"admin", "author"},
        "nickname": "Countess",
        "score": n % 100,
    }


def wire_items(count: int) -> list[dict[str, Any]]:
    """What ``create`` writes for ``count`` accounts, as wire items (AttributeValue dicts)."""
    return [marshall_item(Account(**values(n)).to_item()) for n in range(count)]


def pynamodb_contender(count: int) -> Callable[[], Any] | None:
    try:
        from pynamodb.attributes import (
            BooleanAttribute,
            ListAttribute,
            MapAttribute,
            NumberAttribute,
            UnicodeAttribute,
            UnicodeSetAttribute,
            UTCDateTimeAttribute,
        )
        from pynamodb.models import Model as PynamoModel
    except ImportError:
        return None

    class PynamoAccount(PynamoModel):
        class Meta:
            table_name = "bench-hydrate"
            region = "us-east-1"

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        email = UnicodeAttribute()
        name = UnicodeAttribute()
        status = UnicodeAttribute()
        country = UnicodeAttribute()
        age = NumberAttribute()
        logins = NumberAttribute()
        balance = NumberAttribute()
        active = BooleanAttribute()
        verified = BooleanAttribute()
        joined_at = UTCDateTimeAttribute()
        tags = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
        address = MapAttribute()  # type: ignore[var-annotated]
        roles = UnicodeSetAttribute()
        nickname = UnicodeAttribute(null=True)
        score = NumberAttribute(null=True)

    raw = []
    for n in range(count):
        given = values(n)
        given["balance"] = float(given["balance"])  # NumberAttribute serialises with json
        raw.append(PynamoAccount(f"ACCOUNT#{n}", f"ACCOUNT#{n}", **given).serialize())

    def run() -> Any:
        return [PynamoAccount.from_raw_data(item) for item in raw]

    return run


def contenders(count: int) -> dict[str, Callable[[], Any]]:
    wire = wire_items(count)
    plain = [unmarshall_item(item) for item in wire]
    deserializer = TypeDeserializer()
    deserialize = deserializer.deserialize
    pydantic_input = [{**item, "v": item["_v"]} for item in plain]
    found: dict[str, Callable[[], Any]] = {
        "dynamodb-tooling: from_item(unmarshall_item(wire))": lambda: [
            Account.from_item(unmarshall_item(item)) for item in wire
        ],
        "dynamodb-tooling: from_item(item) (unmarshalled)": lambda: [
            Account.from_item(item) for item in plain
        ],
        "dynamodb-tooling: unmarshall_item(wire) (dicts)": lambda: [
            unmarshall_item(item) for item in wire
        ],
        "boto3 TypeDeserializer (dicts)": lambda: [
            {k: deserialize(v) for k, v in item.items()} for item in wire
        ],
        "pydantic model_validate (unmarshalled)": lambda: [
            PydanticAccount.model_validate(item) for item in pydantic_input
        ],
    }
    pynamo = pynamodb_contender(count)
    if pynamo is not None:
        found["PynamoDB from_raw_data (its wire form)"] = pynamo
    return found


def check() -> None:
    """Hydration gives exact, typed values (a benchmark of a wrong result is no benchmark)."""
    (item,) = wire_items(1)
    account = Account.from_item(unmarshall_item(item))
    assert account.balance == Decimal("1024.50")
    assert type(account.balance) is Decimal
    assert account.joined_at == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert account.roles == {"admin", "author"}
    assert account.tags[0] == "math"
    assert type(account.created_at) is datetime
    assert account.is_clean()


def measure(runs: dict[str, Callable[[], Any]], count: int, repeats: int) -> dict[str, float]:
    """µs per item of each contender: best of ``repeats`` interleaved rounds."""
    best = dict.fromkeys(runs, float("inf"))
    names = list(runs)
    for round_ in range(repeats):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            gc.collect()
            gc.disable()
            start = time.process_time()
            runs[name]()
            elapsed = time.process_time() - start
            gc.enable()
            best[name] = min(best[name], elapsed / count * 1e6)
    return best


def table(results: dict[str, float]) -> str:
    ours = results["dynamodb-tooling: from_item(unmarshall_item(wire))"]
    rows = ["| contender | µs per item | vs ours (wire → model) |", "|---|---:|---:|"]
    for name, micros in results.items():
        rows.append(f"| {name} | {micros:.1f} | {micros / ours:.2f}x |")
    return "\n".join(rows)


def section(results: dict[str, float], args: argparse.Namespace) -> str:
    machine = f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    return f"""## Hydration

`.venv/bin/python bench/hydrate.py` ({date.today().isoformat()}; {machine}). One process,
no transport: {args.items:,} wire items of a fifteen-attribute model (str, int, `Decimal`,
bool, `datetime`, list, map, string set, two optional attributes; key, timestamps and
version on top) turned into objects. CPU is `time.process_time`, best of {args.repeats}
interleaved rounds, garbage collection paused. Target (issue 9): ≤ 15 µs per item, wire to
model.

{table(results)}

Notes:

- "wire → model" is what a query does per row: `unmarshall_item` (exact numbers: `int` or
  `Decimal`) then `Model.from_item`. Hydration is compiled once per model
  into two generated functions: `ModelInfo.reader` (the item copied and its internal
  attributes deleted in C, each declared attribute cast only when its value is not already
  of the declared type, lists/maps/sets copied in C) and `Hydration.original` (the
  dirty-tracking snapshot: every value of an immutable declared type shared without a look,
  lists and maps of scalars and sets copied in C). Casting keeps every check: exact
  decimals, Enum membership (an error naming model and attribute), sets, timestamps parsed.
- Before this work (commit b65831e, `git archive` of it run by this script on 2026-11-29,
  5,000 items): 16.9 µs per item wire → model and 10.7 µs for `from_item` alone (a generic
  per-key loop and a generic snapshot walk); the figures above also include the `retrieved`
  event check that the events concern added since (about 1 µs).
- boto3's TypeDeserializer and `unmarshall_item` make plain dicts (no casting, no model);
  pydantic validates an already unmarshalled dict; PynamoDB decodes its own wire form.
- The machine is shared (2 CPUs), so absolute figures move by a µs or two between runs;
  the ratios are steadier.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    check()
    results = measure(contenders(args.items), args.items, args.repeats)
    print(table(results))
    if args.write_docs:
        replace_section("## Hydration", section(results, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
