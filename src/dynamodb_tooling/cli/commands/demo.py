"""``dbtooling demo``: a guided round trip on the engine (embedded unless configured otherwise).

Creates a throwaway single-table-design table, writes a user and its orders, reads them back by
key, as one collection Query, through PartiQL, with a transaction and a batch, then deletes the
table. Every step prints the request it sent, so the demo doubles as a tour of the client.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from dynamodb_tooling.config import Config, default_gsis, full_table_name, get_config, set_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.expressions import Update, attr, key
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests import Request, batch, items, pagination
from dynamodb_tooling.requests import transactions as tx

console = Console()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _demo_config(config: Config) -> Config:
    """The configured engine when one is set; otherwise the embedded engine (never AWS)."""
    if config.endpoint or config.engine in ("aws", "local"):
        return config
    return set_config(engine="embedded")


def _show(title: str, request: Request) -> None:
    console.print(f"[bold cyan]{title}[/] → [green]{request.operation}[/]")
    console.print_json(json.dumps(request.params, default=str))


def _table_definition(name: str, config: Config) -> dict[str, Any]:
    std = config.single_table_design
    names = [std.partition_key_name, std.sort_key_name]
    for n in range(1, std.gsi_count + 1):
        names += [std.gsi_pk(n), std.gsi_sk(n)]
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": std.partition_key_name, "KeyType": "HASH"},
            {"AttributeName": std.sort_key_name, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
        "GlobalSecondaryIndexes": default_gsis(config),
    }


def demo(
    keep: bool = typer.Option(False, "--keep", help="keep the demo table afterwards"),
) -> None:
    """Run a guided round trip against the engine (embedded moto unless configured)."""
    config = _demo_config(get_config())
    client = DynamoDBClient(config=config)
    table = full_table_name(f"DemoTable-{uuid.uuid4().hex[:8]}", config)
    console.print(f"[bold]dynamodb-tooling demo[/] on {client.driver.health_check().endpoint}")
    client.create_table(_table_definition(table, config))
    client.wait_for_table_active(table)
    console.print(
        f"created table [bold]{table}[/] with {config.single_table_design.gsi_count} GSIs"
    )
    try:
        _tour(client, table)
    finally:
        if not keep:
            client.delete_table(table)
            client.wait_for_table_deleted(table)
            console.print(f"deleted table [bold]{table}[/]")
    client.close()


def _tour(client: DynamoDBClient, table: str) -> None:
    user = {
        "pk": "USER#1",
        "sk": "USER#1",
        "_et": "User",
        "name": "Ada",
        "email": "ada@example.com",
    }
    put = items.put_item(table, user, condition=attr("pk").not_exists())
    _show("Create a user only if absent", put)
    client.execute(put)

    orders = [
        {"pk": "USER#1", "sk": f"ORDER#{n:03d}", "_et": "Order", "total": 10 * n, "status": "open"}
        for n in range(1, 31)
    ]
    written = client.batch_write({table: [batch.put(o) for o in orders]})
    console.print(f"[bold cyan]Batch write[/] → {written} orders in chunks of 25, concurrently")

    get = items.get_item(table, {"pk": "USER#1", "sk": "USER#1"})
    _show("Get the user by key", get)
    console.print(unmarshall_item(client.execute(get)["Item"]))

    collection = items.query(table, key("pk").eq("USER#1"), filter=attr("total").gt(250))
    _show("One Query for the user's collection, filtered", collection)
    pages = client.run(pagination.all_pages(collection))
    _print_items([unmarshall_item(i) for i in pages.items])

    bump = Update().increment("total", 5).set("status", "paid")
    client.transact_write(
        [
            tx.TransactUpdate(table, {"pk": "USER#1", "sk": "ORDER#030"}, bump),
            tx.ConditionCheck(table, {"pk": "USER#1", "sk": "USER#1"}, attr("pk").exists()),
        ]
    )
    console.print("[bold cyan]Transaction[/] → order 30 paid and total +5, guarded by the user")

    statement = f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?'
    result = client.execute_statement(statement, ["USER#1", "ORDER#030"])
    console.print(f"[bold cyan]PartiQL[/] {statement}")
    _print_items([unmarshall_item(i) for i in result.get("Items", [])])


def _print_items(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("(no items)")
        return
    columns = sorted({c for row in rows for c in row})
    grid = Table(*columns)
    for row in rows:
        grid.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(grid)
