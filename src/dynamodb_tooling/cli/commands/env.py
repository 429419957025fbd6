"""``dbtooling env:list|switch|diff``: the named environments of ``dbtooling.toml``.

Environments are the ``[env.NAME]`` tables of the configuration file, merged over its base
options when selected (``--env NAME``, ``DBTOOLING_ENV``). ``DBTOOLING_*`` variables still apply
over every environment, as they do when loading.

``env:switch NAME`` makes the selection stick for this folder: it writes ``DBTOOLING_ENV=NAME``
into the ``.env`` file the configuration loader reads (``.env`` in the working folder, or the
file named by ``DBTOOLING_DOTENV``), replacing an earlier ``DBTOOLING_ENV`` line and keeping
every other line. ``--env`` and a ``DBTOOLING_ENV`` variable in the shell still win over it.

``env:diff A B`` describes each environment's table through a client built from that
environment's configuration and compares key schema, GSIs, LSIs, billing, TTL, streams and
tags; it exits 1 when they differ.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from dynamodb_tooling.cli.commands._common import JsonOption, out, print_json
from dynamodb_tooling.config import (
    Config,
    environment_names,
    find_config_file,
    full_table_name,
    get_config,
    get_endpoint,
    load_config,
    read_config_file,
)
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import DynamoDBToolingError, ResourceNotFoundError

ENV_VARIABLE = "DBTOOLING_ENV"


def register(app: typer.Typer) -> None:
    """Add ``env:list``, ``env:switch`` and ``env:diff`` to the root app."""
    app.command("env:list")(list_environments)
    app.command("env:switch")(switch)
    app.command("env:diff")(diff)


def _config_file(ctx: typer.Context) -> Path:
    """The file ``--config`` / ``DBTOOLING_CONFIG`` names, else the nearest config file."""
    given = ctx.find_root().params.get("config") or os.environ.get("DBTOOLING_CONFIG")
    found = Path(given) if given else find_config_file()
    if found is None or not found.is_file():
        raise DynamoDBToolingError(
            "no dbtooling.toml (or pyproject.toml with [tool.dbtooling]) found here or above; "
            "create one with [env.NAME] tables, or pass --config PATH"
        )
    return found


def _names(file: Path) -> list[str]:
    names = environment_names(read_config_file(file))
    if not names:
        raise DynamoDBToolingError(
            f"{file} defines no environments; add tables like [env.staging] with the options "
            "that differ (default_table_name, endpoint, region, ...)"
        )
    return names


def _environment(file: Path, name: str) -> Config:
    names = _names(file)
    if name not in names:
        raise DynamoDBToolingError(
            f"unknown environment {name!r} in {file} (known: {', '.join(names)}); "
            "`dbtooling env:list` shows them"
        )
    return load_config(file, env=name)


def _where(name: str, config: Config) -> dict[str, Any]:
    return {
        "name": name,
        "table": full_table_name(config=config),
        "endpoint": get_endpoint(config) or f"aws ({config.region})",
        "region": config.region,
        "engine": config.engine,
        "production": config.is_production,
    }


def list_environments(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the [env.NAME] environments with their table, endpoint and region."""
    file = _config_file(ctx)
    current = get_config().environment
    rows = [
        {**_where(name, load_config(file, env=name)), "current": name == current}
        for name in _names(file)
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Environments in {file}")
    for column in ("", "name", "table", "endpoint", "region", "production"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            "*" if row["current"] else "",
            row["name"],
            row["table"],
            row["endpoint"],
            row["region"],
            "yes" if row["production"] else "",
        )
    out.print(table)


def switch(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="environment to select ([env.NAME])")],
) -> None:
    """Select an environment for this folder (writes DBTOOLING_ENV=NAME to .env).

    The line goes into the .env file the configuration loader reads (.env here, or the file
    DBTOOLING_DOTENV names), replacing an earlier DBTOOLING_ENV line and keeping the others.
    --env and a DBTOOLING_ENV variable in the shell still win over it.
    """
    file = _config_file(ctx)
    _environment(file, name)  # refuses an unknown name before writing anything
    dotenv = Path(os.environ.get("DBTOOLING_DOTENV", ".env"))
    write_selection(dotenv, name)
    out.print(f"Selected environment [bold]{name}[/] ({ENV_VARIABLE}={name} in {dotenv}).")
    shell = os.environ.get(ENV_VARIABLE)
    if shell and shell != name:
        out.print(
            f"note: {ENV_VARIABLE}={shell} is set in your shell and wins over {dotenv}; "
            f"unset it to use {name}"
        )


def write_selection(dotenv: Path, name: str) -> None:
    """Set the ``DBTOOLING_ENV`` line of ``dotenv`` to ``name``, keeping every other line."""
    lines = dotenv.read_text(encoding="utf-8").splitlines() if dotenv.is_file() else []
    kept = [line for line in lines if not _sets_selection(line)]
    dotenv.write_text("\n".join([*kept, f"{ENV_VARIABLE}={name}"]) + "\n", encoding="utf-8")


