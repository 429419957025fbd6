"""``dbtooling query`` and ``dbtooling scan``: read items through the query builder.

``dbtooling query User --where team_id=01H...`` plans like ``User.where("team_id", ...)`` and
must become a Query or GetItem (``force_query()``: no silent Scan); ``dbtooling scan User
--filter "age > 30"`` reads with a Scan (``force_scan()``). Without a model they read a raw
table (``--table``, default the configured one) by its key attributes: ``dbtooling query
--where pk=USER#01H...``. The condition syntax is in :mod:`._conditions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from dynamodb_tooling.cli.commands._common import (
    JsonOption,
    ModelsOption,
    TableOption,
    dumps,
    model_class,
    out,
    print_json,
    table_name,
)
from dynamodb_tooling.cli.commands._conditions import parse_filter, parse_where
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm import Model
from dynamodb_tooling.query.builder import QueryBuilder, table
from dynamodb_tooling.schema import ModelDefinition

ModelArgument = Annotated[
    str | None, typer.Argument(help="model name (omit to read a raw table by its keys)")
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option("--where", "-w", help="ATTR=VALUE equality (repeatable, AND-ed)"),
]
FilterOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        "-f",
        help="condition expression, e.g. \"age > 30 and name begins_with 'A'\" (repeatable)",
    ),
]
IndexOption = Annotated[str | None, typer.Option("--index", "-i", help="read this index")]
LimitOption = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="at most N items")]
ExplainOption = Annotated[
    bool, typer.Option("--explain", help="print the plan and the request; send nothing")
]
TrashedOption = Annotated[bool, typer.Option("--with-trashed", help="include soft-deleted items")]


def register(app: typer.Typer) -> None:
    """Add ``query`` and ``scan`` to the root app."""
    app.command("query")(query)
    app.command("scan")(scan)


def query(
    model: ModelArgument = None,
    where: WhereOption = None,
    filter_: FilterOption = None,
    index: IndexOption = None,
    limit: LimitOption = None,
    table: TableOption = None,
    models: ModelsOption = None,
    with_trashed: TrashedOption = False,
    explain: ExplainOption = False,
    as_json: JsonOption = False,
) -> None:
    """Read items with a Query or GetItem (never a Scan).

    Fails instead of scanning when no key condition can be formed from the conditions.

    Conditions: --where ATTR=VALUE (equality) and --filter EXPR, where EXPR combines
    ATTR OP VALUE (OP one of = != < <= > >=), ATTR between A and B, ATTR in (A, B),
    ATTR begins_with V, ATTR contains V, ATTR is [not] null, ATTR [not] exists with
    and / or / not and parentheses. Quote a value ('42') to keep it text.
    """
    builder = _builder(model, table, models, where, filter_, index, limit, with_trashed)
    _run(builder.force_query(), explain, as_json)


def scan(
    model: ModelArgument = None,
    where: WhereOption = None,
    filter_: FilterOption = None,
    index: IndexOption = None,
    limit: LimitOption = None,
    table: TableOption = None,
    models: ModelsOption = None,
    with_trashed: TrashedOption = False,
    explain: ExplainOption = False,
    as_json: JsonOption = False,
) -> None:
    """Read items with a Scan, filtered by the conditions of `query`.

    Scans one model's items, or (without a model) a whole raw table.
    """
    builder = _builder(model, table, models, where, filter_, index, limit, with_trashed)
    _run(builder.force_scan(), explain, as_json)


def _builder(
    model: str | None,
    table_option: str | None,
    models: Path | None,
    where: list[str] | None,
    filters: list[str] | None,
    index: str | None,
    limit: int | None,
    with_trashed: bool,
) -> QueryBuilder[Any]:
    definition: ModelDefinition | None = None
    builder: QueryBuilder[Any]
    if model is None:
        builder = table(table_name(table_option))
    else:
        if table_option is not None:
            raise DynamoDBToolingError(
                "--table reads a raw table; a model reads its configured table "
                "(drop --table, or drop the model name)"
            )
        cls = model_class(model, models)
        definition = cls.__definition__
        builder = cls.query()
        if with_trashed:
            builder = builder.with_trashed()
    for text in where or ():
        builder = parse_where(text, definition)(builder)
    for expression in filters or ():
        builder = parse_filter(expression, definition)(builder)
    if index is not None:
        builder = builder.use_index(index)
    if limit is not None:
        builder = builder.limit(limit)
    return builder


def _run(builder: QueryBuilder[Any], explain: bool, as_json: bool) -> None:
    if explain:
        out.print(str(builder.explain()), markup=False)
        out.print(dumps(builder.to_params()), markup=False)
        return
    rows = [r.to_json_dict() if isinstance(r, Model) else r for r in builder.get()]
    if as_json:
        print_json(rows)
        return
    print_rows(rows)


def print_rows(rows: list[dict[str, Any]]) -> None:
    """Rows as a table, one column per attribute (in order of first appearance)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    grid = Table()
    for name in columns:
        grid.add_column(Text(name), overflow="fold")
    for row in rows:
        grid.add_row(*(Text(_cell(row.get(name))) for name in columns))
    if rows:
        out.print(grid)
    noun = "item" if len(rows) == 1 else "items"
    out.print(f"[dim]{len(rows)} {noun}[/]")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return dumps(value).replace("\n", " ") if isinstance(value, (dict, list)) else str(value)
