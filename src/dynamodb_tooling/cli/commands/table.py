"""``dbtooling table:create|delete|describe|list|wait``: the table your models live in.

``table:create`` sends exactly ``get_registry().table_definitions()`` for the models under
``--models`` (default ``query_builder.models_path``): the main table, and the table of each
model with its own ``table=``; ``--table`` creates one. The other commands act on ``--table``
or the configured table (``default_table_name`` with its prefix and suffix).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from dynamodb_tooling.cli.commands._common import (
    ForceOption,
    JsonOption,
    ModelsOption,
    TableOption,
    confirm_destructive,
    load_project_models,
    out,
    print_json,
    table_name,
)
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.errors import DynamoDBToolingError, ResourceInUseError, ResourceNotFoundError
from dynamodb_tooling.schema import get_registry

TimeoutOption = Annotated[
    float, typer.Option("--timeout", min=0.1, help="seconds to wait before giving up")
]


def register(app: typer.Typer) -> None:
    """Add the ``table:*`` commands to the root app."""
    app.command("table:create")(create)
    app.command("table:delete")(delete)
    app.command("table:describe")(describe)
    app.command("table:list")(list_tables)
    app.command("table:wait")(wait)


def create(
    table: TableOption = None,
    models: ModelsOption = None,
    wait: Annotated[bool, typer.Option("--wait", help="wait until the table is ACTIVE")] = False,
    timeout: TimeoutOption = 300.0,
) -> None:
    """Create the tables your models need (the registry's CreateTable requests).

    The main table, and the table of each model with its own table=; --table creates one.
    """
    load_project_models(models)
    registry = get_registry()
    if not registry.models:
        raise DynamoDBToolingError(
            "no models found; put them under query_builder.models_path or pass --models PATH"
        )
    if table is None:
        definitions = list(registry.table_definitions().values())
    else:
        definitions = [registry.table_definition(table)]
    client = get_client()
    for definition in definitions:
        name = definition["TableName"]
        try:
            client.create_table(definition)
        except ResourceInUseError as exc:
            raise DynamoDBToolingError(
                f"table {name!r} already exists; `dbtooling table:describe --table {name}` "
                f"shows it, `dbtooling table:delete --table {name}` deletes it"
            ) from exc
        if wait:
            client.wait_for_table_active(name, interval=0.2, timeout=timeout)
            out.print(f"Created table [bold]{name}[/] (ACTIVE).")
        else:
            out.print(f"Created table [bold]{name}[/]; `dbtooling table:wait` waits until ACTIVE.")


def delete(
    table: TableOption = None,
    force: ForceOption = False,
    wait: Annotated[bool, typer.Option("--wait", help="wait until the table is gone")] = False,
    timeout: TimeoutOption = 300.0,
) -> None:
    """Delete the table and every item in it.

    Asks first unless --force; a production environment needs --force.
    """
    name = table_name(table)
    _describe(name)  # a missing table is reported before anything is asked
    client = get_client()
    confirm_destructive(f"delete table {name} and every item in it", force)
    client.delete_table(name)
    if wait:
        client.wait_for_table_deleted(name, interval=0.2, timeout=timeout)
    out.print(f"Deleted table [bold]{name}[/].")


def describe(table: TableOption = None, as_json: JsonOption = False) -> None:
    """Show a table: status, keys, indexes, item count and size."""
    description = _describe(table_name(table))
    if as_json:
        print_json(description)
        return
    out.print(_described(description))


def _describe(name: str) -> dict[str, Any]:
    try:
        description: dict[str, Any] = get_client().describe_table(name)["Table"]
    except ResourceNotFoundError as exc:
        raise DynamoDBToolingError(
            f"table {name!r} does not exist; `dbtooling table:list` lists the tables, "
            "`dbtooling table:create` creates the one your models need"
        ) from exc
    return description


def _key_schema(key_schema: list[dict[str, str]]) -> str:
    return ", ".join(f"{k['AttributeName']} ({k['KeyType']})" for k in key_schema)


def _described(description: dict[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    billing = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    rows = [
        ("table", description["TableName"]),
        ("status", description.get("TableStatus", "?")),
        ("keys", _key_schema(description.get("KeySchema", []))),
        ("billing", billing),
        ("items", str(description.get("ItemCount", 0))),
        ("size", f"{description.get('TableSizeBytes', 0)} bytes"),
        ("arn", description.get("TableArn", "")),
    ]
    for kind, field in (("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")):
        for index in description.get(field, []):
            status = index.get("IndexStatus", "ACTIVE")
            keys = _key_schema(index["KeySchema"])
            rows.append((kind, f"{index['IndexName']}: {keys} [{status}]"))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def list_tables(as_json: JsonOption = False) -> None:
    """List the tables of the account and region (or of the local engine)."""
    names = get_client().list_all_tables()
    if as_json:
        print_json(names)
        return
    for name in names:
        out.print(name, markup=False)
    if not names:
        out.print("[dim]no tables[/]")


def wait(
    table: TableOption = None,
    deleted: Annotated[
        bool, typer.Option("--deleted", help="wait until the table is gone instead")
    ] = False,
    timeout: TimeoutOption = 300.0,
) -> None:
    """Wait until the table and its indexes are ACTIVE (or, with --deleted, gone)."""
    name = table_name(table)
    client = get_client()
    if deleted:
        client.wait_for_table_deleted(name, interval=0.2, timeout=timeout)
        out.print(f"Table [bold]{name}[/] is gone.")
    else:
        client.wait_for_table_active(name, interval=0.2, timeout=timeout)
        out.print(f"Table [bold]{name}[/] is ACTIVE.")