def _sets_selection(line: str) -> bool:
    text = line.strip().removeprefix("export ").lstrip()
    return text.split("=", 1)[0].strip() == ENV_VARIABLE and "=" in text


def diff(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(metavar="A", help="first environment")],
    second: Annotated[str, typer.Argument(metavar="B", help="second environment")],
    as_json: JsonOption = False,
) -> None:
    """Compare two environments' live table schemas (exit 1 when they differ).

    Each table is described through a client built from its environment's configuration;
    compared: key schema, GSIs, LSIs, billing mode, TTL, streams and tags.
    """
    file = _config_file(ctx)
    configs = {name: _environment(file, name) for name in (first, second)}
    schemas = {name: live_schema(name, config) for name, config in configs.items()}
    differences = compare(schemas[first], schemas[second])
    if as_json:
        print_json(
            {
                "a": _where(first, configs[first]),
                "b": _where(second, configs[second]),
                "same": not differences,
                "differences": differences,
            }
        )
    else:
        _print_differences(first, second, configs, differences)
    if differences:
        raise typer.Exit(1)


def _print_differences(
    first: str, second: str, configs: dict[str, Config], differences: list[dict[str, Any]]
) -> None:
    a, b = (full_table_name(config=configs[n]) for n in (first, second))
    if not differences:
        out.print(f"{first} ({a}) and {second} ({b}) have the same table schema.")
        return
    table = Table(title=f"{first} ({a}) vs {second} ({b})")
    for column in ("field", first, second):
        table.add_column(column)
    for found in differences:
        table.add_row(found["field"], _text(found["a"]), _text(found["b"]))
    out.print(table)


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def live_schema(name: str, config: Config) -> dict[str, Any]:
    """What ``env:diff`` compares of the environment's table, read from the live table."""
    table = full_table_name(config=config)
    with DynamoDBClient(config=config) as client:
        try:
            described: dict[str, Any] = client.describe_table(table)["Table"]
        except ResourceNotFoundError as exc:
            where = get_endpoint(config) or f"AWS {config.region}"
            raise DynamoDBToolingError(
                f"environment {name!r}: table {table!r} does not exist at {where}; "
                f"create it with `dbtooling --env {name} migrate`"
            ) from exc
        ttl = client.describe_time_to_live(table).get("TimeToLiveDescription", {})
        tags = _tags(client, described.get("TableArn"))
    stream = described.get("StreamSpecification") or {}
    return {
        "key_schema": _keys(described.get("KeySchema", [])),
        "gsis": _indexes(described.get("GlobalSecondaryIndexes", [])),
        "lsis": _indexes(described.get("LocalSecondaryIndexes", [])),
        "billing_mode": _billing(described),
        "ttl": {
            "status": ttl.get("TimeToLiveStatus", "DISABLED"),
            "attribute": ttl.get("AttributeName"),
        },
        "stream": {
            "enabled": bool(stream.get("StreamEnabled", False)),
            "view_type": stream.get("StreamViewType"),
        },
        "tags": tags,
    }


def _keys(schema: list[dict[str, str]]) -> str:
    return ", ".join(f"{k['AttributeName']} ({k['KeyType']})" for k in schema)


def _indexes(indexes: list[dict[str, Any]]) -> dict[str, str]:
    return {
        index["IndexName"]: (
            f"{_keys(index['KeySchema'])}; "
            f"projection {index.get('Projection', {}).get('ProjectionType', 'ALL')}"
        )
        for index in indexes
    }


def _billing(described: dict[str, Any]) -> str:
    mode = described.get("BillingModeSummary", {}).get("BillingMode")
    if mode:
        return str(mode)
    throughput = described.get("ProvisionedThroughput", {})
    if throughput.get("ReadCapacityUnits") or throughput.get("WriteCapacityUnits"):
        return "PROVISIONED"
    return "PAY_PER_REQUEST"


def _tags(client: DynamoDBClient, arn: str | None) -> dict[str, str]:
    if not arn:
        return {}
    tags: dict[str, str] = {}
    token: str | None = None
    while True:
        page = client.list_tags_of_resource(arn, next_token=token)
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
        token = page.get("NextToken")
        if not token:
            return dict(sorted(tags.items()))


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field (``gsis.GSI3``, ``tags.team``, ``billing_mode``, ...) that differs."""
    differences: list[dict[str, Any]] = []
    for field in a:
        left, right = a[field], b[field]
        if field in ("gsis", "lsis", "tags"):
            for key in sorted({*left, *right}):
                if left.get(key) != right.get(key):
                    differences.append(
                        {"field": f"{field}.{key}", "a": left.get(key), "b": right.get(key)}
                    )
        elif left != right:
            differences.append({"field": field, "a": left, "b": right})
    return differences
