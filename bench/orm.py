"""End-to-end ORM benchmark: raw boto3, boto3's Table, PynamoDB, pydynox and our models.

Run with ``.venv/bin/python bench/orm.py`` (``--scale 0.1`` for a quick run; ``--puts``,
``--gets``, ``--queries`` and ``--chunk`` change the workload; ``--no-write`` leaves
docs/benchmarks.md alone). One engine (``python -m dynamodb_tooling.engine``) is started as a
separate process on a free port, so the CPU measured with ``time.process_time`` is the
client's alone (every thread of this process: botocore's async face runs in a worker thread,
pydynox in Rust threads); it is stopped at the end.

Every contender runs the same three operations on a 15-attribute order: PutItem, GetItem and a
Query returning the 25 orders of one customer. They run interleaved in chunks, the order
rotating every chunk, so drift on the machine spreads evenly. Before each chunk a contender
is activated (for our models: ``set_config`` with its driver, so ``get_client()`` picks it)
and sends one untimed GetItem, so connection pools, per-loop clients and lazy imports are
ready; async contenders run each chunk in one event loop (``asyncio.run``), awaiting one
operation at a time so their latency compares with the sync ones. Per-operation wall latency
and process CPU are reported with their ratio to the raw boto3 client, and written to the
"ORM: end to end" section of docs/benchmarks.md (the other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from _common import DOCS, replace_section, start_engine, stop_engine
from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeDeserializer
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model as PynamoModel

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers.client import get_client
from dynamodb_tooling.drivers.recording import record_requests
from dynamodb_tooling.marshal import marshall_item, unmarshall, unmarshall_item
from dynamodb_tooling.orm import BelongsTo, Model
from dynamodb_tooling.schema import Registry

CREDENTIALS = ("bench", "bench")
REGION = "us-east-1"
SECTION = "## ORM: end to end"
QUERY_CUSTOMER = "Q"  # the partition every contender queries (25 orders)
GET_INDEX = 7  # the order every contender reads

RAW = "raw boto3 client"
TABLE = "boto3 Table"
PYNAMO = "PynamoDB"
PYDYNOX = "pydynox"
PYDYNOX_ASYNC = "pydynox (async)"
PYDYNOX_OURS = "pydynox, our requests"
OURS_BOTOCORE = "ours (botocore)"
OURS_LEAN = "ours (lean)"
OURS_ASYNC_BOTOCORE = "ours async (botocore)"
OURS_ASYNC_LEAN = "ours async (lean)"


# The data: 15 attributes per order (the keys and the customer come on top).
def order_values(n: int) -> dict[str, Any]:
    return {
        "number": f"ORD-{n:06d}",
        "email": f"customer{n}@example.com",
        "status": ("open", "paid", "shipped")[n % 3],
        "country": ("FR", "DE", "GB", "US")[n % 4],
        "currency": "EUR",
        "quantity": n % 7 + 1,
        "points": 1000 + n,
        "total": Decimal(f"{100 + n % 900}.{n % 100:02d}"),
        "paid": n % 2 == 0,
        "gift": n % 5 == 0,
        "placed_at": datetime(2024, 5, 1, 12, n % 60, n % 60, tzinfo=UTC),
        "tags": ["web", "priority", f"batch-{n % 10}"],
        "address": {"street": f"{n} Main St", "city": "Lyon", "zip": "69001", "floor": n % 9},
        "note": f"leave at door {n}",
        "coupon": f"SPRING{n % 30}" if n % 2 else None,
    }


def plain_item(n: int, customer: str) -> dict[str, Any]:
    """The order as a boto3 Table / pydynox item: Python values, the date as ISO-8601 text."""
    values = order_values(n)
    values["placed_at"] = values["placed_at"].isoformat()
    if values["coupon"] is None:
        del values["coupon"]  # written by no contender (ours and PynamoDB leave None out)
    return {"pk": f"CUSTOMER#{customer}", "sk": f"ORDER#{n:06d}", "customer_id": customer, **values}


def plain_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )


def pynamodb_model(table: str, endpoint: str) -> type[PynamoModel]:
    class PynamoOrder(PynamoModel):
        class Meta:
            table_name = table
            host = endpoint
            region = REGION
            aws_access_key_id = CREDENTIALS[0]
            aws_secret_access_key = CREDENTIALS[1]

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        customer_id = UnicodeAttribute()
        number = UnicodeAttribute()
        email = UnicodeAttribute()
        status = UnicodeAttribute()
        country = UnicodeAttribute()
        currency = UnicodeAttribute()
        quantity = NumberAttribute()
        points = NumberAttribute()
        total = NumberAttribute()
        paid = BooleanAttribute()
        gift = BooleanAttribute()
        placed_at = UTCDateTimeAttribute()
        tags = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
        address = MapAttribute()  # type: ignore[var-annotated]
        note = UnicodeAttribute(null=True)
        coupon = UnicodeAttribute(null=True)

    PynamoOrder.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    return PynamoOrder


def pynamodb_values(n: int, customer: str) -> dict[str, Any]:
    values = order_values(n)
    values["total"] = float(values["total"])  # NumberAttribute serialises with json.dumps
    return {"pk": f"CUSTOMER#{customer}", "sk": f"ORDER#{n:06d}", "customer_id": customer, **values}


def define_models(registry: Registry) -> type[Model]:
    """Our order: 15 attributes and a BelongsTo customer (queried through its GSI path)."""

    class Customer(Model, registry=registry):
        name: str

    class Order(Model, registry=registry):
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

    del Customer
    return Order


# Measuring.
Op = Callable[[int], Any]


@dataclass
class Contender:
    name: str
    put: Op
    get: Op
    query: Op
    is_async: bool = False
    activate: Callable[[], None] = lambda: None


@dataclass
class Totals:
    ops: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def per_op(self) -> tuple[float, float]:
        return self.wall / self.ops * 1e6, self.cpu / self.ops * 1e6


@dataclass
class Results:
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, Totals]] = field(default_factory=dict)
    contenders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_chunk(contender: Contender, operation: str, start: int, stop: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``stop - start`` operations (after an untimed warm-up GetItem)."""
    op: Op = getattr(contender, operation)
    contender.activate()
    if not contender.is_async:
        contender.get(0)
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for n in range(start, stop):
            op(n)
        return time.perf_counter() - wall0, time.process_time() - cpu0

    async def timed() -> tuple[float, float]:
        await contender.get(0)
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for n in range(start, stop):
            await op(n)
        return time.perf_counter() - wall0, time.process_time() - cpu0

    return asyncio.run(timed())


def measure(
    operation: str, contenders: list[Contender], count: int, chunk: int
) -> dict[str, Totals]:
    totals = {contender.name: Totals() for contender in contenders}
    for start in range(0, count, chunk):
        rotation = (start // chunk) % len(contenders)
        stop = min(count, start + chunk)
        for contender in contenders[rotation:] + contenders[:rotation]:
            wall, cpu = run_chunk(contender, operation, start, stop)
            total = totals[contender.name]
            total.ops += stop - start
            total.wall += wall
            total.cpu += cpu
    print(f"  {operation}: done", file=sys.stderr)
    return totals


def check(contender: Contender, expected_number: str) -> None:
    """The contender reads the fixture order and the 25 orders before anything is timed."""

    def number(item: Any) -> Any:
        return item["number"] if isinstance(item, dict) else item.number

    async def both() -> tuple[Any, Any]:
        return await contender.get(0), await contender.query(0)

    contender.activate()
    if contender.is_async:
        got, queried = asyncio.run(both())
    else:
        got, queried = contender.get(0), contender.query(0)
    got = got["Item"] if isinstance(got, dict) and "Item" in got else got
    queried = queried["Items"] if isinstance(queried, dict) else queried
    if isinstance(got, dict) and isinstance(got.get("number"), dict):  # wire (raw boto3)
        got = {"number": got["number"]["S"]}
    assert number(got) == expected_number, (contender.name, got)
    assert len(queried) == 25, (contender.name, len(queried))


def run(endpoint: str, args: argparse.Namespace) -> Results:
    results = Results(counts={"PutItem": args.puts, "GetItem": args.gets, "Query": args.queries})
    expected = order_values(GET_INDEX)["number"]
    fixtures = range(25)

    # raw boto3 client and boto3 Table: one table for writes, one holding the 25 read orders.
    raw = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )
    plain_w, plain_r = "orm-plain-writes", "orm-plain-reads"
    plain_table(raw, plain_w)
    plain_table(raw, plain_r)
    for n in fixtures:
        raw.put_item(TableName=plain_r, Item=marshall_item(plain_item(n, QUERY_CUSTOMER)))
    raw_wire = [marshall_item(plain_item(n, f"raw-{n // 25}")) for n in range(args.puts)]
    raw_key = {"pk": {"S": f"CUSTOMER#{QUERY_CUSTOMER}"}, "sk": {"S": f"ORDER#{GET_INDEX:06d}"}}
    key = {"pk": f"CUSTOMER#{QUERY_CUSTOMER}", "sk": f"ORDER#{GET_INDEX:06d}"}

    def raw_query(n: int) -> Any:
        return raw.query(
            TableName=plain_r,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": "pk"},
            ExpressionAttributeValues={":pk": {"S": f"CUSTOMER#{QUERY_CUSTOMER}"}},
        )

    table_w, table_r = resource.Table(plain_w), resource.Table(plain_r)
    table_items = [plain_item(n, f"table-{n // 25}") for n in range(args.puts)]
    condition = Key("pk").eq(f"CUSTOMER#{QUERY_CUSTOMER}")

    # Raw and Table read the same stored item.
    deserializer = TypeDeserializer()
    raw_got = raw.get_item(TableName=plain_r, Key=raw_key)["Item"]
    assert table_r.get_item(Key=key)["Item"] == {
        name: deserializer.deserialize(value) for name, value in raw_got.items()
    }

    contenders = [
        Contender(
            RAW,
            put=lambda n: raw.put_item(TableName=plain_w, Item=raw_wire[n]),
            get=lambda n: raw.get_item(TableName=plain_r, Key=raw_key),
            query=raw_query,
        ),
        Contender(
            TABLE,
            put=lambda n: table_w.put_item(Item=table_items[n]),
            get=lambda n: table_r.get_item(Key=key),
            query=lambda n: table_r.query(KeyConditionExpression=condition),
        ),
    ]

    # PynamoDB: a 15-attribute Model per table.
    pynamo_w = pynamodb_model("orm-pynamodb-writes", endpoint)
    pynamo_r = pynamodb_model("orm-pynamodb-reads", endpoint)
    for n in fixtures:
        pynamo_r(**pynamodb_values(n, QUERY_CUSTOMER)).save()
    pynamo_values = [pynamodb_values(n, f"pynamodb-{n // 25}") for n in range(args.puts)]
    contenders.append(
        Contender(
            PYNAMO,
            put=lambda n: pynamo_w(**pynamo_values[n]).save(),
            get=lambda n: pynamo_r.get(key["pk"], key["sk"]),
            query=lambda n: list(pynamo_r.query(key["pk"])),
        )
    )

    contenders += pydynox_contenders(endpoint, args, plain_w, plain_r, key, results)

    # Ours: the same models in two registries (a table for writes, one for the 25 reads).
    base = validate_config(
        endpoint=endpoint,
        engine="auto",
        profile=None,
        region=REGION,
        credentials={"access_key_id": CREDENTIALS[0], "secret_access_key": CREDENTIALS[1]},
        default_table_name="orm-ours-reads",
    )
    on_botocore = validate_config(base, driver="botocore")
    on_lean = validate_config(base, driver="lean")
    order_r = define_models(Registry(on_botocore))
    order_w = define_models(Registry(validate_config(base, default_table_name="orm-ours-writes")))
    set_config(on_botocore)
    for registry in (order_r.__registry__, order_w.__registry__):
        get_client().create_table(registry.table_definition())
        get_client().wait_for_table_active(registry.config.default_table_name, interval=0.1)
    ids = [order_r.create(customer_id=QUERY_CUSTOMER, **order_values(n)).id for n in fixtures]
    get_id = ids[GET_INDEX]
    ours_values = [{"customer_id": f"ours-{n // 25}", **order_values(n)} for n in range(args.puts)]
    assert str(order_r.where("customer_id", QUERY_CUSTOMER).explain()).startswith("Query")

    for driver, config in (("botocore", on_botocore), ("lean", on_lean)):

        def activate(config: Config = config) -> None:
            set_config(config)

        contenders.append(
            Contender(
                f"ours ({driver})",
                put=lambda n: order_w.create(**ours_values[n]),
                get=lambda n: order_r.find(get_id),
                query=lambda n: order_r.where("customer_id", QUERY_CUSTOMER).get(),
                activate=activate,
            )
        )
    for driver, config in (("botocore", on_botocore), ("lean", on_lean)):

        def activate_async(config: Config = config) -> None:
            set_config(config)

        contenders.append(
            Contender(
                f"ours async ({driver})",
                put=lambda n: order_w.acreate(**ours_values[n]),
                get=lambda n: order_r.afind(get_id),
                query=lambda n: order_r.where("customer_id", QUERY_CUSTOMER).aget(),
                is_async=True,
                activate=activate_async,
            )
        )

    contenders += pydynox_our_requests(endpoint, order_w, order_r, get_id, ours_values, results)

    for contender in contenders:
        check(contender, expected)
    results.contenders = [contender.name for contender in contenders]
    print(f"contenders: {', '.join(results.contenders)}", file=sys.stderr)

    results.totals = {
        "PutItem": measure("put", contenders, args.puts, args.chunk),
        "GetItem": measure("get", contenders, args.gets, args.chunk),
        "Query (25 items)": measure("query", contenders, args.queries, max(1, args.chunk // 5)),
    }
    set_config(on_botocore)
    get_client().close()
    reset_config()
    raw.close()
    return results


def pydynox_contenders(
    endpoint: str,
    args: argparse.Namespace,
    plain_w: str,
    plain_r: str,
    key: dict[str, str],
    results: Results,
) -> list[Contender]:
    """pydynox's client (sync and async) on the plain tables; none when it does not work."""
    try:
        from pydynox import DynamoDBClient as PydynoxClient

        client = PydynoxClient(
            endpoint_url=endpoint,
            region=REGION,
            access_key=CREDENTIALS[0],
            secret_key=CREDENTIALS[1],
        )
        items = [plain_item(n, f"pydynox-{n // 25}") for n in range(args.puts)]
        async_items = [plain_item(n, f"pydynox-async-{n // 25}") for n in range(args.puts)]
        names = {"#pk": "pk"}
        values = {":pk": key["pk"]}

        def query(n: int) -> list[dict[str, Any]]:
            return list(
                client.sync_query(
                    plain_r,
                    "#pk = :pk",
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            )

        async def aquery(n: int) -> list[dict[str, Any]]:
            result = client.query(
                plain_r,
                "#pk = :pk",
                expression_attribute_names=names,
                expression_attribute_values=values,
            )
            return [item async for item in result]

        contenders = [
            Contender(
                PYDYNOX,
                put=lambda n: client.sync_put_item(plain_w, items[n]),
                get=lambda n: client.sync_get_item(plain_r, key),
                query=query,
            ),
            Contender(
                PYDYNOX_ASYNC,
                put=lambda n: client.put_item(plain_w, async_items[n]),
                get=lambda n: client.get_item(plain_r, key),
                query=aquery,
                is_async=True,
            ),
        ]
        for contender in contenders:
            check(contender, order_values(GET_INDEX)["number"])
    except Exception as error:  # report it: no numbers are made up for pydynox
        note = f"pydynox did not run against the engine: {type(error).__name__}: {error}"
        print(note, file=sys.stderr)
        results.notes.append(note)
        return []
    return contenders


def pydynox_our_requests(
    endpoint: str,
    order_w: type[Model],
    order_r: type[Model],
    get_id: str,
    ours_values: list[dict[str, Any]],
    results: Results,
) -> list[Contender]:
    """pydynox sending exactly the requests our models send, to our tables: the conditional
    PutItem of ``create`` (the item ``to_item()`` gives, with its GSI keys), the GetItem of
    ``find`` and the GSI Query of ``where("customer_id", ...)``. The engine does the same work
    for both, so the latency columns compare the clients alone; none when pydynox does not
    work."""
    try:
        from pydynox import DynamoDBClient as PydynoxClient

        client = PydynoxClient(
            endpoint_url=endpoint,
            region=REGION,
            access_key=CREDENTIALS[0],
            secret_key=CREDENTIALS[1],
        )
        writes = order_w.__registry__.config.default_table_name
        reads = order_r.__registry__.config.default_table_name
        with record_requests() as sent:
            order_r.find(get_id)
            order_r.where("customer_id", QUERY_CUSTOMER).get()
        get_params, query_params = (entry.params for entry in sent)
        key = unmarshall_item(get_params["Key"])
        query = {
            "index_name": query_params["IndexName"],
            "expression_attribute_names": query_params["ExpressionAttributeNames"],
            "expression_attribute_values": {
                name: unmarshall(value)
                for name, value in query_params["ExpressionAttributeValues"].items()
            },
        }
        condition = query_params.get("FilterExpression")  # soft deletes would add one
        items = [order_w(**values).to_item() for values in ours_values]
        with record_requests() as sent:
            order_w.create(**ours_values[0])
        (put,) = sent
        put_condition = put.params["ConditionExpression"]
        put_names = put.params["ExpressionAttributeNames"]

        def get(n: int) -> Any:
            return client.sync_get_item(reads, key)

        def query_orders(n: int) -> list[dict[str, Any]]:
            return list(
                client.sync_query(reads, query_params["KeyConditionExpression"], condition, **query)
            )

        def put_order(n: int) -> Any:
            return client.sync_put_item(
                writes,
                items[n],
                condition_expression=put_condition,
                expression_attribute_names=put_names,
            )

        contender = Contender(PYDYNOX_OURS, put=put_order, get=get, query=query_orders)
        check(contender, order_values(GET_INDEX)["number"])
    except Exception as error:  # report it: no numbers are made up for pydynox
        note = f"pydynox did not run our requests: {type(error).__name__}: {error}"
        print(note, file=sys.stderr)
        results.notes.append(note)
        return []
    return [contender]


# Reporting.
def table_rows(results: Results) -> list[str]:
    rows = [
        "| operation | contender | latency µs/op | CPU µs/op | latency vs raw boto3 "
        "| CPU vs raw boto3 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for operation, totals in results.totals.items():
        base_wall, base_cpu = totals[RAW].per_op()
        for contender in results.contenders:
            wall, cpu = totals[contender].per_op()
            rows.append(
                f"| {operation} | {contender} | {wall:,.0f} | {cpu:,.0f} | "
                f"{wall / base_wall:.2f}x | {cpu / base_cpu:.2f}x |"
            )
    return rows


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} CPUs"


def section(rows: list[str], results: Results, args: argparse.Namespace) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    counts = results.counts
    pydynox_ran = PYDYNOX in results.contenders
    pydynox_note = (
        "- pydynox's client takes and returns Python dicts (numbers come back as `float`,"
        " `Decimal` included); its requests are built and sent by its Rust core, whose"
        " threads count in the CPU column."
        if pydynox_ran
        else "- pydynox: " + "; ".join(results.notes or ["not run"])
    )
    if PYDYNOX_OURS in results.contenders:
        pydynox_note += (
            "\n- pydynox, our requests: pydynox's client sending exactly what our models send,"
            " to our tables: the conditional PutItem of `create` (the item with its GSI keys),"
            ' the GetItem of `find` and the GSI Query of `where("customer_id", ...)`. The'
            " other contenders read a table without indexes, where the engine does less work;"
            " this row is the one to compare our latency with."
        )
    return f"""{SECTION}

`.venv/bin/python bench/orm.py` ({stamp}; Python {platform.python_version()}, {machine()};
boto3 {version("boto3")}, PynamoDB {version("pynamodb")}, pydynox {version("pydynox")}). One
process, one engine (`python -m dynamodb_tooling.engine`, moto, started as a separate process
so that the CPU column is the client's alone). {counts["PutItem"]:,} PutItem,
{counts["GetItem"]:,} GetItem and {counts["Query"]:,} Query returning the 25 orders of one
customer, each through every contender, interleaved in chunks ({args.chunk} operations,
{max(1, args.chunk // 5)} for queries) whose order rotates. The order has 15 attributes
(strings, ints, a `Decimal`, bools, a datetime, a list, a map, two optional strings) plus
its keys and customer. CPU is `time.process_time` per operation (every thread of the
process); latency is wall time per operation. Before each chunk a contender is activated
(ours: `set_config` with its driver) and sends one untimed GetItem; the async contenders run
each chunk in one event loop (`asyncio.run`), one operation awaited at a time.

{chr(10).join(rows)}

What each contender sends and returns:

- raw boto3 client: ready-made wire items and keys in, wire dicts out (no unmarshalling);
  the ratio baseline.
- boto3 Table: Python dicts in (`Decimal` numbers, the date as text), Python dicts out
  (`Decimal` numbers); the query is `Key("pk").eq(...)`.
- PynamoDB: a `Model` with 15 attributes (hash and range key); `Order(**values).save()`
  builds the model and writes it, `Order.get(pk, sk)` and `list(Order.query(pk))` return model
  instances.
{pydynox_note}
- ours: `Order.create(**values)` (cast, validated, keys derived, a conditional PutItem that
  refuses to overwrite), `Order.find(id)` (GetItem) and
  `Order.where("customer_id", ...).get()` (a Query on the `BelongsTo` path's GSI) return model
  instances (`Collection[Order]` for the query), on the botocore and the lean driver, and
  the same through `acreate`, `afind` and `aget`.

Notes:

- Each library family writes to a table of its own and reads from another holding only the
  25 orders read (moto walks every item of a table to answer a GSI Query, so our reads would
  otherwise slow down as the write tables fill).
- The engine keeps HTTP/1.1 connections alive as DynamoDB does (werkzeug's development
  server closed every connection until then, so every operation of every contender paid for
  a new TCP connection): every contender reuses its pooled connections (the async ones open
  theirs on each chunk's new event loop, during its untimed first GetItem).
- Our lean driver sends on `http.client`-made connections with answers parsed by
  `httptools` (llhttp) in sync code, and on asyncio connections (an `asyncio.Protocol` per
  connection, a keep-alive pool per event loop) feeding the same llhttp parser in async code;
  see the Transport section for why.
- The async rows carry asyncio's per-operation cost (the event loop's polling and task
  wake-ups); the botocore driver's async face runs each operation in a worker thread. Before
  the asyncio transport our lean async face ran on an `aiohttp` session (its request and
  response objects, a task and timers per request): 0.45x put, 0.49x get, 0.54x Query (CPU
  vs raw boto3, the full run of 2026-11-29).
- Before the keep-alive engine and the `http.client` + `httptools` / `aiohttp` transports
  (httpx, every connection closed; the 2026-11-29 run of this script): ours (lean) 0.70x
  put, 0.68x get, 0.65x Query; ours async (lean) 1.59x, 1.59x, 1.03x; pydynox 0.41x, 0.48x,
  0.39x (CPU vs raw boto3).
- Latency against a local engine is dominated by the engine (moto, one request at a time);
  the CPU column is the figure to compare (DESIGN.md §6).
"""


def write_docs(text: str) -> None:
    """Replace this script's section of docs/benchmarks.md (or append it); keep the rest."""
    replace_section(SECTION, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--puts", type=int, default=2000)
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=50, help="operations per chunk (puts/gets)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    for name in ("puts", "gets", "queries"):
        setattr(args, name, max(1, round(getattr(args, name) * args.scale)))
    args.chunk = max(1, min(args.chunk, args.puts, args.gets))

    engine, endpoint = start_engine()
    try:
        results = run(endpoint, args)
    finally:
        stop_engine(engine)

    rows = table_rows(results)
    print("\n".join(rows))
    for note in results.notes:
        print(f"note: {note}")
    if not args.no_write:
        write_docs(section(rows, results, args))
        print(f"\nwritten to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
